"""Instant insertion: feasibility, ranking and eligibility, and the O(1) slack check against a
brute-force re-timing of every position."""

from __future__ import annotations

import math
import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from server.dispatch.insertion import (
    CurrentRoute,
    PlannedStop,
    Suggestion,
    insertions,
    suggest,
    timeline,
)
from server.dispatch.optimizer.model import Break, Job, Technician, Weights, Window

M = 60
H = 3600
DAY = Window(8 * H, 18 * H)


def grid(*points: tuple[float, float]) -> tuple[tuple[int, ...], ...]:
    """Travel seconds between points given in minutes of driving on a plane."""
    return tuple(tuple(round(math.dist(a, b) * M) for b in points) for a in points)


def tech(tech_id: str = "t1", *, location: int = 0, shift: Window = DAY, **kwargs) -> Technician:
    return Technician(
        id=tech_id, shift=shift, start_location=location, end_location=location, **kwargs
    )


def stop(job_id: str, location: int, duration: int = 30 * M, window: Window | None = None):
    return PlannedStop(job_id=job_id, location=location, start=0, duration=duration, window=window)


def route(technician: Technician, *stops: PlannedStop, available_from: int = 8 * H):
    return CurrentRoute(technician=technician, stops=stops, available_from=available_from)


# Depot 0 at the corner of a U; stops A and B along the top; the job between them.
U = grid((0, 0), (0, 10), (20, 10), (10, 10))
DEPOT, A, B, JOB_LOC = 0, 1, 2, 3


def test_empty_route_goes_from_start_to_job_and_back():
    durations = grid((0, 0), (10, 0))
    job = Job(id="new", location=1, duration=45 * M)
    [best] = suggest(job, [route(tech())], durations, now=8 * H)
    assert best == Suggestion(
        technician_id="t1",
        position=0,
        eta=8 * H + 10 * M,
        start=8 * H + 10 * M,
        added_travel=20 * M,
        added_distance=None,
        lateness=0,
        pushes=0,
        cost=20 * M,
    )


def test_the_route_starts_now_or_when_the_technician_is_free_from_where_they_are():
    durations = grid((0, 0), (10, 0), (30, 0))
    job = Job(id="new", location=1, duration=45 * M)
    busy = CurrentRoute(technician=tech(), stops=(), available_from=9 * H, position=2)
    [best] = suggest(job, [busy], durations, now=8 * H + 30 * M)
    # From the job in progress at x=30 at 09:00; home at x=0 afterwards.
    assert (best.eta, best.added_travel) == (9 * H + 20 * M, (20 + 10 - 30) * M)
    [later] = suggest(job, [busy], durations, now=10 * H)
    assert later.eta == 10 * H + 20 * M


def test_best_position_is_between_the_stops_the_job_lies_between():
    job = Job(id="new", location=JOB_LOC, duration=5 * M)
    current = route(tech(), stop("a", A), stop("b", B))
    slots = insertions(job, current, U, now=8 * H)
    assert [s.position if s else None for s in slots] == [0, 1, 2]
    assert [s.added_travel if s else None for s in slots] == [
        U[DEPOT][JOB_LOC] + U[JOB_LOC][A] - U[DEPOT][A],
        0,
        U[B][JOB_LOC] + U[JOB_LOC][DEPOT] - U[B][DEPOT],
    ]
    [best] = suggest(job, [current], U, now=8 * H)
    assert best.position == 1
    assert best.eta == 8 * H + 10 * M + 30 * M + 10 * M
    # B starts later by the job's 5 minutes (the detour itself is free).
    assert best.pushes == 5 * M
    assert best.cost == 0 + round(5 * M * 0.1)


def test_a_later_appointment_makes_the_cheaper_position_infeasible():
    job = Job(id="new", location=JOB_LOC, duration=5 * M)
    b_start = 8 * H + 10 * M + 30 * M + 20 * M  # B's start in the current route
    current = route(tech(), stop("a", A), stop("b", B, window=Window(b_start - H, b_start + 4 * M)))
    slots = insertions(job, current, U, now=8 * H)
    assert slots[1] is None  # B would start 5 minutes late: past its window
    assert slots[0] is None  # also before B
    [best] = suggest(job, [current], U, now=8 * H)
    assert best.position == 2
    assert best.pushes == 0
    # A window one minute wider lets the cheap position through again.
    wider = route(tech(), stop("a", A), stop("b", B, window=Window(b_start - H, b_start + 5 * M)))
    assert suggest(job, [wider], U, now=8 * H)[0].position == 1


