"""A field day on the demo city: our optimizer against VROOM under the same constraints.

    python -m bench.optimizer.field_day [--jobs 300] [--engineers 40] [--time-limit-s 10]
        [--seed 1] [--solvers ours,ours-travel,vroom] [--vroom-threads 1] [--workers 1]
        [--first-solution auto] [--json]

The scenario (deterministic for a seed): the 40 engineers of the demo city
(`server.demo.city.generate()`, its default seed: homes in the districts, skills with levels
1-5 over hvac, electrical, plumbing, appliance, network, elevator, and their max jobs a day), all
on shift 08:00-18:00 from and back to their homes, each with a 45-minute lunch break that starts
between 11:30 and 12:45 (so it lies within 11:30-13:30); 300 jobs at the demo customers' sites,
each needing one skill at a level (never above the best engineer's), 30-90 minutes long, with a
priority (urgent 10%, high 20%, medium 50%, low 20%), a hard appointment window for the start of
service on ~30% of them (2-hour or half-day slots), and a soft SLA due time on the urgent and
high ones. Travel: `server.dispatch.travel.GreatCircle` (haversine x 1.3 at 25 km/h, no
rush-hour variation), whole seconds and metres.

Both solvers get the same problem: ours through `Problem` (travel cost = metres); VROOM with the
same integer matrices (costs = metres, durations = seconds), skills encoded as one integer id per
(code, level) with an engineer holding every level up to theirs, vehicle time window, break,
`max_tasks`, job windows and priorities 100/10/1/0 for urgent/high/medium/low (VROOM maximises
the sum of priorities served first, then the number served, then minimises cost: like our drop
costs, which are ten times apart per priority). VROOM has no soft due dates.

Ours runs twice: `ours` with the default weights, which also cost lateness against the SLA due
times, and `ours-travel` with that cost off. VROOM has no soft due dates, so `ours-travel` is the
like-for-like comparison (priorities, then travel); `ours` shows what minding the SLAs costs in
travel and gains in lateness.

Each plan is then checked by an independent checker that uses only the scenario and the plan's
sequence and times: every job at most once, skills and levels, appointment windows, shift,
max jobs, lunch taken once in its window and not during a job, and enough time between
consecutive activities for the travel and any break in between. Reported per solver: jobs served
(by priority), travel km and hours, total lateness against the SLA due times, wall time, and the
violations found. DESIGN §12 target: every hard constraint held; no fewer jobs served than VROOM
and no more travel; <= 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from server.demo import city
from server.dispatch.optimizer.model import (
    PRIORITIES,
    Break,
    Job,
    Plan,
    Problem,
    SolveParams,
    Technician,
    Window,
)

HOUR = 3600
SHIFT = (8 * HOUR, 18 * HOUR)
LUNCH_WINDOW = (11 * HOUR + 30 * 60, 12 * HOUR + 45 * 60)  # start; ends by 13:30
LUNCH = 45 * 60
SKILL_CODES = tuple(code for code, _, _ in city.SKILLS)
CODE_WEIGHTS = {"hvac": 30, "electrical": 20, "plumbing": 20, "appliance": 15, "network": 10}
LEVEL_WEIGHTS = (30, 30, 25, 10, 5)  # levels 1..5
DURATIONS_MIN = (30, 45, 45, 60, 60, 90)
PRIORITY_WEIGHTS = {"urgent": 10, "high": 20, "medium": 50, "low": 20}
SLOTS = (
    (8 * HOUR, 10 * HOUR),
    (10 * HOUR, 12 * HOUR),
    (13 * HOUR, 15 * HOUR),
    (15 * HOUR, 17 * HOUR),
    (8 * HOUR, 12 * HOUR),
    (13 * HOUR, 17 * HOUR),
)
VROOM_PRIORITY = {"urgent": 100, "high": 10, "medium": 1, "low": 0}


@dataclass(frozen=True)
class Engineer:
    id: str
    home: int  # location index
    skills: dict[str, int]
    max_jobs: int


@dataclass(frozen=True)
class FieldJob:
    id: str
    location: int
    duration: int
    skill: tuple[str, int]
    priority: str
    window: tuple[int, int] | None
    due: int | None


@dataclass(frozen=True)
class Scenario:
    engineers: list[Engineer]
    jobs: list[FieldJob]
    points: list[tuple[float, float]]
    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]
    travel_model: str


def _matrices(
    points: Sequence[tuple[float, float]],
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...], str]:
    try:
        from server.dispatch.travel import GreatCircle, Point
    except ImportError:  # before the travel module existed: the same model, locally
        n = len(points)
        dist = [[0] * n for _ in range(n)]
        dur = [[0] * n for _ in range(n)]
        for i, (la1, lo1) in enumerate(points):
            for j, (la2, lo2) in enumerate(points):
                p1, p2 = math.radians(la1), math.radians(la2)
                h = (
                    math.sin((p2 - p1) / 2) ** 2
                    + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2
                )
                metres = 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, h))) * 1.3
                dist[i][j] = round(metres)
                dur[i][j] = round(metres / (25 / 3.6))
        return (
            tuple(tuple(r) for r in dur),
            tuple(tuple(r) for r in dist),
            "local haversine x1.3 at 25 km/h",
        )
    matrix = GreatCircle().matrix([Point(lat, lon) for lat, lon in points])
    return matrix.durations, matrix.distances, "travel.GreatCircle (x1.3, 25 km/h)"


def scenario(seed: int = 1, n_jobs: int = 300, n_engineers: int = 40) -> Scenario:
    """The demo city's engineers and sites with `n_jobs` seeded jobs (see module docstring)."""
    techs, customers = city.generate(technicians=n_engineers)
    rng = random.Random(seed)
    points = [(t.lat, t.lon) for t in techs]
    engineers = [
        Engineer(
            id=f"e{t.number:02d}",
            home=k,
            skills=dict(t.skills),
            max_jobs=t.max_jobs_per_day,
        )
        for k, t in enumerate(techs)
    ]
    best_level = {
        code: max((e.skills.get(code, 0) for e in engineers), default=0) for code in SKILL_CODES
    }
    codes = [c for c in SKILL_CODES if best_level[c] > 0]
    code_weights = [CODE_WEIGHTS.get(c, 5) for c in codes]
    sites = [site for customer in customers for site in customer.sites]
    priorities = list(PRIORITY_WEIGHTS)
    jobs: list[FieldJob] = []
    for k in range(n_jobs):
        site = rng.choice(sites)
        points.append((site.lat, site.lon))
        code = rng.choices(codes, code_weights)[0]
        level = min(rng.choices(range(1, 6), LEVEL_WEIGHTS)[0], best_level[code])
        priority = rng.choices(priorities, list(PRIORITY_WEIGHTS.values()))[0]
        window = rng.choice(SLOTS) if rng.random() < 0.3 else None
        due = None
        if priority == "urgent":
            due = 8 * HOUR + rng.randrange(2 * HOUR, 4 * HOUR + 1, 900)
        elif priority == "high":
            due = rng.randrange(12 * HOUR, 17 * HOUR + 1, 1800)
        jobs.append(
            FieldJob(
                id=f"j{k:03d}",
                location=len(points) - 1,
                duration=rng.choice(DURATIONS_MIN) * 60,
                skill=(code, level),
                priority=priority,
                window=window,
                due=due,
            )
        )
    durations, distances, model = _matrices(points)
    return Scenario(engineers, jobs, points, durations, distances, model)


