"""An independent checker for plans: every hard rule re-derived from the problem alone.

Nothing here imports the optimizer's own checks (`reasons.py`): eligibility, break clamping
and the "could this technician do this job alone" question are written again, the last one as
a brute force over integer times, so a bug in the solver's reasoning cannot hide behind the
same bug in the test. The brute force is meant for the small problems of the property tests.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

from server.dispatch.optimizer import (
    CAPACITY,
    DROPPED_FOR_PRIORITY,
    NO_SKILLED_ENGINEER,
    OUTSIDE_ALL_SHIFTS,
    REASONS,
    WINDOW_UNREACHABLE,
    Job,
    Plan,
    Problem,
    Route,
    Technician,
)


def eligible(tech: Technician, job: Job, problem: Problem) -> bool:
    skills = dict(tech.skills)
    return (
        all(skills.get(code, 0) >= level for code, level in job.skills)
        and (job.pinned_to is None or (tech.engineer_id or tech.id) == job.pinned_to)
        and (job.fixed_to is None or tech.id == job.fixed_to)
        and not (
            job.territory in problem.strict_territories and job.territory not in tech.territories
        )
    )


def break_windows(tech: Technician) -> list[tuple[int, int, int]]:
    """(earliest start, latest start, duration) of the breaks that apply within the shift."""
    out = []
    for brk in tech.breaks:
        low = max(brk.window.start, tech.shift.start)
        high = min(brk.window.end, tech.shift.end - brk.duration)
        if brk.duration > 0 and low <= high:
            out.append((low, high, brk.duration))
    return out


def breaks_schedulable(tech: Technician) -> bool:
    """Whether the applicable breaks can all be placed in their windows without overlapping."""
    windows = break_windows(tech)
    return any(
        all(
            a + da <= b or b + db <= a
            for (a, da), (b, db) in itertools.combinations(
                list(zip(starts, (d for _, _, d in windows), strict=True)), 2
            )
        )
        for starts in itertools.product(*(range(lo, hi + 1) for lo, hi, _ in windows))
    )


def free_time(begin: int, end: int, breaks: Sequence[tuple[int, int]]) -> int:
    """Seconds in [begin, end] not covered by a break."""
    covered = sum(max(0, min(end, s + d) - max(begin, s)) for s, d in breaks)
    return end - begin - covered


def check_plan(problem: Problem, plan: Plan) -> None:
    """Assert every hard constraint of `plan`, and that each job is accounted for once."""
    techs = {t.id: t for t in problem.technicians}
    jobs = {j.id: j for j in problem.jobs}
    dur = problem.durations
    dist = problem.distances

    seen = Counter(s.job_id for r in plan.routes for s in r.stops)
    seen.update(u.job_id for u in plan.unassigned)
    assert set(seen) == set(jobs), "every job is either served or unassigned"
    assert all(n == 1 for n in seen.values()), f"a job appears twice: {seen.most_common(3)}"
    assert len({r.technician_id for r in plan.routes}) == len(plan.routes)
    assert all(u.reason in REASONS for u in plan.unassigned)

    for route in plan.routes:
        tech = techs[route.technician_id]
        assert route.stops, "only technicians with work get a route"
        _check_route(problem, tech, route)
        served = [jobs[s.job_id] for s in route.stops]
        for position, job in enumerate(served):
            assert eligible(tech, job, problem), f"{job.id} is not allowed on {tech.id}"
            if job.fixed_to is not None:
                assert position == 0, f"fixed job {job.id} is not first"
        if tech.capacity is not None:
            assert sum(j.demand for j in served) <= tech.capacity
        if tech.max_jobs is not None:
            assert len(served) <= tech.max_jobs
        locations = [tech.start_location, *(j.location for j in served), tech.end_location]
        legs = list(itertools.pairwise(locations))
        assert route.travel_time == sum(dur[a][b] for a, b in legs)
        assert route.travel_distance == (sum(dist[a][b] for a, b in legs) if dist else 0)


def _check_route(problem: Problem, tech: Technician, route: Route) -> None:
    jobs = {j.id: j for j in problem.jobs}
    dur = problem.durations
    shift = tech.shift
    assert shift.start <= route.start, "inside the shift"
    assert route.end <= shift.end, "inside the shift"

    windows = break_windows(tech)
    assert len(route.breaks) == len(windows), "every applicable break is placed"
    breaks = sorted(route.breaks)
    # Each break in its window (some assignment of breaks to windows), none overlapping another.
    assert any(
        all(lo <= s <= hi and d == bd for (s, d), (lo, hi, bd) in zip(breaks, perm, strict=True))
        for perm in itertools.permutations(windows)
    ), f"breaks {breaks} outside their windows {windows}"
    for (s1, d1), (s2, _) in itertools.pairwise(breaks):
        assert s1 + d1 <= s2, "breaks overlap"

    location, ready = tech.start_location, route.start
    for stop in route.stops:
        job = jobs[stop.job_id]
        leg = dur[location][job.location]
        # Arrival: the drive, paused by breaks, fills [ready, arrival] exactly.
        assert ready <= stop.arrival <= stop.start
        assert free_time(ready, stop.arrival, breaks) == leg, f"drive to {job.id}"
        assert stop.departure == stop.start + job.duration
        if job.window is not None:
            assert job.window.start <= stop.start <= job.window.end, f"{job.id} window"
        expected_lateness = max(0, stop.start - job.due) if job.due is not None else 0
        assert stop.lateness == expected_lateness
        for s, d in breaks:
            assert s + d <= stop.start or stop.departure <= s, f"break during {job.id}"
        location, ready = job.location, stop.departure
    leg = dur[location][tech.end_location]
    assert ready <= route.end
    assert free_time(ready, route.end, breaks) == leg, "drive to the end location"


def alone_checks(problem: Problem, tech: Technician, job: Job) -> tuple[bool, bool]:
    """(fits the shift ignoring the window, fits with the window) for `tech` doing `job` alone,
    by brute force over integer service starts and break starts."""
    shift = tech.shift
    if job.window is not None and (job.window.end < shift.start or job.window.start > shift.end):
        return False, False
    travel_in = problem.durations[tech.start_location][job.location]
    travel_out = problem.durations[job.location][tech.end_location]
    windows = break_windows(tech)
    fits_shift = fits_window = False
    for starts in itertools.product(*(range(lo, hi + 1) for lo, hi, _ in windows)):
        breaks = [(s, d) for s, (_, _, d) in zip(starts, windows, strict=True)]
        if any(
            a[0] < b[0] + b[1] and b[0] < a[0] + a[1] for a, b in itertools.combinations(breaks, 2)
        ):
            continue
        for start in range(shift.start, shift.end - job.duration + 1):
            end = start + job.duration
            if any(s < end and start < s + d for s, d in breaks if job.duration > 0):
                continue
            if any(s < start < s + d for s, d in breaks):
                continue
            if free_time(shift.start, start, breaks) < travel_in:
                continue
            if free_time(end, shift.end, breaks) < travel_out:
                continue
            fits_shift = True
            if job.window is None or job.window.start <= start <= job.window.end:
                return True, True
    return fits_shift, fits_window


def expected_reason(problem: Problem, job: Job) -> str | None:
    """The reason the checker expects for `job` if it is unassigned; None: it could be served."""
    candidates = [t for t in problem.technicians if eligible(t, job, problem)]
    if not candidates:
        return NO_SKILLED_ENGINEER
    roomy = [
        t
        for t in candidates
        if t.max_jobs != 0 and (t.capacity is None or job.demand <= t.capacity)
    ]
    if not roomy:
        return CAPACITY
    results = [alone_checks(problem, t, job) for t in roomy]
    if any(window for _, window in results):
        return None
    if any(shift for shift, _ in results):
        return WINDOW_UNREACHABLE
    return OUTSIDE_ALL_SHIFTS


def check_reasons(problem: Problem, plan: Plan) -> None:
    jobs = {j.id: j for j in problem.jobs}
    for item in plan.unassigned:
        expected = expected_reason(problem, jobs[item.job_id])
        assert item.reason == (expected or DROPPED_FOR_PRIORITY), (item, expected)