def test_waiting_for_a_later_window_absorbs_the_delay():
    job = Job(id="new", location=JOB_LOC, duration=5 * M)
    # B cannot start before 11:00: the technician waits there anyway.
    current = route(tech(), stop("a", A), stop("b", B, window=Window(11 * H, 11 * H + 10 * M)))
    [best] = suggest(job, [current], U, now=8 * H)
    assert (best.position, best.pushes, best.cost) == (1, 0, 0)


def test_the_jobs_own_window_waits_for_it_to_open_and_must_not_be_missed():
    durations = grid((0, 0), (10, 0))
    opening = Job(id="new", location=1, duration=45 * M, window=Window(10 * H, 11 * H))
    [best] = suggest(opening, [route(tech())], durations, now=8 * H)
    assert (best.eta, best.start) == (8 * H + 10 * M, 10 * H)

    missed = replace(opening, window=Window(8 * H, 8 * H + 9 * M))
    assert suggest(missed, [route(tech())], durations, now=8 * H) == []
    just = replace(opening, window=Window(8 * H, 8 * H + 10 * M))
    assert suggest(just, [route(tech())], durations, now=8 * H)[0].start == 8 * H + 10 * M


def test_the_technician_must_be_home_by_the_end_of_the_shift():
    durations = grid((0, 0), (10, 0))
    job = Job(id="new", location=1, duration=60 * M)
    # Leave at 16:40, 10 minutes out, an hour on site, 10 minutes back: 18:00 exactly.
    on_time = route(tech(), available_from=16 * H + 40 * M)
    assert len(suggest(job, [on_time], durations, now=8 * H)) == 1
    too_late = route(tech(), available_from=16 * H + 41 * M)
    assert suggest(job, [too_late], durations, now=8 * H) == []
    # Off shift already.
    assert suggest(job, [route(tech())], durations, now=18 * H + 1) == []


def test_skills_are_checked_by_level():
    durations = grid((0, 0), (10, 0))
    job = Job(id="new", location=1, duration=30 * M, skills=(("hvac", 3), ("electric", 1)))
    routes = [
        route(tech("novice", skills=(("hvac", 2), ("electric", 5)))),
        route(tech("expert", skills=(("hvac", 4), ("electric", 1)))),
        route(tech("no_electric", skills=(("hvac", 5),))),
    ]
    assert [s.technician_id for s in suggest(job, routes, durations, now=8 * H)] == ["expert"]


def test_a_pinned_job_goes_only_to_its_engineer_on_any_day():
    durations = grid((0, 0), (10, 0))
    job = Job(id="new", location=1, duration=30 * M, pinned_to="wang")
    routes = [
        route(tech("li")),
        route(tech("wang-mon", engineer_id="wang")),
        route(tech("wang-tue", engineer_id="wang", shift=Window(32 * H, 42 * H))),
    ]
    found = suggest(job, routes, durations, now=8 * H)
    assert [s.technician_id for s in found] == ["wang-mon", "wang-tue"]
    assert found[1].eta == 32 * H + 10 * M


def test_fixed_jobs_and_capacity_limit_the_technicians():
    durations = grid((0, 0), (10, 0))
    job = Job(id="new", location=1, duration=30 * M, fixed_to="t2", demand=3)
    routes = [route(tech("t1")), route(tech("t2", capacity=2)), route(tech("t3", capacity=3))]
    assert suggest(job, routes, durations, now=8 * H) == []
    routes[1] = route(tech("t2", capacity=3))
    assert [s.technician_id for s in suggest(job, routes, durations, now=8 * H)] == ["t2"]


def test_max_jobs_counts_the_route_and_the_new_job():
    job = Job(id="new", location=JOB_LOC, duration=5 * M)
    full = route(tech("full", max_jobs=2), stop("a", A), stop("b", B))
    room = route(tech("room", max_jobs=3), stop("a", A), stop("b", B))
    assert [s.technician_id for s in suggest(job, [full, room], U, now=8 * H)] == ["room"]


