"""Putting dearer work in by taking cheaper work out: the last step of the repair between the
two stages of a solve (see `solver.py`, "Two stages", and `breaks.repair`).

After the routes of the plan made without breaks are cut until their breaks fit and refilled
(`breaks.fill`), the jobs still waiting are those that fit nowhere as the routes stand. Often
one of them would fit in place of a job already there: a medium job instead of a low one, or
instead of a job that fits on another technician's day. OR-Tools' local search rarely finds
that move with breaks in the model (it is two moves, and the first one alone costs a drop
penalty), so it is done here, greedily, before that search starts:

- for each waiting job, dearest first, and each technician it may go to, each job on that
  route is taken out in turn and the waiting job put in at the least added travel where the
  route still fits;
- the job taken out goes where it fits on another route, at the least added travel; if it fits
  nowhere it waits instead, which is allowed only when it is the cheaper of the two;
- of those moves, the one that adds the most value wins (a job moved elsewhere loses nothing),
  then the one that adds the least travel.

Every move strictly raises the value served (a sum of integers, bounded), so the loop ends; a
deadline bounds it in time as well. Like `breaks.fill`, the functions here only see node numbers
and callables, so they are tested without a routing model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

Route = list[int]


@dataclass(frozen=True)
class _Move:
    gain: int  # value added to the plan
    travel: int  # travel added to the plan
    changes: tuple[tuple[int, Route], ...]  # (vehicle, its new route)
    out: tuple[int, ...]  # the jobs taken out that wait now

    def beats(self, other: _Move | None) -> bool:
        return other is None or (self.gain, -self.travel) > (other.gain, -other.travel)


@dataclass(frozen=True)
class Day:
    """What a move needs to know about the routes: which vehicles a job may go to, whether a
    route has room for one more job (max jobs, capacity), whether it fits (shift, windows,
    breaks), its travel and what a job adds to it, a job's value (what leaving it out costs),
    and whether it must stay where it is (a job in progress, first on its route)."""

    allowed: Callable[[int], Sequence[int]]
    room: Callable[[int, Sequence[int], int], bool]
    fit: Callable[[int, Sequence[int]], bool]
    travel: Callable[[int, Sequence[int]], int]
    # The travel added by putting a job in a route at a position: (vehicle, route, position, job).
    detour: Callable[[int, Sequence[int], int, int], int]
    value: Callable[[int], int]
    fixed: Callable[[int], bool]


def upgrade(routes: list[Route], waiting: list[int], day: Day, deadline: float) -> list[int]:
    """Raise the value served by `routes` (by vehicle, changed in place) by putting jobs of
    `waiting` in, each in place of jobs that move to another route or are cheaper (see the
    module docstring). Stops when no move adds value or at `deadline` (`time.perf_counter()`).
    Returns the jobs still waiting, dearest first."""
    waiting = sorted(waiting, key=lambda k: -day.value(k))
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        # Where a job taken out could go instead: valid until a move changes the routes.
        elsewhere: dict[tuple[int, int], _Move | None] = {}
        for job in list(waiting):
            if time.perf_counter() >= deadline:
                break
            move = _best_move(routes, job, day, elsewhere)
            if move is None:
                continue
            for vehicle, route in move.changes:
                routes[vehicle] = route
            waiting.remove(job)
            waiting.extend(move.out)
            waiting.sort(key=lambda k: -day.value(k))
            elsewhere.clear()
            improved = True
    return waiting


def _best_move(
    routes: list[Route], job: int, day: Day, elsewhere: dict[tuple[int, int], _Move | None]
) -> _Move | None:
    """The best way to put `job` in by taking one job out of a route it may go to (which
    goes elsewhere, maybe in place of a cheaper one there, or waits), or two cheaper ones."""
    best: _Move | None = None
    value = day.value(job)
    for vehicle in day.allowed(job):
        route = routes[vehicle]
        before = day.travel(vehicle, route)
        new = _cheapest_fit(day, vehicle, route, job) if day.room(vehicle, route, job) else None
        if new is not None:
            move = _Move(value, day.travel(vehicle, new) - before, ((vehicle, new),), ())
            if move.beats(best):
                best = move
        for out, new in _in_place_of(day, vehicle, route, job, lambda out: False):
            here = _Move(value, day.travel(vehicle, new) - before, ((vehicle, new),), ())
            if not here.beats(best):
                continue  # even the best case of this move cannot win
            key = (out, value)
            if key not in elsewhere:
                elsewhere[key] = _place_elsewhere(routes, out, vehicle, value, day)
            there = elsewhere[key]
            if there is not None:
                move = _Move(
                    there.gain,
                    here.travel + there.travel,
                    here.changes + there.changes,
                    there.out,
                )
            elif day.value(out) < value:
                move = replace(here, gain=value - day.value(out), out=(out,))
            else:
                continue
            if move.beats(best):
                best = move
        best = _two_out(routes, job, vehicle, day, best)
    return best


def _two_out(
    routes: list[Route], job: int, vehicle: int, day: Day, best: _Move | None
) -> _Move | None:
    """`best`, or a better move putting `job` in `vehicle`'s route in place of two cheaper
    jobs that wait."""
    value = day.value(job)
    route = routes[vehicle]
    cheap = [i for i, k in enumerate(route) if not day.fixed(k) and day.value(k) < value]
    before = day.travel(vehicle, route)
    for a, i in enumerate(cheap):
        for j in cheap[a + 1 :]:
            gain = value - day.value(route[i]) - day.value(route[j])
            if gain <= 0 or (best is not None and (gain, 0) <= (best.gain, -best.travel)):
                continue
            rest = [k for n, k in enumerate(route) if n not in (i, j)]
            if not day.room(vehicle, rest, job):
                continue
            new = _cheapest_fit(day, vehicle, rest, job)
            if new is None:
                continue
            move = _Move(
                gain, day.travel(vehicle, new) - before, ((vehicle, new),), (route[i], route[j])
            )
            if move.beats(best):
                best = move
    return best


def _cheapest_fit(day: Day, vehicle: int, route: Sequence[int], job: int) -> Route | None:
    """`route` with `job` inserted where it adds the least travel and the route still fits."""
    first = 1 if route and day.fixed(route[0]) else 0
    for _, position in sorted(
        (day.detour(vehicle, route, position, job), position)
        for position in range(first, len(route) + 1)
    ):
        tried = [*route[:position], job, *route[position:]]
        if day.fit(vehicle, tried):
            return tried
    return None


def _place_elsewhere(
    routes: list[Route], job: int, home: int, worth: int, day: Day
) -> _Move | None:
    """The best way to put `job`, taken out of `home`'s route for a job worth `worth`, on
    another route: as a move whose gain is `worth` when it just goes in, or `worth` less
    the value of a cheaper job it takes the place of (which waits)."""
    best: _Move | None = None
    for vehicle in day.allowed(job):
        if vehicle == home:
            continue
        route = routes[vehicle]
        before = day.travel(vehicle, route)
        if day.room(vehicle, route, job):
            new = _cheapest_fit(day, vehicle, route, job)
            if new is not None:
                move = _Move(worth, day.travel(vehicle, new) - before, ((vehicle, new),), ())
                if move.beats(best):
                    best = move
        if best is not None and best.gain == worth:
            continue  # no swap can beat a plain move

        def hopeless(out: int) -> bool:
            # Reads the best move so far when asked, on purpose: it prunes as the best improves.
            gain = worth - day.value(out)
            return gain <= 0 or (best is not None and gain < best.gain)  # noqa: B023

        for out, new in _in_place_of(day, vehicle, route, job, hopeless):
            gain = worth - day.value(out)
            move = _Move(gain, day.travel(vehicle, new) - before, ((vehicle, new),), (out,))
            if move.beats(best):
                best = move
    return best


def _in_place_of(
    day: Day, vehicle: int, route: Route, job: int, skip: Callable[[int], bool]
) -> Iterator[tuple[int, Route]]:
    """Each job of `route` (neither in progress nor `skip`ped, asked as it comes) whose place
    `job` can take, with the route that makes: `job` where it adds the least travel."""
    for i, out in enumerate(route):
        if day.fixed(out) or skip(out):
            continue
        rest = route[:i] + route[i + 1 :]
        if not day.room(vehicle, rest, job):
            continue
        new = _cheapest_fit(day, vehicle, rest, job)
        if new is not None:
            yield out, new
