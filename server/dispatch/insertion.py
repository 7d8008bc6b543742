"""Instant suggestion for one new job: the cheapest feasible insertion into each route. Pure.

The optimizer re-plans a whole day in seconds; a dispatcher taking a phone call wants "who can
go, and when" in milliseconds. `suggest` tries the new job at every position of every eligible
technician's current route, keeps each technician's best position, and ranks technicians.

Model (the optimizer's, `server.dispatch.optimizer.model`): integer seconds from the problem's
origin, locations as indices into `durations` (and `distances`, metres). Arriving early means
waiting for the window to open; service must *start* inside a window; the technician must be
back at `end_location` by the shift's end.

The current route is re-timed, not read from `PlannedStop.start`: plans go stale (a job ran
over, a technician is ahead), so the baseline is recomputed from where the technician is
(`position`, else `start_location`) at `max(available_from, now, shift.start)`, each stop
starting as early as its window allows. `PlannedStop.start` is carried for the caller only.

Breaks are fixed-duration pseudo-stops: each pending break of `technician.breaks` (the caller
leaves out those already taken; those whose window closed before the route starts are dropped)
is placed in the baseline between the stops where the technician first is free inside its
window, or, if doing the next stop first would miss the window, before that stop (waiting for
the window to open if need be). It is taken where the technician is, so it adds no travel and
travel across it is from the stop before to the stop after. A new job may go before or after
a break, but a break never moves to a different place among the existing stops; a suggestion
that only a moved break would allow is missed (the full optimizer finds it).

Feasibility in O(1) per position (Savelsbergh's forward time slack): a backward pass gives
each element the latest start `latest[i]` that keeps every later window and the return by
shift end. Inserting the job before element q delays q's start by some delta; the insertion
is feasible iff q's new start <= latest[q] (breaks right after the job are stepped over one
by one, since the job becomes the place they are taken at). Delays shrink by each later
element's waiting time, which gives `pushes` (the sum of the delays of later stops) in a
short forward scan that stops when the delay is absorbed.

A route that is already infeasible (a stale plan) is not made worse rather than written off:
a stop already past its window end may not be delayed further, and a route already ending
after the shift may not end later.

Eligibility, as the optimizer: skill levels, `pinned_to` (engineer), `fixed_to` (vehicle),
strict territories (a job in one goes only to that territory's technicians; elsewhere a
technician with territories that do not include the job's pays `Weights.territory_penalty`,
one with none pays nothing, as in the solver), `max_jobs` (the route's remaining
stops + 1; the caller subtracts jobs already done today), a job's demand against the
technician's capacity (the route's own load is not known here).

Ranking: cost = added travel x `Weights.travel` (metres when `distances` are given, else
seconds) + lateness against `job.due` x the priority's `Weights.lateness` + `push_weight` x
`pushes` (0.1: a tie-breaker, worth a tenth of travel) + the territory penalty. Per
technician the cheapest position wins (then the earliest start), and technicians are sorted
by cost, then id, so equal costs come out in a stable order.

Speed (DESIGN §12: p95 <= 50 ms for 200 engineers): `python -m bench.dispatch.insertion`,
200 engineers x 8 stops with windows and a lunch break, p95 13 ms when every engineer is
eligible and 7.5 ms for jobs needing a skill (2-core machine, shared). Most of it is re-timing
each route (the baseline and the latest starts), linear in its length; the insertion loop is
O(1) per position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from server.dispatch.optimizer.model import Break, Job, Technician, Weights, Window

Matrix = Sequence[Sequence[int]]
# A baseline element: (location, earliest start, service, upper bound for the start, arrival,
# start, job id or None for a break, window).
_Element = tuple[int, int, int, int, int, int, str | None, Window | None]
# (cost, start, slot, position, eta, added travel, added distance, lateness, pushes)
_Candidate = tuple[int, int, int, int, int, int, int | None, int, int]

_INF = 1 << 62
_NEG_INF = -_INF
DEFAULT_PUSH_WEIGHT = 0.1


@dataclass(frozen=True)
class PlannedStop:
    job_id: str
    location: int
    # The start the current plan shows (informational; the route is re-timed).
    start: int
    duration: int
    window: Window | None = None


@dataclass(frozen=True)
class CurrentRoute:
    technician: Technician
    stops: tuple[PlannedStop, ...]
    # When the technician can leave: now, or the end of the job in progress.
    available_from: int
    # Current location index if different from start_location (e.g. the job in progress).
    position: int | None = None


@dataclass(frozen=True)
class Suggestion:
    technician_id: str
    # Index in `route.stops` before which the job goes (len(stops): after the last one).
    position: int
    # Arrival at the job; service starts at `start` (later when waiting for its window).
    eta: int
    start: int
    # Seconds of travel the insertion adds (can be negative if the matrix is not metric).
    added_travel: int
    # Metres likewise, when distances were given.
    added_distance: int | None
    # Seconds after job.due that service starts (0 when on time or no due).
    lateness: int
    # Total seconds by which later stops start later.
    pushes: int
    # The ranking cost (see the module docstring).
    cost: int


@dataclass(frozen=True)
class Timed:
    """One element of a route's re-timed baseline: a stop, or a break (`job_id` None)."""

    job_id: str | None
    # Where the technician is; a break is taken where the previous element left them.
    location: int
    arrival: int
    start: int
    departure: int
    # The stop's appointment window or the break's window.
    window: Window | None = None


