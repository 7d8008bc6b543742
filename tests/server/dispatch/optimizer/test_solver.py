"""Hand-built dispatch days whose best plan is known: orders, clusters, windows, breaks, skills,
pins, fixed jobs, territories, capacity, priorities and SLA due times."""

from __future__ import annotations

import multiprocessing
import random
import time
from dataclasses import replace

from server.dispatch.optimizer import (
    DROPPED_FOR_PRIORITY,
    Break,
    Plan,
    Problem,
    Route,
    SolveParams,
    Weights,
    Window,
    solve,
    solver,
)

from .builders import HOUR, MINUTE, QUICK, job, plane, tech
from .checks import check_plan


def solved(problem: Problem, params: SolveParams = QUICK) -> Plan:
    plan = solve(problem, params)
    check_plan(problem, plan)
    return plan


def route_of(plan: Plan, technician_id: str) -> Route:
    return next(r for r in plan.routes if r.technician_id == technician_id)


def visits(plan: Plan, technician_id: str) -> list[str]:
    return [s.job_id for s in route_of(plan, technician_id).stops]


def assignment(plan: Plan) -> dict[str, str]:
    return {s.job_id: r.technician_id for r in plan.routes for s in r.stops}


def test_one_technician_drives_along_a_line_in_order():
    points = plane(*((float(x), 0.0) for x in range(7)))
    # Ids out of order, so that input order cannot explain the answer.
    jobs = tuple(job(f"j{k}", location) for k, location in enumerate((4, 1, 5, 3, 2)))
    problem = Problem((tech("t", 0, end_location=6),), jobs, points)

    plan = solved(problem)

    assert visits(plan, "t") == ["j1", "j4", "j3", "j0", "j2"]
    route = route_of(plan, "t")
    assert route.travel_time == 6 * MINUTE
    assert plan.objective == 6 * MINUTE  # travel only: nothing dropped, late or penalised
    assert route.start == 8 * HOUR  # no reason to leave later: no window
    assert [s.arrival for s in route.stops][:2] == [8 * HOUR + 60, 8 * HOUR + 30 * 60 + 120]
    assert plan.unassigned == ()
    assert plan.status in ("feasible", "optimal")


def test_two_technicians_each_take_their_own_cluster():
    points = plane((0, 0), (1, 0), (0, 1), (1, 1), (100, 100), (101, 100), (100, 101), (101, 101))
    jobs = tuple(job(f"j{n}", n) for n in (1, 2, 3, 5, 6, 7))
    problem = Problem((tech("west", 0), tech("east", 4)), jobs, points)

    plan = solved(problem)

    owner = assignment(plan)
    assert {owner[j] for j in ("j1", "j2", "j3")} == {"west"}
    assert {owner[j] for j in ("j5", "j6", "j7")} == {"east"}


def test_an_appointment_window_forces_the_visiting_order():
    points = plane((0, 0), (10, 0), (20, 0), (30, 0))
    near = job("near", 1, window=Window(12 * HOUR, 13 * HOUR))
    far = job("far", 2, window=Window(8 * HOUR, 10 * HOUR))
    problem = Problem((tech("t", 0, end_location=3),), (near, far), points)

    plan = solved(problem)

    assert visits(plan, "t") == ["far", "near"]
    _first, second = route_of(plan, "t").stops
    assert second.start == 12 * HOUR  # waits for the window to open
    assert second.arrival < second.start


def test_a_break_falls_inside_its_window_and_never_during_a_job():
    points = plane(*((float(x), 0.0) for x in range(7)))
    lunch = Break(Window(12 * HOUR, 12 * HOUR + 30 * MINUTE), 45 * MINUTE)
    jobs = tuple(job(f"j{n}", n, minutes=70) for n in range(1, 7))
    problem = Problem((tech("t", 0, breaks=(lunch,)),), jobs, points)

    plan = solved(problem)

    route = route_of(plan, "t")
    assert len(route.stops) == 6
    ((start, duration),) = route.breaks
    assert 12 * HOUR <= start <= 12 * HOUR + 30 * MINUTE
    assert duration == 45 * MINUTE
    assert all(s.departure <= start or start + duration <= s.start for s in route.stops)
    # Six 70-minute jobs back to back would cross 12:00-13:15 without the break being honoured.
    assert any(s.start >= start + duration for s in route.stops)


