"""Fitting lunch breaks into routes planned without them (`optimizer/breaks.py`): the check of
one route, the cut that makes a route fit, and the greedy refill."""

from __future__ import annotations

from server.dispatch.optimizer import Window
from server.dispatch.optimizer.breaks import cut_to_fit, fill, fits
from server.dispatch.optimizer.reasons import EffectiveBreak

from .builders import HOUR, MINUTE, job, plane, tech

# Points on a line, one minute of driving apart: 0 is home.
LINE = plane(*((float(x), 0.0) for x in range(0, 121)))
LUNCH = EffectiveBreak(12 * HOUR, 12 * HOUR + 30 * MINUTE, 45 * MINUTE)
T = tech("t", 0)


def test_a_day_with_room_takes_the_break_between_jobs():
    jobs = [job("a", 1, minutes=120), job("b", 2, minutes=120), job("c", 3, minutes=120)]
    # 08:01-10:01, 10:02-12:02, lunch 12:02-12:47, 12:48-14:48, home by 14:51.
    assert fits(LINE, T, [LUNCH], jobs)


def test_the_break_is_taken_before_a_long_drive_never_during_it():
    # Done at 11:30, a drive of an hour and a half ahead, lunch from 12:00: the check waits for
    # lunch and drives after it, arriving at 14:15 (the routing model could also break up the
    # drive and arrive at 13:45; OR-Tools could not start its search from such routes).
    first = job("a", 1, minutes=209)
    by_1415 = job("far", 91, minutes=30, window=Window(0, 14 * HOUR + 15 * MINUTE))
    assert fits(LINE, T, [LUNCH], [first, by_1415])
    by_1345 = job("far", 91, minutes=30, window=Window(0, 13 * HOUR + 45 * MINUTE))
    assert not fits(LINE, T, [LUNCH], [first, by_1345])


def test_the_break_is_taken_while_waiting_for_an_appointment():
    jobs = [job("a", 1, minutes=30), job("after-lunch", 2, window=Window(13 * HOUR, 13 * HOUR))]
    assert fits(LINE, T, [LUNCH], jobs)


def test_a_job_that_spans_the_whole_break_window_leaves_no_room():
    # 11:31-12:51: the break would have to start by 12:30, in the middle of the job.
    slot = Window(11 * HOUR + 31 * MINUTE, 11 * HOUR + 31 * MINUTE)
    assert not fits(LINE, T, [LUNCH], [job("a", 1, minutes=80, window=slot)])
    assert fits(LINE, T, [LUNCH], [job("a", 1, minutes=20, window=slot)])


def test_the_break_waits_for_a_job_whose_window_would_be_missed():
    # Taking lunch at 12:00 would miss the 12:05-12:10 slot; lunch after it (12:25) still fits.
    slot = Window(12 * HOUR + 5 * MINUTE, 12 * HOUR + 10 * MINUTE)
    jobs = [job("a", 1, minutes=239), job("slot", 2, minutes=20, window=slot)]  # a: 08:01-12:00
    assert fits(LINE, T, [LUNCH], jobs)
    # A longer slot job would end after 12:30, the latest start of lunch: no way to fit both.
    assert not fits(LINE, T, [LUNCH], [jobs[0], job("slot", 2, minutes=40, window=slot)])


def test_the_day_must_end_by_the_end_of_the_shift_with_the_break():
    # 570 minutes of work from 08:01: home by 17:32 without lunch, 18:17 with it.
    jobs = [job("a", 1, minutes=570)]
    assert fits(LINE, T, [], jobs)
    assert not fits(LINE, T, [EffectiveBreak(9 * HOUR, 17 * HOUR, 45 * MINUTE)], jobs)


def test_a_break_after_the_last_job_is_taken_on_the_way_home_or_after():
    assert fits(LINE, T, [LUNCH], [job("early", 1, minutes=60)])