def _add_break(
    add: Callable[[_Element], None],
    here: int,
    t: int,
    brk: Break,
) -> int:
    """A break taken where the technician is, as soon as its window allows; returns its end."""
    window = brk.window
    begin = t if t > window.start else window.start
    upper = window.end if window.end > begin else begin
    add((here, window.start, brk.duration, upper, t, begin, None, window))
    return begin + brk.duration


class _Timeline:
    """A route's baseline as parallel sequences (fast to index in the hot loop).

    Built once per route and request; this, not the insertion loop, is most of `suggest`'s
    time, hence the inlined arithmetic.
    """

    __slots__ = (
        "arrival",
        "earliest",
        "end_location",
        "end_upper",
        "job_ids",
        "latest",
        "loc",
        "origin",
        "service",
        "start",
        "t0",
        "upper",
        "windows",
    )
    loc: tuple[int, ...]
    earliest: tuple[int, ...]
    service: tuple[int, ...]
    upper: tuple[int, ...]
    arrival: tuple[int, ...]
    start: tuple[int, ...]
    job_ids: tuple[str | None, ...]
    windows: tuple[Window | None, ...]

    def __init__(self, route: CurrentRoute, durations: Matrix, now: int) -> None:
        tech = route.technician
        origin = tech.start_location if route.position is None else route.position
        t0 = max(route.available_from, now, tech.shift.start)
        self.origin, self.t0, self.end_location = origin, t0, tech.end_location

        elements: list[_Element] = []
        add = elements.append
        pending = [
            b for b in tech.breaks if b.window.end >= t0 and b.window.start <= tech.shift.end
        ]
        if len(pending) > 1:
            pending.sort(key=lambda b: (b.window.start, b.window.end))
        t, here = t0, origin
        for stop in route.stops:
            travel = durations[here][stop.location]
            window = stop.window
            while pending:
                brk = pending[0]
                if t < brk.window.start:
                    arrival = t + travel
                    begin = arrival if window is None or arrival > window.start else window.start
                    if begin + stop.duration <= brk.window.end:
                        break  # the stop fits first; the break can come after it
                del pending[0]
                t = _add_break(add, here, t, brk)
            arrival = t + travel
            if window is None:
                add(
                    (
                        stop.location,
                        _NEG_INF,
                        stop.duration,
                        _INF,
                        arrival,
                        arrival,
                        stop.job_id,
                        None,
                    )
                )
                t = arrival + stop.duration
            else:
                begin = arrival if arrival > window.start else window.start
                # Not past the window's end, or not later than now if already past it (a
                # stale route is not made worse).
                upper = window.end if window.end > begin else begin
                add(
                    (
                        stop.location,
                        window.start,
                        stop.duration,
                        upper,
                        arrival,
                        begin,
                        stop.job_id,
                        window,
                    )
                )
                t = begin + stop.duration
            here = stop.location
        for brk in pending:
            t = _add_break(add, here, t, brk)
        end_arrival = t + durations[here][self.end_location]
        self.end_upper = max(tech.shift.end, end_arrival)
        # Transposed into one tuple per column (zip(*) runs in C).
        columns: list[tuple[Any, ...]] = list(zip(*elements, strict=True)) if elements else [()] * 8
        (
            self.loc,
            self.earliest,
            self.service,
            self.upper,
            self.arrival,
            self.start,
            self.job_ids,
            self.windows,
        ) = columns

        # latest[i]: the latest start of element i that keeps every later element within its
        # upper bound and the return within end_upper (waiting absorbs earlier arrivals).
        n = len(elements)
        latest = [0] * n
        next_latest, next_loc, next_is_real = self.end_upper, self.end_location, True
        locs, uppers, services, job_ids = self.loc, self.upper, self.service, self.job_ids
        for i in range(n - 1, -1, -1):
            here = locs[i]
            bound = next_latest - services[i] - (durations[here][next_loc] if next_is_real else 0)
            next_latest = uppers[i] if uppers[i] < bound else bound
            latest[i] = next_latest
            next_loc, next_is_real = here, job_ids[i] is not None
        self.latest = latest

    def candidates(
        self,
        job: Job,
        durations: Matrix,
        distances: Matrix | None,
        *,
        lateness_weight: int,
        travel_weight: int,
        push_weight: float,
        extra_cost: int,
    ) -> Iterator[_Candidate]:
        """Every feasible slot (slot k: before element k; the last: before the trip home)."""
        n = len(self.loc)
        jl, jd, due = job.location, job.duration, job.due
        j_earliest = job.window.start if job.window else _NEG_INF
        j_latest = job.window.end if job.window else _INF
        from_job = durations[jl]
        loc, earliest, upper, latest = self.loc, self.earliest, self.upper, self.latest
        start, arrival, service, job_ids = self.start, self.arrival, self.service, self.job_ids
        prev_loc, prev_dep = self.origin, self.t0
        stops_before = 0
        for p in range(n + 1):
            if p:
                prev_loc, prev_dep = loc[p - 1], start[p - 1] + service[p - 1]
                if job_ids[p - 1] is not None:
                    stops_before += 1
            if prev_dep > j_latest:
                break  # departures only grow along the route
            to_job = durations[prev_loc][jl]
            eta = prev_dep + to_job
            begin = eta if eta > j_earliest else j_earliest
            if begin > j_latest:
                continue
            t = begin + jd
            q = p
            # Breaks right after the job are now taken at the job's location, so they are
            # stepped over one by one; from the first stop on, the suffix is unchanged.
            while q < n and job_ids[q] is None:
                b = t if t > earliest[q] else earliest[q]
                if b > upper[q]:
                    break
                t = b + service[q]
                q += 1
            if q < n and job_ids[q] is None:
                continue  # a break would start too late
            pushes = 0
            if q < n:
                next_loc = loc[q]
                arrive = t + from_job[next_loc]
                new_start = arrive if arrive > earliest[q] else earliest[q]
                if new_start > latest[q]:
                    continue
                delay = new_start - start[q]
                if delay > 0:
                    # Each later element absorbs as much of the delay as it was waiting.
                    pushes = delay
                    for r in range(q + 1, n):
                        delay -= start[r] - arrival[r]
                        if delay <= 0:
                            break
                        if job_ids[r] is not None:
                            pushes += delay
            else:
                next_loc = self.end_location
                if t + from_job[next_loc] > self.end_upper:
                    continue
            added = to_job + from_job[next_loc] - durations[prev_loc][next_loc]
            added_distance = None
            travel_cost = added
            if distances is not None:
                added_distance = (
                    distances[prev_loc][jl]
                    + distances[jl][next_loc]
                    - distances[prev_loc][next_loc]
                )
                travel_cost = added_distance
            lateness = begin - due if due is not None and begin > due else 0
            cost = (
                travel_cost * travel_weight
                + lateness * lateness_weight
                + round(pushes * push_weight)
                + extra_cost
            )
            yield (cost, begin, p, stops_before, eta, added, added_distance, lateness, pushes)

    def timed(self) -> tuple[Timed, ...]:
        return tuple(
            Timed(job_id, loc, arrival, start, start + service, window)
            for job_id, loc, arrival, start, service, window in zip(
                self.job_ids,
                self.loc,
                self.arrival,
                self.start,
                self.service,
                self.windows,
                strict=True,
            )
        )