def test_strict_territories_exclude_and_others_cost_a_penalty():
    durations = grid((0, 0), (10, 0))
    job = Job(id="new", location=1, duration=30 * M, territory="pudong")
    routes = [
        route(tech("local", territories=frozenset({"pudong"}))),
        route(tech("outsider", territories=frozenset({"xuhui"}))),
        # No territories of their own: goes anywhere without a penalty, as in the solver.
        route(tech("roamer")),
    ]
    found = suggest(job, routes, durations, now=8 * H)
    assert [(s.technician_id, s.cost) for s in found] == [
        ("local", 20 * M),
        ("roamer", 20 * M),
        ("outsider", 20 * M + Weights().territory_penalty),
    ]
    strict = suggest(job, routes, durations, now=8 * H, strict_territories=frozenset({"pudong"}))
    assert [s.technician_id for s in strict] == ["local"]


def test_ranking_by_added_travel_and_limit():
    # Six technicians living 5, 10, ... 30 minutes from the job.
    points = [(0.0, 0.0)] + [(5.0 * k, 0.0) for k in range(1, 7)]
    durations = grid(*points)
    job = Job(id="new", location=0, duration=30 * M)
    routes = [route(tech(f"t{k}", location=k)) for k in (4, 1, 6, 3, 5, 2)]
    found = suggest(job, routes, durations, now=8 * H, limit=3)
    assert [s.technician_id for s in found] == ["t1", "t2", "t3"]
    assert [s.added_travel for s in found] == [10 * M, 20 * M, 30 * M]
    assert len(suggest(job, routes, durations, now=8 * H)) == 5
    assert suggest(job, routes, durations, now=8 * H, limit=0) == []


def test_lateness_against_due_is_weighed_by_priority():
    durations = grid((0, 0), (5, 0), (25, 0))
    due = 9 * H
    # Near (5 min away) is busy until 09:05: 10 minutes late. Far (25 min away) is on time.
    routes = [
        route(tech("near", location=1), available_from=due + 5 * M),
        route(tech("far", location=2), available_from=8 * H),
    ]
    urgent = Job(id="new", location=0, duration=30 * M, due=due, priority="urgent")
    found = suggest(urgent, routes, durations, now=8 * H)
    assert [s.technician_id for s in found] == ["far", "near"]
    near = found[1]
    assert near.lateness == 10 * M
    assert near.cost == 10 * M + 10 * M * 20
    low = replace(urgent, priority="low")
    assert [s.technician_id for s in suggest(low, routes, durations, now=8 * H)] == [
        "near",
        "far",
    ]


def test_distances_drive_the_travel_cost_when_given():
    durations = grid((0, 0), (10, 0), (0, 10))
    # Technician 2 is as far in time but nearer in metres (a motorway, say).
    distances = ((0, 5000, 3000), (5000, 0, 4000), (3000, 4000, 0))
    job = Job(id="new", location=0, duration=30 * M)
    routes = [route(tech("t1", location=1)), route(tech("t2", location=2))]
    found = suggest(job, routes, durations, distances, now=8 * H)
    assert [(s.technician_id, s.added_distance, s.cost) for s in found] == [
        ("t2", 6000, 6000),
        ("t1", 10000, 10000),
    ]
    assert found[0].added_travel == 20 * M


def test_ties_are_broken_by_technician_id_whatever_the_input_order():
    durations = grid((0, 0), (10, 0))
    job = Job(id="new", location=1, duration=30 * M)
    routes = [route(tech(f"t{k}")) for k in range(8)]
    expected = [f"t{k}" for k in range(5)]
    rng = random.Random(3)
    for _ in range(5):
        rng.shuffle(routes)
        assert [s.technician_id for s in suggest(job, routes, durations, now=8 * H)] == expected


def test_a_break_is_a_stop_where_the_technician_is():
    durations = grid((0, 0), (20, 0))
    lunch = Break(window=Window(11 * H + 30 * M, 13 * H + 30 * M), duration=45 * M)
    technician = tech(breaks=(lunch,))
    # A job that can only start at 13:00: before lunch it would push lunch past 13:30.
    job = Job(id="new", location=1, duration=60 * M, window=Window(13 * H, 14 * H))
    current = route(technician, available_from=11 * H)
    assert [t.job_id for t in timeline(current, durations, now=11 * H)] == [None]
    before_lunch, after_lunch = insertions(job, current, durations, now=11 * H)
    assert before_lunch is None
    assert after_lunch is not None
    assert (after_lunch.eta, after_lunch.start) == (12 * H + 15 * M + 20 * M, 13 * H)
    # Without a window, the job goes first and lunch is taken at the job's site.
    free = replace(job, window=None)
    [best] = suggest(free, [current], durations, now=11 * H)
    assert (best.eta, best.added_travel) == (11 * H + 20 * M, 40 * M)