def to_problem(s: Scenario) -> Problem:
    technicians = tuple(
        Technician(
            id=e.id,
            shift=Window(*SHIFT),
            start_location=e.home,
            end_location=e.home,
            skills=tuple(sorted(e.skills.items())),
            breaks=(Break(Window(*LUNCH_WINDOW), LUNCH),),
            max_jobs=e.max_jobs,
        )
        for e in s.engineers
    )
    jobs = tuple(
        Job(
            id=j.id,
            location=j.location,
            duration=j.duration,
            skills=(j.skill,),
            priority=j.priority,
            window=Window(*j.window) if j.window else None,
            due=j.due,
        )
        for j in s.jobs
    )
    return Problem(technicians, jobs, durations=s.durations, distances=s.distances)


# A plan in solver-neutral terms, for the checker.
@dataclass
class VehiclePlan:
    start: int
    end: int
    jobs: list[tuple[int, int]] = field(default_factory=list)  # (job index, service start)
    breaks: list[tuple[int, int]] = field(default_factory=list)  # (start, duration)


@dataclass
class Outcome:
    solver: str
    time_s: float
    vehicles: dict[int, VehiclePlan]
    note: str = ""


def run_ours(
    s: Scenario,
    time_limit_s: float,
    seed: int,
    workers: int = 1,
    first_solution: str = "auto",
    *,
    lateness: bool = True,
) -> Outcome:
    """Our solver; with `lateness` False, on VROOM's objective: no cost for SLA lateness."""
    from server.dispatch.optimizer import solve

    started = time.perf_counter()
    params = SolveParams(time_limit_s=time_limit_s, seed=seed)
    if not lateness:
        no_cost = tuple((priority, 0) for priority, _ in params.weights.lateness)
        params = replace(params, weights=replace(params.weights, lateness=no_cost))
    if workers != 1:
        params = replace(params, workers=workers)
    if first_solution != "auto":
        params = replace(params, first_solution=first_solution)
    plan: Plan = solve(to_problem(s), params)
    elapsed = time.perf_counter() - started
    eng_index = {e.id: k for k, e in enumerate(s.engineers)}
    job_index = {j.id: k for k, j in enumerate(s.jobs)}
    vehicles: dict[int, VehiclePlan] = {}
    for route in plan.routes:
        if not route.stops:
            continue
        vehicles[eng_index[route.technician_id]] = VehiclePlan(
            start=route.start,
            end=route.end,
            jobs=[(job_index[stop.job_id], stop.start) for stop in route.stops],
            breaks=[(b_start, b_dur) for b_start, b_dur in route.breaks],
        )
    reasons: dict[str, int] = {}
    for u in plan.unassigned:
        reasons[u.reason] = reasons.get(u.reason, 0) + 1
    note = f"status={plan.status} unassigned={reasons} workers={workers}"
    return Outcome("ours" if lateness else "ours-travel", elapsed, vehicles, note)