def _suggestion(technician_id: str, candidate: _Candidate) -> Suggestion:
    cost, begin, _, position, eta, added, added_distance, lateness, pushes = candidate
    return Suggestion(
        technician_id=technician_id,
        position=position,
        eta=eta,
        start=begin,
        added_travel=added,
        added_distance=added_distance,
        lateness=lateness,
        pushes=pushes,
        cost=cost,
    )


def eligible(
    job: Job, technician: Technician, *, strict_territories: frozenset[str] = frozenset()
) -> bool:
    """Skills, pin, fixed vehicle, strict territory and capacity; not route length or time."""
    if job.pinned_to is not None and job.pinned_to != technician.engineer:
        return False
    if job.fixed_to is not None and job.fixed_to != technician.id:
        return False
    if job.skills:
        levels = dict(technician.skills)
        if any(levels.get(code, 0) < level for code, level in job.skills):
            return False
    if (
        job.territory is not None
        and job.territory in strict_territories
        and job.territory not in technician.territories
    ):
        return False
    return technician.capacity is None or job.demand <= technician.capacity


def timeline(route: CurrentRoute, durations: Matrix, *, now: int) -> tuple[Timed, ...]:
    """The route re-timed from now, breaks placed: the baseline insertions are judged against."""
    return _Timeline(route, durations, now).timed()


