"""Input validation: a malformed problem is refused with a clear `ValueError` before any model
is built.

Only what is wrong with the data itself is an error here (a non-square matrix, an index out of
range, a duplicate id, a window ending before it starts, a job fixed to a technician who is not
in the problem). What is merely impossible to plan (a job nobody has the skills for, an
appointment nobody can reach) is not an error: it comes back as an `Unassigned` with its reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import PRIORITIES, Problem, SolveParams, Window
from .reasons import breaks_fit, effective_breaks

FIRST_SOLUTION_STRATEGIES = (
    "AUTOMATIC",
    "PATH_CHEAPEST_ARC",
    "PATH_MOST_CONSTRAINED_ARC",
    "SAVINGS",
    "PARALLEL_SAVINGS",
    "CHRISTOFIDES",
    "ALL_UNPERFORMED",
    "BEST_INSERTION",
    "PARALLEL_CHEAPEST_INSERTION",
    "SEQUENTIAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_COST_INSERTION",
    "GLOBAL_CHEAPEST_ARC",
    "LOCAL_CHEAPEST_ARC",
    "FIRST_UNBOUND_MIN_VALUE",
)
METAHEURISTICS = (
    "AUTOMATIC",
    "GREEDY_DESCENT",
    "GUIDED_LOCAL_SEARCH",
    "SIMULATED_ANNEALING",
    "TABU_SEARCH",
    "GENERIC_TABU_SEARCH",
    # OR-Tools' iterated local search (ruin and recreate), see solver.py.
    "ITERATED_LOCAL_SEARCH",
)


def validate_problem(problem: Problem) -> None:
    """Raise `ValueError` naming the first malformed part of `problem`."""
    size = _check_matrix("durations", problem.durations, None)
    if problem.distances is not None:
        _check_matrix("distances", problem.distances, size)

    _check_unique("technician", (t.id for t in problem.technicians))
    _check_unique("job", (j.id for j in problem.jobs))

    for tech in problem.technicians:
        where = f"technician {tech.id!r}"
        _check_window(f"{where} shift", tech.shift)
        if tech.shift.start < 0:
            # Cumuls of the routing model cannot be negative; windows and due times may be (an
            # appointment that opened yesterday) and are clamped, but a shift is today's.
            raise ValueError(f"{where} shift starts before the origin (t = 0)")
        _check_location(f"{where} start_location", tech.start_location, size)
        _check_location(f"{where} end_location", tech.end_location, size)
        for number, brk in enumerate(tech.breaks):
            _check_window(f"{where} break {number} window", brk.window)
            _check_non_negative(f"{where} break {number} duration", brk.duration)
        if not breaks_fit(effective_breaks(tech), tech.shift.start):
            raise ValueError(
                f"{where} breaks cannot all be taken in their windows without overlapping"
            )
        if tech.max_jobs is not None:
            _check_non_negative(f"{where} max_jobs", tech.max_jobs)
        if tech.capacity is not None:
            _check_non_negative(f"{where} capacity", tech.capacity)

    vehicle_ids = {t.id for t in problem.technicians}
    fixed_on: dict[str, str] = {}
    for job in problem.jobs:
        where = f"job {job.id!r}"
        _check_location(f"{where} location", job.location, size)
        _check_non_negative(f"{where} duration", job.duration)
        _check_non_negative(f"{where} demand", job.demand)
        if job.priority not in PRIORITIES:
            raise ValueError(
                f"{where} has unknown priority {job.priority!r}; expected one of {PRIORITIES}"
            )
        if job.window is not None:
            _check_window(f"{where} window", job.window)
        if job.fixed_to is not None:
            if job.fixed_to not in vehicle_ids:
                raise ValueError(f"{where} is fixed to unknown technician {job.fixed_to!r}")
            # Only one job can be first on a route: two in progress at once is a data error.
            if job.fixed_to in fixed_on:
                raise ValueError(
                    f"{where} and job {fixed_on[job.fixed_to]!r} are both fixed to technician "
                    f"{job.fixed_to!r}; at most one job can be first on a route"
                )
            fixed_on[job.fixed_to] = job.id


def validate_params(params: SolveParams) -> None:
    if params.time_limit_s <= 0:
        raise ValueError(f"time_limit_s must be positive, got {params.time_limit_s}")
    if params.solution_limit is not None and params.solution_limit < 1:
        raise ValueError(f"solution_limit must be at least 1, got {params.solution_limit}")
    if params.first_solution != "auto" and params.first_solution not in FIRST_SOLUTION_STRATEGIES:
        raise ValueError(
            f"unknown first_solution {params.first_solution!r}; expected 'auto' or one of "
            f"{FIRST_SOLUTION_STRATEGIES}"
        )
    if params.metaheuristic not in METAHEURISTICS:
        raise ValueError(
            f"unknown metaheuristic {params.metaheuristic!r}; expected one of {METAHEURISTICS}"
        )
    if params.vehicle_fixed_cost < 0:
        raise ValueError(
            f"vehicle_fixed_cost must not be negative, got {params.vehicle_fixed_cost}"
        )
    if params.workers < 1:
        raise ValueError(f"workers must be at least 1, got {params.workers}")
    weights = params.weights
    for name, table in (("lateness", weights.lateness), ("drop", weights.drop)):
        given = dict(table)
        missing = [p for p in PRIORITIES if p not in given]
        if missing:
            raise ValueError(f"weights.{name} has no value for priorities {missing}")
        unknown = sorted(set(given) - set(PRIORITIES))
        if unknown:
            raise ValueError(f"weights.{name} names unknown priorities {unknown}")
        if any(value < 0 for value in given.values()):
            raise ValueError(f"weights.{name} must not be negative")
    for name, value in (
        ("travel", weights.travel),
        ("balance", weights.balance),
        ("territory_penalty", weights.territory_penalty),
    ):
        _check_non_negative(f"weights.{name}", value)


def _check_matrix(name: str, matrix: tuple[tuple[int, ...], ...], size: int | None) -> int:
    rows = len(matrix)
    if size is not None and rows != size:
        raise ValueError(f"{name} has {rows} rows but durations has {size}")
    for number, row in enumerate(matrix):
        if len(row) != rows:
            raise ValueError(
                f"{name} is not square: row {number} has {len(row)} entries, expected {rows}"
            )
        # One pass per row in C (min, all) keeps this cheap on 1000 x 1000 matrices.
        if not all(type(value) is int for value in row):
            raise ValueError(f"{name} row {number} holds a value that is not an int")
        if row and min(row) < 0:
            raise ValueError(f"{name} row {number} holds a negative value")
    return rows


def _check_unique(kind: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {kind} id {item!r}")
        seen.add(item)


def _check_window(where: str, window: Window) -> None:
    if window.end < window.start:
        raise ValueError(f"{where} ends ({window.end}) before it starts ({window.start})")


def _check_location(where: str, location: int, size: int) -> None:
    if not 0 <= location < size:
        raise ValueError(f"{where} {location} is out of range for a {size} x {size} matrix")


def _check_non_negative(where: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{where} must not be negative, got {value}")