def test_a_break_goes_before_a_stop_that_would_run_past_its_window():
    durations = grid((0, 0), (10, 0))
    lunch = Break(window=Window(11 * H + 30 * M, 13 * H + 30 * M), duration=45 * M)
    long_job = stop("long", 1, duration=3 * H)
    short_job = stop("short", 1, duration=30 * M)
    current = route(tech(breaks=(lunch,)), long_job, short_job, available_from=11 * H)
    plan = timeline(current, durations, now=11 * H)
    assert [(t.job_id, t.start) for t in plan] == [
        (None, 11 * H + 30 * M),  # waits for the window: after "long" it would be 14:10
        ("long", 12 * H + 25 * M),
        ("short", 15 * H + 25 * M),
    ]
    # A break whose window is open is taken between stops at once.
    morning = route(tech(breaks=(lunch,)), short_job, long_job, available_from=11 * H + 10 * M)
    plan = timeline(morning, durations, now=11 * H)
    assert [(t.job_id, t.start) for t in plan] == [
        ("short", 11 * H + 20 * M),
        (None, 11 * H + 50 * M),
        ("long", 12 * H + 35 * M),
    ]
    # Breaks already over are dropped.
    assert [t.job_id for t in timeline(morning, durations, now=14 * H)] == ["short", "long"]


def test_a_break_after_the_job_may_start_at_the_end_of_its_window_but_not_later():
    durations = grid((0, 0), (20, 0))
    lunch = Break(window=Window(11 * H + 30 * M, 12 * H), duration=45 * M)
    current = route(tech(breaks=(lunch,)), available_from=10 * H)
    # Leave 10:00, arrive 10:20, 100 minutes on site: lunch starts at 12:00 sharp.
    job = Job(id="new", location=1, duration=100 * M)
    assert insertions(job, current, durations, now=10 * H)[0] is not None
    one_second_more = replace(job, duration=100 * M + 1)
    assert insertions(one_second_more, current, durations, now=10 * H)[0] is None


def test_delays_are_absorbed_by_later_waiting():
    # A, B, C, D on a line 10 minutes apart; the technician waits 3 minutes before C.
    durations = grid((0, 0), (10, 0), (20, 0), (30, 0), (40, 0))
    c_start = 8 * H + 10 * M + 30 * M + 10 * M + 30 * M + 10 * M + 3 * M
    current = route(
        tech(),
        stop("a", 1),
        stop("b", 2),
        stop("c", 3, window=Window(c_start, c_start + H)),
        stop("d", 4),
    )
    job = Job(id="new", location=1, duration=5 * M)
    best = insertions(job, current, durations, now=8 * H)[1]  # right after A, next door
    assert best is not None
    assert (best.added_travel, best.start) == (0, 8 * H + 40 * M)
    # B 5 minutes later; C and D 2 minutes later (3 of the 5 were waiting anyway).
    assert best.pushes == 5 * M + 2 * M + 2 * M


def test_a_job_next_door_may_start_at_the_very_end_of_its_window():
    durations = grid((0, 0), (10, 0))
    current = route(tech(), stop("a", 1))
    a_ends = 8 * H + 10 * M + 30 * M
    job = Job(id="new", location=1, duration=10 * M, window=Window(a_ends - H, a_ends))
    slots = insertions(job, current, durations, now=8 * H)
    assert slots[1] is not None
    assert slots[1].start == a_ends
    late = replace(job, window=Window(a_ends - H, a_ends - 1))
    assert insertions(late, current, durations, now=8 * H)[1] is None


def test_a_stale_route_is_not_made_worse():
    job = Job(id="new", location=JOB_LOC, duration=5 * M)
    # B's window closed before the technician can get there (a job overran).
    late_b = route(tech(), stop("a", A), stop("b", B, window=Window(8 * H, 8 * H + 30 * M)))
    slots = insertions(job, late_b, U, now=8 * H)
    assert slots[0] is None
    assert slots[1] is None
    assert slots[2] is not None
    assert suggest(job, [late_b], U, now=8 * H)[0].position == 2


def test_weights_can_be_given():
    durations = grid((0, 0), (10, 0))
    job = Job(id="new", location=1, duration=30 * M)
    [best] = suggest(job, [route(tech())], durations, now=8 * H, weights=Weights(travel=3))
    assert best.cost == 3 * 20 * M


# Property: the O(1) slack check agrees with re-timing the whole route for every position.