def _skill_id(code: str, level: int) -> int:
    return (SKILL_CODES.index(code) + 1) * 10 + level


def run_vroom(s: Scenario, time_limit_s: float, threads: int) -> Outcome:
    import vroom  # type: ignore[import-untyped]  # pyvroom ships no py.typed

    started = time.perf_counter()
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=[list(r) for r in s.durations])
    problem.set_costs_matrix(profile="car", matrix_input=[list(r) for r in s.distances])
    for k, e in enumerate(s.engineers):
        problem.add_vehicle(
            vroom.Vehicle(
                id=k + 1,
                start=e.home,
                end=e.home,
                skills={
                    _skill_id(code, lv)
                    for code, top in e.skills.items()
                    for lv in range(1, top + 1)
                },
                time_window=vroom.TimeWindow(*SHIFT),
                breaks=[
                    vroom.Break(
                        id=k + 1, time_windows=[vroom.TimeWindow(*LUNCH_WINDOW)], service=LUNCH
                    )
                ],
                max_tasks=e.max_jobs,
            )
        )
    for k, j in enumerate(s.jobs):
        problem.add_job(
            vroom.Job(
                id=k + 1,
                location=j.location,
                default_service=j.duration,
                skills={_skill_id(*j.skill)},
                priority=VROOM_PRIORITY[j.priority],
                time_windows=[vroom.TimeWindow(*j.window)] if j.window else (),
            )
        )
    solution = problem.solve(
        exploration_level=5,
        nb_threads=threads,
        timeout=datetime.timedelta(seconds=time_limit_s),
    )
    elapsed = time.perf_counter() - started
    vehicles: dict[int, VehiclePlan] = {}
    for vehicle_id, group in solution.routes.groupby("vehicle_id", sort=True):
        plan = VehiclePlan(start=0, end=0)
        for row in group.itertuples():
            begins = int(row.arrival) + int(row.waiting_time)
            if row.type == "start":
                plan.start = int(row.arrival)
            elif row.type == "end":
                plan.end = int(row.arrival)
            elif row.type == "job":
                plan.jobs.append((int(row.id) - 1, begins))
            elif row.type == "break":
                plan.breaks.append((begins, int(row.service)))
        if plan.jobs:
            vehicles[int(vehicle_id) - 1] = plan
    return Outcome("vroom", elapsed, vehicles, f"threads={threads} exploration_level=5")