def test_a_break_can_interrupt_a_drive():
    points = plane((0, 0), (60, 0))  # one hour apart
    lunch = Break(Window(8 * HOUR + 30 * MINUTE, 8 * HOUR + 30 * MINUTE), 30 * MINUTE)
    problem = Problem(
        (tech("t", 0, breaks=(lunch,)),), (job("far", 1, window=Window(0, 10 * HOUR)),), points
    )

    plan = solved(problem)

    (stop,) = route_of(plan, "t").stops
    assert stop.arrival == 8 * HOUR + 90 * MINUTE  # 60 minutes of driving and a 30-minute break


def test_skills_send_the_job_to_a_technician_with_the_level():
    points = plane((0, 0), (1, 0), (50, 0), (-5, 0))
    problem = Problem(
        (
            tech("junior", 0, skills=(("hvac", 2),)),
            tech("senior", 2, skills=(("hvac", 3), ("electrical", 1))),
        ),
        (job("chiller", 1, skills=(("hvac", 3),)), job("fan", 3, skills=(("hvac", 1),))),
        points,
    )

    plan = solved(problem)

    assert assignment(plan) == {"chiller": "senior", "fan": "junior"}


def test_a_pinned_job_goes_to_its_engineer_on_the_day_that_fits():
    points = plane((0, 0), (1, 0), (40, 0), (-1, 0))
    tomorrow = Window(32 * HOUR, 42 * HOUR)
    problem = Problem(
        (
            tech("bob", 0),
            tech("ann-1", 2, engineer_id="ann"),
            tech("ann-2", 2, shift=tomorrow, engineer_id="ann", day=1),
        ),
        (
            job("pinned", 1, pinned_to="ann", window=Window(9 * HOUR, 12 * HOUR)),
            job("pinned-tomorrow", 1, pinned_to="ann", window=Window(33 * HOUR, 34 * HOUR)),
            job("anyone", 3),
        ),
        points,
    )

    plan = solved(problem)

    assert assignment(plan) == {"pinned": "ann-1", "pinned-tomorrow": "ann-2", "anyone": "bob"}


def test_a_fixed_job_comes_first_even_when_it_is_out_of_the_way():
    points = plane(*((float(x), 0.0) for x in range(5)))
    jobs = (job("a", 1), job("b", 2), job("in-progress", 4, fixed_to="t"), job("c", 3))
    problem = Problem((tech("t", 0), tech("u", 0)), jobs, points)

    plan = solved(problem)

    assert visits(plan, "t")[0] == "in-progress"


def test_a_strict_territory_keeps_out_everyone_else():
    points = plane((0, 0), (1, 0), (50, 0))
    problem = Problem(
        (tech("near", 0, territories=frozenset({"south"})), tech("far", 2)),
        (job("north-job", 1, territory="north"),),
        points,
        strict_territories=frozenset({"north"}),
    )
    assert assignment(solved(problem)) == {}  # nobody covers the north

    northerner = tech("northerner", 2, territories=frozenset({"north"}))
    covered = replace(problem, technicians=(*problem.technicians, northerner))
    assert assignment(solved(covered)) == {"north-job": "northerner"}


def test_the_territory_penalty_decides_between_equally_distant_technicians():
    points = plane((0, 0), (10, 0), (20, 0))
    techs = (
        tech("w", 0, territories=frozenset({"west"})),
        tech("e", 2, territories=frozenset({"east"})),
    )
    for territory, expected in (("west", "w"), ("east", "e")):
        problem = Problem(techs, (job("mid", 1, territory=territory),), points)
        plan = solved(problem)
        assert assignment(plan) == {"mid": expected}
        assert plan.objective == 20 * MINUTE  # no penalty paid


def test_crossing_a_territory_is_worth_it_only_when_it_saves_more_than_the_penalty():
    # The job is 20 minutes (round trip) from the west technician, 60 from the east one.
    points = plane((0, 0), (10, 0), (40, 0))
    techs = (
        tech("w", 0, territories=frozenset({"west"})),
        tech("e", 2, territories=frozenset({"east"})),
    )
    problem = Problem(techs, (job("mid", 1, territory="east"),), points)

    assert assignment(solved(problem)) == {"mid": "e"}  # default penalty: one hour
    cheap = SolveParams(solution_limit=100, weights=Weights(territory_penalty=5 * MINUTE))
    assert assignment(solved(problem, cheap)) == {"mid": "w"}