def _simulate(sequence, origin, t0, end_location, durations):
    """Forward pass: (arrivals, starts, return time, travel). A None location is a break,
    taken where the previous element left the technician."""
    t, here, travel = t0, origin, 0
    arrivals, starts = [], []
    for location, window, service in sequence:
        if location is not None:
            travel += durations[here][location]
            t += durations[here][location]
            here = location
        arrivals.append(t)
        start = max(t, window.start) if window else t
        starts.append(start)
        t = start + service
    travel += durations[here][end_location]
    return arrivals, starts, t + durations[here][end_location], travel


# Times on a 5-minute grid, so that arrivals, window ends and shift ends often coincide: the
# boundaries are where a slack check goes wrong.
TICK = 5 * M


@st.composite
def scenarios(draw):
    def ticks(low: int, high: int) -> int:
        return draw(st.integers(low, high)) * TICK

    n = draw(st.integers(2, 6))
    durations = tuple(tuple(0 if i == j else ticks(0, 12) for j in range(n)) for i in range(n))
    location = st.integers(0, n - 1)

    def window() -> Window:
        start = ticks(0, 120)
        return Window(start, start + ticks(0, 36))

    stops = tuple(
        PlannedStop(
            job_id=f"s{k}",
            location=draw(location),
            start=0,
            duration=ticks(0, 18),
            window=window() if draw(st.booleans()) else None,
        )
        for k in range(draw(st.integers(0, 6)))
    )
    breaks = tuple(
        Break(window=window(), duration=ticks(0, 12)) for _ in range(draw(st.integers(0, 2)))
    )
    shift_start = ticks(0, 48)
    technician = Technician(
        id="t",
        shift=Window(shift_start, shift_start + ticks(12, 120)),
        start_location=draw(location),
        end_location=draw(location),
        breaks=breaks,
    )
    current = CurrentRoute(
        technician=technician,
        stops=stops,
        available_from=ticks(0, 96),
        position=draw(st.none() | location),
    )
    job = Job(
        id="new",
        location=draw(location),
        duration=ticks(0, 18),
        window=window() if draw(st.booleans()) else None,
        due=draw(st.none() | st.integers(0, 160).map(lambda k: k * TICK)),
        priority=draw(st.sampled_from(("urgent", "high", "medium", "low"))),
    )
    return job, current, durations, ticks(0, 96)


@settings(max_examples=250, deadline=None)
@given(scenarios())
def test_slack_check_agrees_with_brute_force_recomputation(scenario):
    job, current, durations, now = scenario
    tech_ = current.technician
    plan = timeline(current, durations, now=now)
    sequence = [
        (t.location if t.job_id is not None else None, t.window, t.departure - t.start)
        for t in plan
    ]
    origin = tech_.start_location if current.position is None else current.position
    t0 = max(current.available_from, now, tech_.shift.start)
    base_arrivals, base_starts, base_end, base_travel = _simulate(
        sequence, origin, t0, tech_.end_location, durations
    )
    assert base_arrivals == [t.arrival for t in plan]
    assert base_starts == [t.start for t in plan]

    got = insertions(job, current, durations, now=now)
    assert len(got) == len(sequence) + 1
    for slot, suggestion in enumerate(got):
        new_sequence = [
            *sequence[:slot],
            (job.location, job.window, job.duration),
            *sequence[slot:],
        ]
        arrivals, starts, end, travel = _simulate(
            new_sequence, origin, t0, tech_.end_location, durations
        )
        job_arrival, job_start = arrivals[slot], starts[slot]
        later = list(zip(plan, starts[:slot] + starts[slot + 1 :], strict=True))
        feasible = (
            (job.window is None or job_start <= job.window.end)
            and all(t.window is None or new <= max(t.window.end, t.start) for t, new in later)
            and end <= max(tech_.shift.end, base_end)
        )
        assert (suggestion is not None) == feasible, slot
        if suggestion is None:
            continue
        assert suggestion.eta == job_arrival
        assert suggestion.start == job_start
        assert suggestion.added_travel == travel - base_travel
        assert suggestion.pushes == sum(
            max(0, new - t.start) for t, new in later if t.job_id is not None
        )
        assert suggestion.position == sum(1 for t in plan[:slot] if t.job_id is not None)

    # suggest() keeps the cheapest of them (earliest start on a tie).
    feasible_ones = [s for s in got if s is not None]
    found = suggest(job, [current], durations, now=now)
    if t0 > tech_.shift.end or not feasible_ones:
        assert found == []
    else:
        assert found == [min(feasible_ones, key=lambda s: (s.cost, s.start))]
