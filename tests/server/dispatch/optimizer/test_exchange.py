"""Putting dearer work in for cheaper work (`optimizer/exchange.py`), on routes of node numbers
with hand-made rules: who may take a job, how many jobs a day holds, what a job is worth."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence

from server.dispatch.optimizer.exchange import Day, upgrade

# Jobs 0..9 on a line at their own number; both vehicles live at 0.
URGENT, HIGH, MEDIUM, LOW = 1000, 100, 10, 1
FOREVER = time.perf_counter() + 3600


def _day(
    values: dict[int, int],
    *,
    size: int = 2,
    allowed: dict[int, Sequence[int]] | None = None,
    fixed: frozenset[int] = frozenset(),
    fit=None,
) -> Day:
    def travel(vehicle: int, route: Sequence[int]) -> int:
        stops = [0, *route, 0]
        return sum(abs(a - b) for a, b in itertools.pairwise(stops))

    def detour(vehicle: int, route: Sequence[int], position: int, job: int) -> int:
        return travel(vehicle, [*route[:position], job, *route[position:]]) - travel(vehicle, route)

    return Day(
        allowed=lambda job: (allowed or {}).get(job, (0, 1)),
        room=lambda vehicle, route, job: len(route) < size,
        fit=fit or (lambda vehicle, route: True),
        travel=travel,
        detour=detour,
        value=lambda job: values[job],
        fixed=lambda job: job in fixed,
    )


def _served_value(routes: list[list[int]], values: dict[int, int]) -> int:
    return sum(values[job] for route in routes for job in route)


def test_a_dearer_job_takes_the_place_of_a_cheaper_one_that_fits_nowhere():
    values = {1: LOW, 2: MEDIUM, 3: MEDIUM, 4: MEDIUM}
    routes = [[1, 2], [3, 4]]
    waiting = upgrade(routes, [], _day(values), FOREVER)
    assert waiting == []  # nothing waiting, nothing to do
    values[5] = HIGH
    waiting = upgrade(routes, [5], _day(values), FOREVER)
    assert waiting == [1]  # the low job waits instead
    assert sorted(job for route in routes for job in route) == [2, 3, 4, 5]


def test_a_job_moves_to_another_route_to_make_room_and_nothing_is_lost():
    # Job 5 may only go to vehicle 0, which is full; job 2 on it may also go to vehicle 1.
    values = {1: MEDIUM, 2: MEDIUM, 3: MEDIUM, 5: MEDIUM}
    allowed = {1: (0,), 5: (0,), 3: (1,)}
    routes = [[1, 2], [3]]
    waiting = upgrade(routes, [5], _day(values, allowed=allowed), FOREVER)
    assert waiting == []
    assert sorted(routes[0]) == [1, 5]
    assert sorted(routes[1]) == [2, 3]


def test_a_job_is_never_put_in_for_one_worth_as_much_or_more():
    values = {1: URGENT, 2: MEDIUM, 3: MEDIUM, 4: HIGH, 5: MEDIUM}
    routes = [[1, 2], [3, 4]]
    before = [list(route) for route in routes]
    waiting = upgrade(routes, [5], _day(values), FOREVER)
    assert waiting == [5]
    assert routes == before


def test_two_cheaper_jobs_make_room_for_one_dearer_job():
    # A day holds one long job or two short ones: 9 (high) needs the room of 1 and 2 (low).
    values = {1: LOW, 2: LOW, 9: HIGH}

    def fit(vehicle: int, route: Sequence[int]) -> bool:
        return sum(3 if job == 9 else 1 for job in route) <= 3

    routes = [[1, 2], []]
    only_first = {9: (0,), 1: (0,), 2: (0,)}
    waiting = upgrade(routes, [9], _day(values, allowed=only_first, fit=fit), FOREVER)
    assert routes[0] == [9]
    assert sorted(waiting) == [1, 2]


def test_the_job_taken_out_may_in_turn_take_the_place_of_a_cheaper_one():
    # 5 (urgent) only on vehicle 0, full of mediums; they may go to vehicle 1, full of lows.
    values = {1: MEDIUM, 2: MEDIUM, 3: LOW, 4: LOW, 5: URGENT}
    allowed = {5: (0,), 3: (1,), 4: (1,)}
    routes = [[1, 2], [3, 4]]
    waiting = upgrade(routes, [5], _day(values, allowed=allowed), FOREVER)
    assert 5 in routes[0]
    assert len(waiting) == 1
    assert values[waiting[0]] == LOW
    assert _served_value(routes, values) == URGENT + 2 * MEDIUM + LOW


def test_a_job_in_progress_stays_where_it_is():
    values = {1: LOW, 2: LOW, 5: HIGH}
    routes = [[1, 2], []]
    day = _day(values, size=2, allowed={5: (0,), 1: (0,), 2: (0,)}, fixed=frozenset({1}))
    waiting = upgrade(routes, [5], day, FOREVER)
    assert routes[0][0] == 1  # still first
    assert 5 in routes[0]
    assert waiting == [2]


def test_every_route_still_fits_after_the_moves():
    # A day fits when its jobs' numbers add up to at most 10.
    values = {n: (HIGH if n % 3 == 0 else LOW) for n in range(1, 10)}

    def fit(vehicle: int, route: Sequence[int]) -> bool:
        return sum(route) <= 10

    routes = [[1, 2, 4], [5]]
    before = _served_value(routes, values)
    waiting = upgrade(routes, [3, 6, 7, 9], _day(values, size=4, fit=fit), FOREVER)
    assert all(fit(vehicle, route) for vehicle, route in enumerate(routes))
    assert _served_value(routes, values) > before
    served = [job for route in routes for job in route]
    assert len(served) == len(set(served))
    assert sorted(served + waiting) == [1, 2, 3, 4, 5, 6, 7, 9]
    # Waiting: dearest first.
    assert [values[job] for job in waiting] == sorted(
        (values[job] for job in waiting), reverse=True
    )


def test_nothing_moves_after_the_deadline():
    values = {1: LOW, 2: LOW, 5: HIGH}
    routes = [[1, 2], []]
    waiting = upgrade(routes, [5], _day(values, allowed={5: (0,)}), time.perf_counter() - 1)
    assert routes == [[1, 2], []]
    assert waiting == [5]
