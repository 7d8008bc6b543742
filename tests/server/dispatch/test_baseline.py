"""The current assignments measured like a plan: hand-built days with known answers."""

from __future__ import annotations

from server.dispatch.baseline import Assigned, current_kpis
from server.dispatch.optimizer.model import Break, Job, Problem, Technician, Window

HOUR = 3600
# Locations: 0 home, 1 and 2 two sites. Ten minutes between any two places, 5 km.
DURATIONS = tuple(tuple(0 if a == b else 600 for b in range(3)) for a in range(3))
DISTANCES = tuple(tuple(0 if a == b else 5000 for b in range(3)) for a in range(3))


def engineer(vid: str = "e1", *, day: int = 0, breaks: tuple[Break, ...] = ()) -> Technician:
    start = day * 24 * HOUR
    return Technician(
        id=f"{vid}:{day}",
        engineer_id=vid,
        day=day,
        shift=Window(start + 8 * HOUR, start + 18 * HOUR),
        start_location=0,
        end_location=0,
        breaks=breaks,
    )


def problem(*technicians: Technician, jobs: tuple[Job, ...]) -> Problem:
    return Problem(technicians=technicians, jobs=jobs, durations=DURATIONS, distances=DISTANCES)


def test_a_day_of_two_jobs_in_scheduled_order():
    jobs = (Job("a", 1, HOUR), Job("b", 2, 2 * HOUR))
    kpis = current_kpis(
        problem(engineer(), jobs=jobs),
        {"b": Assigned("e1", 11 * HOUR), "a": Assigned("e1", 9 * HOUR)},
    )
    # home -> a -> b -> home: three legs of 10 minutes and 5 km; 3 h of work in a 10 h shift.
    assert (kpis.served, kpis.travel_s, kpis.travel_m) == (2, 1800, 15000)
    assert kpis.lateness_s == 0
    assert kpis.mean_utilisation == 0.3


def test_lateness_counts_waiting_for_the_window_and_the_lunch_break():
    lunch = Break(Window(8 * HOUR + 600, 13 * HOUR), 45 * 60)
    # "a" cannot start before 10:00; "b" is due at 11:00 but comes after a's two hours.
    jobs = (
        Job("a", 1, 2 * HOUR, window=Window(10 * HOUR, 12 * HOUR)),
        Job("b", 2, HOUR, due=11 * HOUR),
    )
    kpis = current_kpis(
        problem(engineer(breaks=(lunch,)), jobs=jobs),
        {"a": Assigned("e1", 10 * HOUR), "b": Assigned("e1", 12 * HOUR)},
    )
    # a fits before lunch must start (10:00-12:00), lunch 12:00-12:45, 10 minutes to b: b starts
    # at 12:55, 1 h 55 min after it was due.
    assert kpis.lateness_s == HOUR + 55 * 60


def test_each_job_runs_on_the_day_it_is_scheduled_and_unplanned_work_goes_last():
    jobs = (Job("monday", 1, HOUR), Job("tuesday", 2, HOUR), Job("whenever", 2, HOUR))
    kpis = current_kpis(
        problem(engineer(day=0), engineer(day=1), jobs=jobs),
        {
            "tuesday": Assigned("e1", 24 * HOUR + 9 * HOUR),
            "whenever": Assigned("e1"),
            "monday": Assigned("e1", 9 * HOUR),
        },
    )
    # Monday: home -> monday -> whenever -> home (3 legs); Tuesday: home -> tuesday -> home.
    assert kpis.travel_s == 5 * 600
    assert kpis.mean_utilisation == (0.2 + 0.1) / 2


def test_jobs_of_engineers_off_duty_or_outside_the_horizon_are_not_measured():
    jobs = (Job("a", 1, HOUR),)
    kpis = current_kpis(
        problem(engineer(), jobs=jobs),
        {"a": Assigned("someone-off-today"), "gone": Assigned("e1")},
    )
    assert (kpis.served, kpis.travel_s, kpis.mean_utilisation) == (0, 0, 0.0)