def test_two_breaks_in_one_day():
    morning = EffectiveBreak(10 * HOUR, 10 * HOUR, 15 * MINUTE)
    jobs = [job("a", 1, minutes=119), job("b", 2, minutes=119), job("c", 3, minutes=60)]
    assert fits(LINE, T, [morning, LUNCH], jobs)
    squeezed = [job("a", 1, minutes=150), *jobs[1:]]  # 08:01-10:31: the 10:00 break is lost
    assert not fits(LINE, T, [morning, LUNCH], squeezed)


PRICE = {"urgent": 1000, "medium": 10, "low": 1}


def _priced(nodes: dict[int, str]):
    return lambda node: (PRICE[nodes[node]], 0)


def test_the_cut_leaves_out_the_cheapest_job_that_makes_the_route_fit():
    priorities = {1: "urgent", 2: "medium", 3: "low", 4: "low"}
    # Any three fit.
    kept = cut_to_fit([1, 2, 3, 4], lambda r: len(r) <= 3, lambda n: False, _priced(priorities))
    assert kept == [1, 2, 4]  # a low job out (the first of the two equally cheap ones)


def test_the_cut_never_takes_a_dearer_class_while_a_cheaper_one_is_left():
    priorities = {1: "urgent", 2: "low", 3: "low"}
    # Only removing the urgent job alone would fit; the two lows go first instead.
    fit = lambda r: 1 not in r or len(r) == 1  # noqa: E731
    assert cut_to_fit([1, 2, 3], fit, lambda n: False, _priced(priorities)) == [1]


def test_the_cut_keeps_the_job_in_progress_or_gives_up():
    priorities = {1: "low", 2: "urgent"}
    assert cut_to_fit([1, 2], lambda r: len(r) <= 1, lambda n: n == 1, _priced(priorities)) == [1]
    assert cut_to_fit([1], lambda r: False, lambda n: n == 1, _priced(priorities)) is None


def test_a_route_that_fits_is_not_cut():
    assert cut_to_fit([3, 1, 2], lambda r: True, lambda n: False, lambda n: (0, 0)) == [3, 1, 2]


def test_fill_puts_each_job_at_the_least_detour_where_it_fits():
    # Two vehicles at 0 and 100 on a line; jobs at 10, 20 and 90.
    location = {0: 10, 1: 20, 2: 90}
    homes = {0: 0, 1: 100}

    def detour(vehicle, route, position, node):
        stops = [homes[vehicle], *(location[n] for n in route), homes[vehicle]]
        a, b, here = stops[position], stops[position + 1], location[node]
        return abs(a - here) + abs(here - b) - abs(a - b)

    routes = [[0], []]
    fill(
        routes,
        [2, 1],
        allowed=lambda node: (0, 1),
        room=lambda vehicle, route, node: len(route) < 2,
        detour=detour,
        fit=lambda vehicle, route: True,
    )
    # The far job goes to the vehicle beside it, the near one joins the first vehicle's job.
    assert sorted(routes[0]) == [0, 1]
    assert routes[1] == [2]


def test_fill_skips_what_fits_nowhere_and_respects_who_may_take_it():
    routes = [[], []]
    fill(
        routes,
        [0, 1, 2],
        allowed=lambda node: (1,) if node == 1 else (0, 1),
        room=lambda vehicle, route, node: True,
        detour=lambda vehicle, route, position, node: vehicle,
        fit=lambda vehicle, route: 2 not in route,
    )
    assert routes == [[0], [1]]


def test_a_break_is_not_waited_for_at_the_last_job_before_the_drive_home():
    # Done at 11:30, 90 minutes from home, lunch from 12:00: the technician would wait for it
    # at the job, or break up the drive home. The routing model allows both, but OR-Tools
    # could not read such a day as a starting point: not one for the second search to start
    # from.
    eleven = Window(11 * HOUR, 11 * HOUR)
    assert not fits(LINE, T, [LUNCH], [job("far", 90, minutes=30, window=eleven)])
    # Home by 12:00 and lunch there; or lunch at once after the last job, no waiting.
    assert fits(LINE, T, [LUNCH], [job("near", 30, minutes=30, window=eleven)])
    noon = Window(11 * HOUR + 30 * MINUTE, 11 * HOUR + 30 * MINUTE)
    assert fits(LINE, T, [LUNCH], [job("far", 90, minutes=30, window=noon)])