def check(s: Scenario, outcome: Outcome) -> dict[str, Any]:
    """Independent check of every hard constraint, and the plan's figures."""
    problems: list[str] = []
    served: dict[int, str] = {}
    travel_m = travel_s = lateness_s = late_jobs = 0
    for v, plan in sorted(outcome.vehicles.items()):
        e = s.engineers[v]
        if plan.start < SHIFT[0] or plan.end > SHIFT[1]:
            problems.append(f"{e.id}: route {plan.start}-{plan.end} outside shift")
        if len(plan.jobs) > e.max_jobs:
            problems.append(f"{e.id}: {len(plan.jobs)} jobs > max {e.max_jobs}")
        for k, begins in plan.jobs:
            j = s.jobs[k]
            if k in served:
                problems.append(f"{j.id} served by {served[k]} and {e.id}")
            served[k] = e.id
            code, level = j.skill
            if e.skills.get(code, 0) < level:
                problems.append(f"{j.id} needs {code}>={level}, {e.id} has {e.skills.get(code)}")
            if j.window and not j.window[0] <= begins <= j.window[1]:
                problems.append(f"{j.id} starts {begins} outside window {j.window}")
            if j.due is not None and begins > j.due:
                lateness_s += begins - j.due
                late_jobs += 1
        # Lunch: every engineer with work takes it once, 45 minutes, starting in its window.
        # It may fall while waiting or interrupt a drive, or before leaving / after getting
        # home, but never during a job.
        if len(plan.breaks) != 1:
            problems.append(f"{e.id}: {len(plan.breaks)} lunch breaks")
        for b_start, b_dur in plan.breaks:
            if not LUNCH_WINDOW[0] <= b_start <= LUNCH_WINDOW[1] or b_dur < LUNCH:
                problems.append(f"{e.id}: break {b_start}+{b_dur} outside lunch window")
        # Timeline: on each leg (home or a job's end -> the next job's start or home), the time
        # not covered by breaks must hold the travel.
        stops = sorted(plan.jobs, key=lambda x: x[1])
        pos, free = e.home, plan.start
        legs = [(s.jobs[k].location, begins, s.jobs[k].duration) for k, begins in stops]
        legs.append((e.home, plan.end, 0))
        for loc, begins, duration in legs:
            paused = sum(max(0, min(begins, b + d) - max(free, b)) for b, d in plan.breaks)
            travel = s.durations[pos][loc]
            if begins - free - paused < travel:
                problems.append(
                    f"{e.id}: {begins - free} s (less {paused} s break) from location {pos} "
                    f"to {loc} < {travel} s travel"
                )
            travel_m += s.distances[pos][loc]
            travel_s += travel
            pos, free = loc, begins + duration
        for b, d in plan.breaks:
            for _, begins, duration in legs[:-1]:
                if b < begins + duration and begins < b + d:
                    problems.append(f"{e.id}: break at {b} overlaps a job at {begins}")
    by_priority = dict.fromkeys(PRIORITIES, 0)
    total_by_priority = dict.fromkeys(PRIORITIES, 0)
    for k, j in enumerate(s.jobs):
        total_by_priority[j.priority] += 1
        if k in served:
            by_priority[j.priority] += 1
    return {
        "solver": outcome.solver,
        "jobs_served": len(served),
        "jobs": len(s.jobs),
        "served_by_priority": {p: f"{by_priority[p]}/{total_by_priority[p]}" for p in PRIORITIES},
        "engineers_used": len(outcome.vehicles),
        "travel_km": round(travel_m / 1000, 1),
        "travel_h": round(travel_s / 3600, 2),
        "lateness_min": round(lateness_s / 60, 1),
        "late_jobs": late_jobs,
        "time_s": round(outcome.time_s, 2),
        "hard_constraints_held": not problems,
        "violations": len(problems),
        "first_violations": problems[:5],
        "note": outcome.note,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--engineers", type=int, default=40)
    parser.add_argument("--time-limit-s", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--solvers", default="ours,ours-travel,vroom")
    parser.add_argument("--vroom-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="ours: SolveParams.workers")
    parser.add_argument("--first-solution", default="auto", help="ours: SolveParams.first_solution")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    s = scenario(args.seed, args.jobs, args.engineers)
    windows = sum(j.window is not None for j in s.jobs)
    print(
        f"# field day: {len(s.jobs)} jobs ({windows} with appointment windows), "
        f"{len(s.engineers)} engineers, seed {args.seed}, travel {s.travel_model}, "
        f"time limit {args.time_limit_s} s",
        file=sys.stderr,
    )
    reports = []
    for name in [x.strip() for x in args.solvers.split(",") if x.strip()]:
        if name in ("ours", "ours-travel"):
            outcome = run_ours(
                s,
                args.time_limit_s,
                args.seed,
                args.workers,
                args.first_solution,
                lateness=name == "ours",
            )
        elif name == "vroom":
            outcome = run_vroom(s, args.time_limit_s, args.vroom_threads)
        else:
            parser.error(f"unknown solver {name!r} (ours, ours-travel, vroom)")
        report = check(s, outcome)
        reports.append(report)
        if args.json:
            print(json.dumps(report, ensure_ascii=False), flush=True)
        else:
            verdict = (
                "all hard constraints held" if report["hard_constraints_held"] else "VIOLATIONS"
            )
            print(
                f"{name:<11} served {report['jobs_served']:>3}/{report['jobs']} "
                f"{report['served_by_priority']}  engineers {report['engineers_used']:>2}  "
                f"travel {report['travel_km']:>7} km {report['travel_h']:>6} h  "
                f"lateness {report['lateness_min']:>7} min ({report['late_jobs']} jobs)  "
                f"{report['time_s']:>6} s  "
                f"{verdict} {report['first_violations'] or ''}  [{report['note']}]",
                flush=True,
            )


if __name__ == "__main__":
    main()
