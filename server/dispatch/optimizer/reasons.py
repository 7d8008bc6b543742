"""Who may do a job, and why a job is not in the plan: feasibility checks, not guesses.

Every (job, technician) pair goes through the same stages, each one a hard rule of the model:

1. eligible: skills at the required levels, the pin (`pinned_to` names the engineer), the
   technician a job is `fixed_to`, and strict territories;
2. capacity: the job's demand fits the technician's capacity, and `max_jobs` is not 0;
3. shift: the technician could serve the job *alone*, ignoring its appointment window: leave the
   start location at the start of the shift, travel, serve, travel to the end location by the
   end of the shift, with every break placed in its window and never during service (travel
   may be interrupted by a break, as in the routing model). A window lying wholly outside the
   shift also fails here: the appointment is on a day this technician does not work;
4. window: the same, with service starting inside the appointment window.

A job that no technician passes is left out of the routing model and reported with the stage
the *best* technician reached: nobody eligible -> NO_SKILLED_ENGINEER; nobody with room ->
CAPACITY; nobody who could fit it in the shift -> OUTSIDE_ALL_SHIFTS; the shift would fit but no
one can reach the window -> WINDOW_UNREACHABLE. A job that passes for some technician but is
absent from the solved plan was crowded out by other work: DROPPED_FOR_PRIORITY.

The "alone" check is exact for the break model of OR-Tools: breaks are placed before or after
the service, each partition and order of the (few) breaks is tried, and travel fills the time
around them. Breaks are first clamped to the shift (`effective_breaks`): a break that cannot
start and end inside the shift does not apply that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations

from .model import (
    CAPACITY,
    NO_SKILLED_ENGINEER,
    OUTSIDE_ALL_SHIFTS,
    WINDOW_UNREACHABLE,
    Job,
    Problem,
    Technician,
    Window,
)

# Beyond this many breaks in a day, orders are not enumerated (k! grows fast); breaks are then
# taken in the order of their windows, which is exact whenever the windows do not interleave.
_MAX_BREAKS_PERMUTED = 4


@dataclass(frozen=True)
class EffectiveBreak:
    """A break as the model sees it: its start lies in [start_min, start_max]."""

    start_min: int
    start_max: int
    duration: int


@dataclass(frozen=True)
class Assessment:
    """What the checks found for one job: the technicians (indices into
    `problem.technicians`) who could serve it alone, and the reason when there is none."""

    feasible: tuple[int, ...]
    reason: str | None


def effective_breaks(tech: Technician) -> tuple[EffectiveBreak, ...]:
    """The technician's breaks clamped to the shift, in window order; empty or zero-length ones
    dropped (a lunch window after a half-day shift ends does not apply)."""
    clamped = []
    for brk in tech.breaks:
        if brk.duration <= 0:
            continue
        start_min = max(brk.window.start, tech.shift.start)
        start_max = min(brk.window.end, tech.shift.end - brk.duration)
        if start_min <= start_max:
            clamped.append(EffectiveBreak(start_min, start_max, brk.duration))
    clamped.sort(key=lambda b: (b.start_min, b.start_max, b.duration))
    return tuple(clamped)


def breaks_fit(breaks: tuple[EffectiveBreak, ...], start: int) -> bool:
    """Whether `breaks` can all be taken, none overlapping another, none starting before
    `start` (with no work at all)."""
    return _earliest_end(list(breaks), start) is not None


def is_eligible(tech: Technician, job: Job, strict_territories: frozenset[str]) -> bool:
    """The rules that do not depend on time: skills, pin, fixed technician, strict territory."""
    if job.fixed_to is not None and tech.id != job.fixed_to:
        return False
    if job.pinned_to is not None and tech.engineer != job.pinned_to:
        return False
    if (
        job.territory is not None
        and job.territory in strict_territories
        and job.territory not in tech.territories
    ):
        return False
    levels = dict(tech.skills)
    return all(levels.get(skill, 0) >= level for skill, level in job.skills)


def has_room(tech: Technician, job: Job) -> bool:
    if tech.max_jobs == 0:
        return False
    return tech.capacity is None or job.demand <= tech.capacity


def earliest_alone_start(
    tech: Technician,
    job: Job,
    durations: Sequence[Sequence[int]],
    window: Window | None,
    breaks: tuple[EffectiveBreak, ...] | None = None,
) -> int | None:
    """The earliest service start at which `tech` can serve `job` and nothing else that day
    (start of service inside `window` when given), or None when there is none."""
    shift = tech.shift
    travel_in = durations[tech.start_location][job.location]
    travel_out = durations[job.location][tech.end_location]
    low = shift.start + travel_in
    high = shift.end - job.duration - travel_out
    if window is not None:
        low = max(low, window.start)
        high = min(high, window.end)
    if low > high:
        return None
    if breaks is None:
        breaks = effective_breaks(tech)
    if not breaks:
        return low

    best: int | None = None
    for mask in range(1 << len(breaks)):
        before = [b for k, b in enumerate(breaks) if mask >> k & 1]
        after = [b for k, b in enumerate(breaks) if not mask >> k & 1]
        # Breaks before the service must fit between the start of the shift and the service,
        # leaving enough unbroken time to travel there.
        done_before = _earliest_end(before, shift.start)
        if done_before is None:
            continue
        start_min = max(low, done_before, shift.start + travel_in + _total(before))
        # Breaks after the service must fit between its end and the end of the shift, leaving
        # enough time to travel to the end location.
        first_after = _latest_start(after, shift.end)
        if first_after is None:
            continue
        start_max = min(
            high,
            first_after - job.duration,
            shift.end - job.duration - travel_out - _total(after),
        )
        if start_min <= start_max and (best is None or start_min < best):
            best = start_min
    return best


def can_work(tech: Technician, durations: Sequence[Sequence[int]]) -> bool:
    """Whether an empty day fits: from the start to the end location within the shift, breaks
    taken. The routing model needs this of every vehicle, used or not."""
    commute = Job(id="", location=tech.end_location, duration=0)
    return earliest_alone_start(tech, commute, durations, None) is not None


def assess(problem: Problem, job: Job) -> Assessment:
    """Run the stages for `job` against every technician (see the module docstring)."""
    strict = problem.strict_territories
    eligible = [
        index for index, tech in enumerate(problem.technicians) if is_eligible(tech, job, strict)
    ]
    if not eligible:
        return Assessment((), NO_SKILLED_ENGINEER)
    roomy = [index for index in eligible if has_room(problem.technicians[index], job)]
    if not roomy:
        return Assessment((), CAPACITY)

    # Technicians on the same shift, route ends and breaks give the same answer: the benchmark
    # fleets (and most real ones) have a handful of such profiles for dozens of vehicles.
    cache: dict[tuple[object, ...], tuple[bool, bool]] = {}
    fits_shift = False
    feasible: list[int] = []
    for index in roomy:
        tech = problem.technicians[index]
        key = (tech.shift, tech.start_location, tech.end_location, tech.breaks)
        if key not in cache:
            cache[key] = _time_checks(tech, job, problem.durations)
        shift_ok, window_ok = cache[key]
        fits_shift = fits_shift or shift_ok
        if window_ok:
            feasible.append(index)
    if feasible:
        return Assessment(tuple(feasible), None)
    return Assessment((), WINDOW_UNREACHABLE if fits_shift else OUTSIDE_ALL_SHIFTS)


def _time_checks(
    tech: Technician, job: Job, durations: Sequence[Sequence[int]]
) -> tuple[bool, bool]:
    breaks = effective_breaks(tech)
    window = job.window
    if window is not None and (window.end < tech.shift.start or window.start > tech.shift.end):
        return False, False
    shift_ok = earliest_alone_start(tech, job, durations, None, breaks) is not None
    if window is None or not shift_ok:
        return shift_ok, shift_ok
    return True, earliest_alone_start(tech, job, durations, window, breaks) is not None


def _orders(breaks: list[EffectiveBreak]) -> list[tuple[EffectiveBreak, ...]]:
    if len(breaks) <= _MAX_BREAKS_PERMUTED:
        return list(permutations(breaks))
    return [tuple(breaks)]


def _earliest_end(breaks: list[EffectiveBreak], start: int) -> int | None:
    """Earliest time by which all `breaks` can be over, none starting before `start`."""
    if not breaks:
        return start
    best: int | None = None
    for order in _orders(breaks):
        time = start
        for brk in order:
            begin = max(time, brk.start_min)
            if begin > brk.start_max:
                break
            time = begin + brk.duration
        else:
            if best is None or time < best:
                best = time
    return best


def _latest_start(breaks: list[EffectiveBreak], end: int) -> int | None:
    """Latest time at which the first of `breaks` can start, all of them over by `end`."""
    if not breaks:
        return end
    best: int | None = None
    for order in _orders(breaks):
        time = end
        for brk in reversed(order):
            begin = min(time - brk.duration, brk.start_max)
            if begin < brk.start_min:
                break
            time = begin
        else:
            if best is None or time > best:
                best = time
    return best


def _total(breaks: list[EffectiveBreak]) -> int:
    return sum(b.duration for b in breaks)