def insertions(
    job: Job,
    route: CurrentRoute,
    durations: Matrix,
    distances: Matrix | None = None,
    *,
    now: int,
    weights: Weights | None = None,
    push_weight: float = DEFAULT_PUSH_WEIGHT,
) -> tuple[Suggestion | None, ...]:
    """Every slot of `timeline(route)` (before element k; the last slot is before the trip
    home), with its suggestion or None when infeasible. Timing only: eligibility is not
    checked, and no territory penalty is added."""
    weights = weights or Weights()
    line = _Timeline(route, durations, now)
    found: list[Suggestion | None] = [None] * (len(line.loc) + 1)
    for candidate in line.candidates(
        job,
        durations,
        distances,
        lateness_weight=dict(weights.lateness).get(job.priority, 1),
        travel_weight=weights.travel,
        push_weight=push_weight,
        extra_cost=0,
    ):
        found[candidate[2]] = _suggestion(route.technician.id, candidate)
    return tuple(found)


def suggest(
    job: Job,
    routes: Sequence[CurrentRoute],
    durations: Matrix,
    distances: Matrix | None = None,
    *,
    now: int,
    limit: int = 5,
    strict_territories: frozenset[str] = frozenset(),
    weights: Weights | None = None,
    push_weight: float = DEFAULT_PUSH_WEIGHT,
) -> list[Suggestion]:
    """The best position per eligible technician, the cheapest `limit` technicians first."""
    if limit < 0:
        raise ValueError("limit must be >= 0")
    weights = weights or Weights()
    lateness_weight = dict(weights.lateness).get(job.priority, 1)
    best: list[Suggestion] = []
    for route in routes:
        tech = route.technician
        if tech.max_jobs is not None and len(route.stops) + 1 > tech.max_jobs:
            continue
        if not eligible(job, tech, strict_territories=strict_territories):
            continue
        if max(route.available_from, now, tech.shift.start) > tech.shift.end:
            continue  # off shift already
        # As the solver: only a technician with territories of their own crosses one.
        crosses = (
            job.territory is not None
            and bool(tech.territories)
            and job.territory not in tech.territories
        )
        line = _Timeline(route, durations, now)
        # Cheapest, then earliest start (then earliest slot, as tuples compare).
        chosen = min(
            line.candidates(
                job,
                durations,
                distances,
                lateness_weight=lateness_weight,
                travel_weight=weights.travel,
                push_weight=push_weight,
                extra_cost=weights.territory_penalty if crosses else 0,
            ),
            default=None,
        )
        if chosen is not None:
            best.append(_suggestion(tech.id, chosen))
    best.sort(key=lambda s: (s.cost, s.technician_id))
    return best[:limit]
