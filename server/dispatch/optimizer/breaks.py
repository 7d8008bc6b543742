"""Fitting breaks into routes planned without them: the bridge between the two stages of a
solve (see `solver.py`, "Two stages").

OR-Tools searches much faster without break intervals, so on a large day the solver first
plans without breaks, then cuts each route down until its breaks fit, and searches again, with
the breaks, from there. This module is that cut: a route is a sequence of jobs for one
technician; `fits` says whether the technician can serve it in that order and take every break,
and `cut_to_fit` leaves out the cheapest jobs until it can (the second search puts back
what it can).

`fits` is a sufficient check, not an exact one: it tries one schedule, the earliest. Each
break is taken on the first leg where it may start, unless that would miss the next job's
window while taking it after that job is still possible; and it is taken at a stop (before
driving on, waiting for it to begin if need be), never in the middle of a drive, and not
waited for at the last job before the drive home (a day that needs that does not fit). The
routing model allows both, but OR-Tools 9.15 did not take such routes as a starting point: a
search from a job 1 h 47 min from home with lunch only possible on the way back failed at once,
and a day of one job 1 h 28 min from home, done half an hour before lunch, could not even be
read. So the check leaves those days to the second search. A route it rejects may be
feasible; the cost is a job cut that the second search can put back. A route it accepts is
feasible: the schedule it found is one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

from . import exchange
from .model import Job, Problem, Technician
from .reasons import EffectiveBreak, effective_breaks


def fits(
    durations: Sequence[Sequence[int]],
    tech: Technician,
    breaks: Sequence[EffectiveBreak],
    jobs: Sequence[Job],
) -> bool:
    """Whether `tech` can serve `jobs` in this order within their windows and the shift, and
    take each of `breaks` (sorted by earliest start, as `effective_breaks` gives them)."""
    pending = list(breaks)
    now, here = tech.shift.start, tech.start_location
    # The jobs, then the way home: (location, service, opens, closes, is a job).
    stops = [(job.location, job.duration, *_window(job, tech), True) for job in jobs]
    stops.append((tech.end_location, 0, tech.shift.start, tech.shift.end, False))
    for location, service, opens, closes, is_job in stops:
        remaining = durations[here][location]
        while pending:
            brk = pending[0]
            start = max(now + remaining, opens)  # service starts here without the break
            if brk.start_min >= start:
                break  # the break cannot begin before this stop: a later leg (or after the day)
            begins = max(now, brk.start_min)  # at the last stop, before driving on
            if begins > brk.start_max or (not is_job and remaining and begins > now):
                return False  # too late, or waiting at the last job for it before going home
            with_break = max(begins + brk.duration + remaining, opens)
            missed = is_job and with_break > closes and start <= closes
            if missed and start + service <= brk.start_max:
                break  # serve this job first, take the break on the next leg
            pending.pop(0)
            now = begins + brk.duration
        start = max(now + remaining, opens)
        if start > closes:
            return False
        now, here = start + service, location
    return True


def cut_to_fit(
    route: Sequence[int],
    fit: Callable[[Sequence[int]], bool],
    keep: Callable[[int], bool],
    cost: Callable[[int], tuple[int, ...]],
) -> list[int] | None:
    """`route` (node numbers) cut greedily until `fit` holds, cheapest first: while it does
    not, leave out a node of the cheapest class (by the first element of `cost`, e.g. the
    priority's drop cost) whose removal alone makes it fit, the cheapest such by the whole
    `cost`; if none does, the cheapest node, and look again. A dearer class is never cut while
    a cheaper one is left (no urgent job for a low one). Nodes for which `keep` is true are
    never left out; None when the route cannot fit even with only those."""
    nodes = list(route)
    while not fit(nodes):
        removable = sorted((i for i, node in enumerate(nodes) if not keep(node)),
                           key=lambda i: cost(nodes[i]))  # fmt: skip
        if not removable:
            return None
        cheapest = cost(nodes[removable[0]])[0]
        chosen = next(
            (
                i
                for i in removable
                if cost(nodes[i])[0] == cheapest and fit(nodes[:i] + nodes[i + 1 :])
            ),
            removable[0],
        )
        del nodes[chosen]
    return nodes


def _window(job: Job, tech: Technician) -> tuple[int, int]:
    """When service may start: the job's window within the shift (ending early enough to
    finish before the shift ends is the way home's concern, as in the routing model)."""
    opens, closes = tech.shift.start, tech.shift.end
    if job.window is not None:
        opens, closes = max(opens, job.window.start), min(closes, job.window.end)
    return opens, closes


def fill(
    routes: list[list[int]],
    waiting: Sequence[int],
    allowed: Callable[[int], Sequence[int]],
    room: Callable[[int, Sequence[int], int], bool],
    detour: Callable[[int, Sequence[int], int, int], int],
    fit: Callable[[int, Sequence[int]], bool],
) -> None:
    """Insert what it can of `waiting` (nodes, in that order) into `routes` (by vehicle), each
    where it adds the least `detour(vehicle, route, position, node)` among the vehicles it is
    `allowed` on with `room(vehicle, route, node)` for it, such that the route still `fit`s.

    Positions are tried cheapest first, and a fit is checked only until one holds, so the
    (slow) `fit` runs a few times per node, not once per position."""
    for node in waiting:
        options = sorted(
            (detour(vehicle, routes[vehicle], position, node), vehicle, position)
            for vehicle in allowed(node)
            if room(vehicle, routes[vehicle], node)
            for position in range(len(routes[vehicle]) + 1)
        )
        for _, vehicle, position in options:
            route = routes[vehicle]
            tried = [*route[:position], node, *route[position:]]
            if fit(vehicle, tried):
                routes[vehicle] = tried
                break


def repair(
    problem: Problem,
    techs: Sequence[Technician],
    jobs: Sequence[Job],
    allowed: Sequence[Sequence[int]],
    drop: Mapping[str, int],
    routes: list[list[int]],
    deadline: float,
) -> list[list[int]] | None:
    """The routes of a plan made without breaks (job numbers into `jobs`, one list per
    technician of `techs`), each cut down until its technician can take their breaks
    (`cut_to_fit`: the cheapest priority by `drop` first, then the longest job), then every job
    not served put back where it fits with them, dearest first, at the least added travel
    (`fill`), then dearer jobs put in for cheaper ones or ones that move elsewhere
    (`exchange.upgrade`, until `deadline` by `time.perf_counter()`). `allowed[k]`: the
    technicians (indices into `techs`) job k may go to. None if a job in progress cannot stay
    first."""
    travel = problem.distances if problem.distances is not None else problem.durations
    schedules = [effective_breaks(tech) for tech in techs]

    durations = problem.durations
    resting = [sum(brk.duration for brk in schedule) for schedule in schedules]

    def fit(vehicle: int, route: Sequence[int]) -> bool:
        if any(jobs[k].fixed_to is not None for k in route[1:]):
            return False  # a job in progress stays first
        tech = techs[vehicle]
        # Quick no: more work, driving and rest than the shift holds.
        stops = [tech.start_location, *(jobs[k].location for k in route), tech.end_location]
        busy = sum(durations[a][b] for a, b in itertools.pairwise(stops))
        busy += resting[vehicle] + sum(jobs[k].duration for k in route)
        if busy > tech.shift.end - tech.shift.start:
            return False
        return fits(durations, tech, schedules[vehicle], [jobs[k] for k in route])

    def cost(k: int) -> tuple[int, int]:
        return drop[jobs[k].priority], -jobs[k].duration

    cut = []
    for vehicle, route in enumerate(routes):
        kept = cut_to_fit(
            route,
            lambda nodes, vehicle=vehicle: fit(vehicle, nodes),
            keep=lambda k: jobs[k].fixed_to is not None,
            cost=cost,
        )
        if kept is None:
            return None
        cut.append(kept)

    def room(vehicle: int, route: Sequence[int], k: int) -> bool:
        tech = techs[vehicle]
        if tech.max_jobs is not None and len(route) >= tech.max_jobs:
            return False
        load = jobs[k].demand + sum(jobs[n].demand for n in route)
        return tech.capacity is None or load <= tech.capacity

    def detour(vehicle: int, route: Sequence[int], position: int, k: int) -> int:
        tech = techs[vehicle]
        before = jobs[route[position - 1]].location if position else tech.start_location
        after = jobs[route[position]].location if position < len(route) else tech.end_location
        here = jobs[k].location
        return travel[before][here] + travel[here][after] - travel[before][after]

    served = {k for route in cut for k in route}
    waiting = sorted((k for k in range(len(jobs)) if k not in served),
                     key=lambda k: (-drop[jobs[k].priority], jobs[k].duration))  # fmt: skip
    fill(
        cut,
        waiting,
        allowed=lambda k: allowed[k],
        room=room,
        detour=detour,
        fit=fit,
    )

    def length(vehicle: int, route: Sequence[int]) -> int:
        tech = techs[vehicle]
        stops = [tech.start_location, *(jobs[k].location for k in route), tech.end_location]
        return sum(travel[a][b] for a, b in itertools.pairwise(stops))

    served = {k for route in cut for k in route}
    exchange.upgrade(
        cut,
        [k for k in waiting if k not in served],
        exchange.Day(
            allowed=lambda k: allowed[k],
            room=room,
            fit=fit,
            travel=length,
            detour=detour,
            value=lambda k: drop[jobs[k].priority],
            fixed=lambda k: jobs[k].fixed_to is not None,
        ),
        deadline,
    )
    return cut
