"""Random small dispatch days: every plan holds every hard rule, accounts for every job once,
gives each unassigned job the reason an independent brute force expects, and is the same when
solved twice.

Times are small integers (a "minute" is 1) so the checker can brute-force feasibility.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from server.dispatch.optimizer import (
    PRIORITIES,
    Break,
    Job,
    Problem,
    SolveParams,
    Technician,
    Weights,
    Window,
    solve,
)

from .checks import breaks_schedulable, check_plan, check_reasons

SKILLS = ("hvac", "electrical")
TERRITORIES = ("north", "south")
# Penalties scaled to the small travel times, so that trade-offs actually happen.
WEIGHTS = Weights(
    lateness=(("urgent", 8), ("high", 4), ("medium", 2), ("low", 1)),
    drop=(("urgent", 4000), ("high", 1000), ("medium", 300), ("low", 100)),
    territory_penalty=15,
)
PARAMS = SolveParams(solution_limit=30, time_limit_s=30, weights=WEIGHTS)


def window(draw: st.DrawFn, low: int, high: int, max_width: int) -> Window:
    start = draw(st.integers(low, high))
    return Window(start, start + draw(st.integers(0, max_width)))


@st.composite
def problems(
    draw: st.DrawFn,
    jobs: tuple[int, int] = (3, 12),
    techs: tuple[int, int] = (2, 4),
    shift_length: tuple[int, int] = (30, 90),
    loose: bool = False,
) -> Problem:
    """A random day; `loose`: no skills, pins or strict territories, so most jobs can be served
    and the day is big enough for the iterated local search path."""
    size = draw(st.integers(3, 7))
    points = [(draw(st.integers(0, 6)), draw(st.integers(0, 6))) for _ in range(size)]
    durations = tuple(
        tuple(3 * (abs(ax - bx) + abs(ay - by)) for bx, by in points) for ax, ay in points
    )
    distances = draw(
        st.sampled_from(
            [None, tuple(tuple(2 * d + 1 if d else 0 for d in row) for row in durations)]
        )
    )
    location = st.integers(0, size - 1)

    technicians = []
    for k in range(draw(st.integers(*techs))):
        start = draw(st.integers(0, 30))
        shift = Window(start, start + draw(st.integers(*shift_length)))
        breaks = tuple(
            Break(window(draw, start, shift.end, 10), draw(st.integers(1, 12)))
            for _ in range(draw(st.integers(0, 2)))
        )
        technicians.append(
            Technician(
                id=f"t{k}",
                shift=shift,
                start_location=draw(location),
                end_location=draw(location),
                skills=tuple((code, draw(st.integers(1, 3))) for code in draw(_subset(SKILLS))),
                breaks=breaks,
                max_jobs=draw(st.none() | st.integers(0, 4)),
                capacity=draw(st.none() | st.integers(1, 8)),
                territories=frozenset(draw(_subset(TERRITORIES))),
                engineer_id=draw(st.sampled_from([None, "e-shared"])),
            )
        )

    fixable = [t.id for t in technicians]
    work = []
    for n in range(draw(st.integers(*jobs))):
        fixed_to = None
        if fixable and draw(st.integers(0, 7)) == 0:
            fixed_to = fixable.pop(draw(st.integers(0, len(fixable) - 1)))
        work.append(
            Job(
                id=f"j{n}",
                location=draw(location),
                duration=draw(st.integers(1, 20)),
                skills=()
                if loose
                else tuple((code, draw(st.integers(1, 3))) for code in draw(_subset(SKILLS))),
                priority=draw(st.sampled_from(PRIORITIES)),
                window=None if draw(st.booleans()) else window(draw, 0, 110, 40),
                due=draw(st.none() | st.integers(0, 120)),
                pinned_to=None
                if loose
                else draw(st.sampled_from([None, None, None, "e-shared", "t0", "ghost"])),
                fixed_to=fixed_to,
                demand=draw(st.integers(0, 4)),
                territory=draw(st.sampled_from([None, *TERRITORIES])),
            )
        )
    strict = frozenset() if loose else frozenset(draw(_subset(TERRITORIES)))
    # Breaks that must overlap are refused as malformed (see test_validation.py).
    assume(all(breaks_schedulable(t) for t in technicians))
    return Problem(tuple(technicians), tuple(work), durations, distances, strict)


def _subset(items: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(items), unique=True, max_size=len(items))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_plans_hold_every_hard_rule_and_explain_every_absence(problem: Problem):
    plan = solve(problem, PARAMS)

    check_plan(problem, plan)
    check_reasons(problem, plan)
    assert plan.status in ("feasible", "optimal")


# OR-Tools' iterated local search stops at the solution limit only while it keeps finding
# solutions; on a day where nothing can improve, only the time limit ends it (see solver.py).
ILS_PARAMS = SolveParams(solution_limit=30, time_limit_s=2, weights=WEIGHTS)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(jobs=(35, 45), techs=(3, 6), shift_length=(150, 300), loose=True))
def test_iterated_local_search_days_hold_every_hard_rule_too(problem: Problem):
    """Long, loosely constrained days of 35 to 45 jobs: with 30 feasible jobs or more they take
    the iterated local search path."""
    plan = solve(problem, ILS_PARAMS)

    check_plan(problem, plan)
    check_reasons(problem, plan)


@settings(max_examples=10, deadline=None)
@given(problems())
def test_the_same_problem_gives_the_same_plan(problem: Problem):
    first = solve(problem, PARAMS)
    second = solve(problem, PARAMS)
    assert (first.routes, first.unassigned, first.objective) == (
        second.routes,
        second.unassigned,
        second.objective,
    )
