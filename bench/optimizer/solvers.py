"""The three solvers on a VRPTW instance, each returning routes of customer indices.

- ours: `server.dispatch.optimizer.solve` on `instances.to_problem` (SCALE-d integers:
  distances rounded, travel times rounded up), `SolveParams(time_limit_s=N)`.
- VROOM (pyvroom): the same integer matrices (costs = our distance matrix, durations = our
  travel-time matrix), vehicles with capacity and the depot window, jobs with service,
  delivery amount and window; `exploration_level=5` (the maximum), `nb_threads` 1 by default,
  `timeout=N` (VROOM usually stops on its own before that).
- PyVRP: `pyvrp.read(path, round_func="exact")`, its own integer rounding (x1000, nearest, for
  distances and durations alike), `solve(stop=MaxRuntime(N), seed)`.

Times are wall-clock seconds around the solve call including building the solver's model, not
reading the file. The routes are measured afterwards by `instances.evaluate`, exactly.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bench.optimizer.instances import (
    Instance,
    int_matrices,
    int_service,
    int_window,
    to_problem,
)

SOLVERS = ("ours", "vroom", "pyvrp")


@dataclass(frozen=True)
class Run:
    routes: list[list[int]]
    time_s: float
    note: str = ""


def run_ours(
    path: Path,
    instance: Instance,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 1,
    first_solution: str = "auto",
) -> Run:
    """`SolveParams(time_limit_s=N)`; `workers` and `first_solution` only when asked."""
    from server.dispatch.optimizer import solve
    from server.dispatch.optimizer.model import SolveParams

    started = time.perf_counter()
    problem = to_problem(instance)
    params = SolveParams(time_limit_s=time_limit_s, seed=seed)
    if workers != 1:
        params = replace(params, workers=workers)
    if first_solution != "auto":
        params = replace(params, first_solution=first_solution)
    plan = solve(problem, params)
    elapsed = time.perf_counter() - started
    routes = [[int(stop.job_id) for stop in route.stops] for route in plan.routes if route.stops]
    note = f"status={plan.status} workers={workers} first_solution={first_solution}"
    if plan.unassigned:
        note += f" unassigned={len(plan.unassigned)}"
    return Run(routes, elapsed, note)


def run_vroom(
    path: Path, instance: Instance, time_limit_s: float, seed: int = 0, threads: int = 1
) -> Run:
    import vroom  # type: ignore[import-untyped]  # pyvroom ships no py.typed

    del seed  # VROOM is deterministic for a given input and thread count
    started = time.perf_counter()
    distances, durations = int_matrices(instance)
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=durations)
    problem.set_costs_matrix(profile="car", matrix_input=distances)
    depot_window = vroom.TimeWindow(*int_window(instance, instance.depot))
    for k in range(instance.fleet):
        problem.add_vehicle(
            vroom.Vehicle(
                id=k + 1,
                start=instance.depot,
                end=instance.depot,
                capacity=[instance.capacity],
                time_window=depot_window,
            )
        )
    for c in instance.customers:
        problem.add_job(
            vroom.Job(
                id=c,
                location=c,
                default_service=int_service(instance, c),
                delivery=[instance.demands[c]],
                time_windows=[vroom.TimeWindow(*int_window(instance, c))],
            )
        )
    solution = problem.solve(
        exploration_level=5,
        nb_threads=threads,
        timeout=datetime.timedelta(seconds=time_limit_s),
    )
    elapsed = time.perf_counter() - started
    frame = solution.routes
    routes = [
        [int(i) for i in group.loc[group["type"] == "job", "id"]]
        for _, group in frame.groupby("vehicle_id", sort=True)
    ]
    return Run(routes, elapsed, f"threads={threads}")


def run_pyvrp(path: Path, instance: Instance, time_limit_s: float, seed: int = 0) -> Run:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    del instance
    started = time.perf_counter()
    data = pyvrp.read(str(path), round_func="exact")
    result = pyvrp.solve(
        data, stop=MaxRuntime(time_limit_s), seed=seed, collect_stats=False, display=False
    )
    elapsed = time.perf_counter() - started
    routes = [
        [data.client(a.idx).location for a in route if a.is_client()]
        for route in result.best.routes()
    ]
    return Run(routes, elapsed, f"pyvrp_feasible={result.is_feasible()}")


def runner(
    name: str, vroom_threads: int = 1, workers: int = 1, first_solution: str = "auto"
) -> Callable[[Path, Instance, float, int], Run]:
    if name == "ours":
        return lambda p, i, t, s: run_ours(p, i, t, s, workers, first_solution)
    if name == "vroom":
        return lambda p, i, t, s: run_vroom(p, i, t, s, threads=vroom_threads)
    if name == "pyvrp":
        return run_pyvrp
    raise ValueError(f"unknown solver {name!r}; choose from {', '.join(SOLVERS)}")