def test_capacity_and_max_jobs_hold():
    points = plane(*((float(x), 0.0) for x in range(6)))
    jobs = tuple(job(f"j{n}", n, demand=2) for n in range(1, 6))
    problem = Problem((tech("small-van", 0, capacity=5), tech("busy", 0, max_jobs=2)), jobs, points)

    plan = solved(problem)

    assert len(visits(plan, "small-van")) == 2
    assert len(visits(plan, "busy")) == 2
    assert [u.reason for u in plan.unassigned] == [DROPPED_FOR_PRIORITY]


def test_short_capacity_drops_the_lowest_priorities_and_keeps_the_urgent():
    points = plane((0, 0), (1, 0), (2, 0), (30, 0), (40, 0))
    jobs = (
        job("low", 1, demand=2, priority="low"),  # the cheapest to serve
        job("medium", 2, demand=2, priority="medium"),
        job("urgent", 4, demand=2, priority="urgent"),  # the dearest
        job("high", 3, demand=2, priority="high"),
    )
    problem = Problem((tech("van", 0, capacity=4),), jobs, points)

    plan = solved(problem)

    assert sorted(visits(plan, "van")) == ["high", "urgent"]
    assert {u.job_id: u.reason for u in plan.unassigned} == {
        "low": DROPPED_FOR_PRIORITY,
        "medium": DROPPED_FOR_PRIORITY,
    }


def test_when_only_one_sla_can_be_met_the_higher_priority_is_served_first():
    points = plane((0, 0), (10, 0), (-20, 0))
    due = 8 * HOUR + 30 * MINUTE
    jobs = (
        job("low-near", 1, minutes=60, priority="low", due=due),
        job("urgent-far", 2, minutes=60, priority="urgent", due=due),
    )
    problem = Problem((tech("t", 0),), jobs, points)

    plan = solved(problem)

    first, second = route_of(plan, "t").stops
    assert (first.job_id, first.lateness) == ("urgent-far", 0)
    assert second.job_id == "low-near"
    assert second.lateness > 0


def test_balance_spreads_the_work():
    points = plane((0, 0), (1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1))
    jobs = tuple(job(f"j{n}", n) for n in range(1, 7))
    techs = (tech("a", 0), tech("b", 0))
    problem = Problem(techs, jobs, points)

    unbalanced = solved(problem)
    assert sorted(len(r.stops) for r in unbalanced.routes) == [6]  # one loop is shortest

    balanced = solved(problem, SolveParams(solution_limit=200, weights=Weights(balance=HOUR)))
    assert sorted(len(r.stops) for r in balanced.routes) == [3, 3]


def test_vehicle_fixed_cost_uses_fewer_technicians():
    points = plane((0, 0), (10, 0), (-10, 0))
    problem = Problem((tech("a", 0), tech("b", 0)), (job("e", 1), job("w", 2)), points)
    assert len(solved(problem).routes) in (1, 2)
    params = SolveParams(solution_limit=100, vehicle_fixed_cost=10 * HOUR)
    assert len(solved(problem, params).routes) == 1


