"""Malformed problems and parameters are refused with a ValueError that says what is wrong."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from server.dispatch.optimizer import Break, Problem, SolveParams, Weights, Window, solve

from .builders import QUICK, job, plane, tech

POINTS = plane((0, 0), (1, 0))
GOOD = Problem((tech("t", 0),), (job("j", 1),), POINTS)


def with_tech(**changes: Any) -> Problem:
    return replace(GOOD, technicians=(replace(GOOD.technicians[0], **changes),))


def with_job(**changes: Any) -> Problem:
    return replace(GOOD, jobs=(replace(GOOD.jobs[0], **changes),))


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (replace(GOOD, durations=((0, 1), (1,))), "not square"),
        (replace(GOOD, durations=((0, 1), (1, 0), (2, 2))), "not square"),
        (replace(GOOD, distances=((0, 1, 2), (1, 0, 2), (2, 2, 0))), "rows"),
        (replace(GOOD, durations=((0, -1), (1, 0))), "negative"),
        (replace(GOOD, durations=((0, 1.5), (1, 0))), "not an int"),
        (with_job(location=2), "out of range"),
        (with_job(location=-1), "out of range"),
        (with_tech(start_location=5), "out of range"),
        (with_tech(end_location=5), "out of range"),
        (with_job(duration=-60), "duration must not be negative"),
        (with_job(demand=-1), "demand must not be negative"),
        (with_job(priority="critical"), "unknown priority"),
        (with_job(window=Window(100, 50)), "ends (50) before it starts (100)"),
        (with_tech(shift=Window(100, 50)), "shift ends"),
        (with_tech(shift=Window(-10, 50)), "before the origin"),
        (with_tech(breaks=(Break(Window(20, 10), 5),)), "break 0 window ends"),
        (with_tech(breaks=(Break(Window(10, 20), -5),)), "break 0 duration"),
        (
            with_tech(
                breaks=(Break(Window(36_000, 36_000), 600), Break(Window(36_000, 36_000), 60))
            ),
            "breaks cannot all be taken",
        ),
        (with_tech(capacity=-1), "capacity"),
        (with_tech(max_jobs=-1), "max_jobs"),
        (with_job(fixed_to="nobody"), "fixed to unknown technician 'nobody'"),
        (replace(GOOD, jobs=(job("j", 1), job("j", 0))), "duplicate job id 'j'"),
        (replace(GOOD, technicians=(tech("t"), tech("t"))), "duplicate technician id 't'"),
        (
            replace(GOOD, jobs=(job("a", 1, fixed_to="t"), job("b", 0, fixed_to="t"))),
            "both fixed to technician 't'",
        ),
    ],
)
def test_malformed_problems_are_refused(problem: Problem, message: str):
    with pytest.raises(ValueError, match=_literal(message)):
        solve(problem, QUICK)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (SolveParams(time_limit_s=0), "time_limit_s"),
        (SolveParams(solution_limit=0), "solution_limit"),
        (SolveParams(first_solution="FASTEST"), "unknown first_solution"),
        (SolveParams(metaheuristic="MAGIC"), "unknown metaheuristic"),
        (SolveParams(workers=0), "workers"),
        (SolveParams(vehicle_fixed_cost=-1), "vehicle_fixed_cost"),
        (SolveParams(weights=Weights(drop=(("urgent", 1),))), "weights.drop has no value"),
        (SolveParams(weights=Weights(travel=-1)), "weights.travel"),
    ],
)
def test_bad_parameters_are_refused(params: SolveParams, message: str):
    with pytest.raises(ValueError, match=_literal(message)):
        solve(GOOD, params)


def test_a_good_problem_is_accepted():
    plan = solve(GOOD, QUICK)
    assert [s.job_id for r in plan.routes for s in r.stops] == ["j"]


def _literal(text: str) -> str:
    return re.escape(text)
