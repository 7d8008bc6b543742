"""Every reason code, produced by a case built for it; and the checks behind them."""

from __future__ import annotations

import pytest

from server.dispatch.optimizer import (
    CAPACITY,
    DROPPED_FOR_PRIORITY,
    NO_SKILLED_ENGINEER,
    OUTSIDE_ALL_SHIFTS,
    WINDOW_UNREACHABLE,
    Break,
    Job,
    Problem,
    Window,
    solve,
)
from server.dispatch.optimizer.reasons import assess, earliest_alone_start

from .builders import DAY, HOUR, MINUTE, QUICK, job, plane, tech
from .checks import check_plan

POINTS = plane((0, 0), (30, 0), (0, 5))  # the job site is 30 minutes from the depot


def reasons(*jobs: Job, **tech_kwargs: object) -> dict[str, str]:
    problem = Problem((tech("t", 0, **tech_kwargs),), jobs, POINTS)
    plan = solve(problem, QUICK)
    check_plan(problem, plan)
    return {u.job_id: u.reason for u in plan.unassigned}


@pytest.mark.parametrize(
    ("needs", "tech_kwargs"),
    [
        ({"skills": (("hvac", 3),)}, {"skills": (("hvac", 2),)}),
        ({"skills": (("elevator", 1),)}, {}),
        ({"pinned_to": "someone-off-today"}, {}),
        ({"territory": "north"}, {"territories": frozenset({"south"})}),
    ],
)
def test_no_skilled_engineer(needs: dict[str, object], tech_kwargs: dict[str, object]):
    problem = Problem(
        (tech("t", 0, **tech_kwargs),),
        (job("j", 1, **needs),),
        POINTS,
        strict_territories=frozenset({"north"}),
    )
    plan = solve(problem, QUICK)
    assert [(u.job_id, u.reason) for u in plan.unassigned] == [("j", NO_SKILLED_ENGINEER)]


def test_outside_all_shifts_when_the_job_does_not_fit_a_day():
    assert reasons(job("marathon", 1, minutes=9 * 60 + 30)) == {"marathon": OUTSIDE_ALL_SHIFTS}


def test_outside_all_shifts_when_the_appointment_is_on_a_day_nobody_works():
    tomorrow = Window(33 * HOUR, 35 * HOUR)
    assert reasons(job("tomorrow", 1, window=tomorrow)) == {"tomorrow": OUTSIDE_ALL_SHIFTS}


def test_outside_all_shifts_when_the_lunch_break_leaves_no_room():
    # 9 hours of work plus an hour of driving fit 08:00-18:00, but not with a 45-minute lunch
    # that must start between 12:00 and 13:00 and cannot fall during the job.
    lunch = Break(Window(12 * HOUR, 13 * HOUR), 45 * MINUTE)
    long_job = job("long", 1, minutes=9 * 60)
    assert reasons(long_job) == {}
    assert reasons(long_job, breaks=(lunch,)) == {"long": OUTSIDE_ALL_SHIFTS}


def test_window_unreachable_when_the_drive_is_longer_than_the_window_allows():
    early = job("early", 1, window=Window(8 * HOUR, 8 * HOUR + 15 * MINUTE))
    assert reasons(early) == {"early": WINDOW_UNREACHABLE}


def test_window_unreachable_when_there_is_no_time_to_get_home_after():
    late = job("late", 1, minutes=60, window=Window(17 * HOUR, 18 * HOUR))
    assert reasons(late) == {"late": WINDOW_UNREACHABLE}


def test_capacity_when_no_van_can_carry_it():
    assert reasons(job("boiler", 1, demand=10), capacity=5) == {"boiler": CAPACITY}


def test_capacity_when_the_only_engineer_takes_no_jobs():
    assert reasons(job("j", 1), max_jobs=0) == {"j": CAPACITY}


def test_capacity_reported_only_when_no_technician_has_room():
    problem = Problem(
        (tech("small", 0, capacity=5), tech("big", 0, capacity=50)),
        (job("boiler", 1, demand=10),),
        POINTS,
    )
    plan = solve(problem, QUICK)
    assert plan.unassigned == ()


def test_dropped_for_priority_when_feasible_alone_but_crowded_out():
    half_days = (
        job("low", 1, minutes=5 * 60, priority="low"),
        job("high", 2, minutes=5 * 60, priority="high"),
    )
    assert reasons(*half_days) == {"low": DROPPED_FOR_PRIORITY}


def test_the_best_technician_decides_the_reason():
    """One technician lacks room, the other cannot reach the window: the window is the reason,
    because with enough room it would still be the obstacle."""
    problem = Problem(
        (tech("van", 0, capacity=1), tech("truck", 0, capacity=50)),
        (job("j", 1, demand=10, window=Window(8 * HOUR, 8 * HOUR + 10 * MINUTE)),),
        POINTS,
    )
    assert assess(problem, problem.jobs[0]).reason == WINDOW_UNREACHABLE


def test_earliest_alone_start_waits_for_the_window_and_drives_around_the_break():
    lunch = Break(Window(8 * HOUR + 10 * MINUTE, 8 * HOUR + 10 * MINUTE), 30 * MINUTE)
    t = tech("t", 0, breaks=(lunch,))
    site = job("j", 1)
    # 30 minutes of driving with a 30-minute break after 10 of them.
    assert earliest_alone_start(t, site, POINTS, None) == 9 * HOUR
    assert earliest_alone_start(t, site, POINTS, Window(10 * HOUR, 11 * HOUR)) == 10 * HOUR
    assert earliest_alone_start(t, site, POINTS, Window(8 * HOUR, 8 * HOUR + 59 * 60)) is None


def test_a_break_outside_the_shift_does_not_apply():
    late_lunch = Break(Window(19 * HOUR, 20 * HOUR), 45 * MINUTE)
    t = tech("t", 0, shift=DAY, breaks=(late_lunch,))
    problem = Problem((t,), (job("j", 1),), POINTS)
    plan = solve(problem, QUICK)
    check_plan(problem, plan)
    (route,) = plan.routes
    assert route.breaks == ()