def test_large_scaled_times_work():
    """Benchmarks scale Euclidean units by 1000: cumuls near 1e7 must be fine."""
    scale = 1000
    coords = [(35, 35), *((5 + 7 * (k % 9), 5 + 11 * (k // 9)) for k in range(27))]
    matrix = tuple(
        tuple(round(((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 * scale) for bx, by in coords)
        for ax, ay in coords
    )
    horizon = Window(0, 10_000 * scale)
    techs = tuple(tech(f"v{k}", 0, shift=horizon, capacity=60) for k in range(6))
    jobs = tuple(
        replace(
            job(f"c{k}", k, demand=10, priority="urgent"),
            duration=10 * scale,
            window=Window((k * 200) * scale, (k * 200 + 3000) * scale),
        )
        for k in range(1, len(coords))
    )
    problem = Problem(techs, jobs, matrix, matrix)

    plan = solved(problem, SolveParams(solution_limit=300))

    assert plan.unassigned == ()
    assert sum(r.travel_distance for r in plan.routes) == plan.objective


def test_no_technicians_means_nobody_is_skilled():
    problem = Problem((), (job("j", 0),), ((0,),))
    plan = solved(problem)
    assert plan.routes == ()
    assert [u.reason for u in plan.unassigned] == ["no_skilled_engineer"]


def test_two_workers_return_a_valid_plan():
    coords = [(0, 0), *((k % 10, k // 10) for k in range(1, 61))]
    points = plane(*coords)
    jobs = tuple(job(f"j{n}", n, minutes=5) for n in range(1, 61))
    problem = Problem(tuple(tech(f"t{k}", 0) for k in range(4)), jobs, points)

    plan = solved(problem, SolveParams(time_limit_s=1, workers=2))

    assert plan.unassigned == ()


def _scattered_day(jobs: int, technicians: int, seed: int) -> Problem:
    """Jobs and technicians' homes scattered over a 60 x 60 minute area."""
    rnd = random.Random(seed)
    points = plane(*((rnd.uniform(0, 60), rnd.uniform(0, 60)) for _ in range(jobs + technicians)))
    return Problem(
        tuple(tech(f"t{k}", jobs + k) for k in range(technicians)),
        tuple(job(f"j{n}", n, priority=rnd.choice(("high", "low"))) for n in range(jobs)),
        points,
    )


def test_iterated_local_search_is_repeatable_under_a_solution_limit():
    problem = _scattered_day(40, 4, seed=7)
    params = SolveParams(solution_limit=60, time_limit_s=30)

    first, second = solved(problem, params), solved(problem, params)

    assert (first.routes, first.unassigned, first.objective) == (
        second.routes,
        second.unassigned,
        second.objective,
    )


def test_more_homes_than_jobs_does_not_hang_the_search():
    """Regression: with depot nodes numbered before the jobs, OR-Tools' ruin step looked for a
    visit among indices that held only depots, forever, whatever the time limit."""
    problem = _scattered_day(30, 40, seed=3)

    plan = solved(problem, SolveParams(solution_limit=50, time_limit_s=5))

    assert plan.status == "feasible"


def _lunch_day(jobs: int, technicians: int, seed: int, **first_job: object) -> Problem:
    """A scattered day of 40-minute jobs, some with two-hour appointment slots, every
    technician with a 45-minute lunch starting between 11:30 and 12:45: large enough for the
    two-stage solve (plan without breaks, cut the routes until lunch fits, search again)."""
    rnd = random.Random(seed)
    day = _scattered_day(jobs, technicians, seed)
    lunch = Break(Window(11 * HOUR + 30 * MINUTE, 12 * HOUR + 45 * MINUTE), 45 * MINUTE)
    slots = [None, None, Window(9 * HOUR, 11 * HOUR), Window(13 * HOUR, 15 * HOUR)]
    day_jobs = [replace(j, duration=40 * MINUTE, window=rnd.choice(slots)) for j in day.jobs]
    day_jobs[0] = replace(day_jobs[0], **first_job)
    return replace(
        day,
        technicians=tuple(replace(t, breaks=(lunch,)) for t in day.technicians),
        jobs=tuple(day_jobs),
    )


def test_a_large_day_with_lunch_breaks_serves_everything_that_fits_and_holds_every_rule():
    # 60 jobs of 40 minutes for 8 technicians: about 5 hours of work each, lunch included.
    problem = _lunch_day(60, 8, seed=5)

    plan = solved(problem, SolveParams(time_limit_s=3))  # check_plan: breaks in their windows

    assert plan.unassigned == ()
    assert all(len(route.breaks) == 1 for route in plan.routes)


def test_the_two_stage_solve_keeps_a_job_in_progress_first_and_is_repeatable():
    problem = _lunch_day(60, 8, seed=11, fixed_to="t3", location=60 + 3)
    params = SolveParams(solution_limit=40, time_limit_s=30)

    first, second = solved(problem, params), solved(problem, params)

    assert visits(first, "t3")[0] == "j0"
    assert (first.routes, first.objective) == (second.routes, second.objective)


def test_an_overfull_day_with_lunch_breaks_drops_the_low_priority_work_first():
    # 90 jobs of 40 minutes, about half of them high priority, for 6 technicians: the high
    # ones fit (with travel, lunch and their slots), all of them do not.
    problem = _lunch_day(90, 6, seed=2)

    plan = solved(problem, SolveParams(time_limit_s=3))

    priority = {j.id: j.priority for j in problem.jobs}
    dropped = [priority[u.job_id] for u in plan.unassigned]
    assert dropped
    assert set(dropped) == {"low"}


def test_the_second_workers_plan_is_taken_when_it_comes_and_skipped_when_it_fails():
    receiver, sender = multiprocessing.Pipe(duplex=False)
    plan = Plan(routes=(), unassigned=(), objective=7, status="feasible")
    sender.send(plan)
    assert solver._received(receiver, time.time()) == plan
    sender.close()  # a child that failed: closed without sending
    assert solver._received(receiver, time.time()) is None
