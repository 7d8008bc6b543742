"""VRPTW benchmark instances: reading, building our `Problem`, and one exact evaluator.

Reads VRPLIB-format VRPTW instances (Solomon, Gehring & Homberger) with `vrplib.read_instance`
and turns them into the optimizer's integer model. Whatever solver produced a solution, it is
measured here, the same way, in floating point with exact Euclidean distances:

- distance: the sum over routes of the unrounded Euclidean length of depot -> customers -> depot;
- feasibility: every customer exactly once; no more routes than the fleet; each route's load
  within capacity; leaving the depot at its ready time, travel time = Euclidean distance,
  waiting allowed, service starting no later than the customer's due date, service time spent
  at each customer (none at the depot), back at the depot by the depot's due date.

Integer model (`to_problem`): every quantity is multiplied by `SCALE` = 1000, so integers keep
three decimals. The objective matrix (`Problem.distances`) is the scaled distance rounded to the
nearest integer (error <= 0.0005 per arc); the travel-time matrix (`Problem.durations`) is the
scaled distance rounded *up*, and windows are rounded inwards, so a schedule that is feasible
in integers is feasible with exact times too (the integer model is at most 0.001 per arc more
conservative than the exact one).

Node numbering is the file's, 0-based: the depot is `instance.depot` (0 for all the shared
instances) and customers are the other indices; a route is a list of customer indices.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from server.dispatch.optimizer.model import Job, Problem, Technician, Window

SCALE = 1000
# Float slack for the exact time and capacity checks (the data are integers; sums of square roots
# are not).
EPS = 1e-6

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCHDATA = Path(os.environ.get("FIELDLINE_BENCHDATA", REPO_ROOT.parent / "shared" / "benchdata"))
BKS_DISTANCE_ONLY = BENCHDATA / "bks_distance_only.csv"

# Eight representative Solomon instances, two per kind of window: clustered with short (C101)
# and long (C201) horizons, random with tight (R101), wide (R112) and long-horizon (R201)
# windows, mixed with tight (RC101) and long-horizon, tight (RC201) and wide (RC208) windows.
SOLOMON8 = ("C101", "C201", "R101", "R112", "R201", "RC101", "RC201", "RC208")


@dataclass(frozen=True)
class Instance:
    """One VRPTW instance in the file's units (floats), 0-based node indices."""

    name: str
    coords: tuple[tuple[float, float], ...]
    demands: tuple[int, ...]
    capacity: int
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]
    depot: int
    fleet: int
    _dist: tuple[tuple[float, ...], ...] = field(default=(), repr=False, compare=False)

    @property
    def customers(self) -> list[int]:
        return [i for i in range(len(self.coords)) if i != self.depot]

    def dist(self, a: int, b: int) -> float:
        """Exact Euclidean distance (and travel time) between nodes a and b."""
        if self._dist:
            return self._dist[a][b]
        (xa, ya), (xb, yb) = self.coords[a], self.coords[b]
        return math.hypot(xa - xb, ya - yb)


def _exact_matrix(coords: Sequence[tuple[float, float]]) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(math.hypot(xa - xb, ya - yb) for xb, yb in coords) for xa, ya in coords)


def resolve(name_or_path: str) -> Path:
    """A path as given, or a bare instance name (`C101`, `R1_2_1`) looked up in the bench data."""
    path = Path(name_or_path)
    if path.exists():
        return path
    for folder in ("solomon", "homberger"):
        candidate = BENCHDATA / folder / f"{name_or_path}.vrp"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"no instance {name_or_path!r} (looked in {BENCHDATA})")


def read(path: str | Path) -> Instance:
    """Read a VRPLIB VRPTW file (coords, demands, capacity, windows, service times, depot,
    fleet). A scalar SERVICE_TIME applies to customers only; the depot has none."""
    import vrplib  # type: ignore[import-untyped]  # bench dependency (no py.typed)

    data = vrplib.read_instance(str(path), compute_edge_weights=False)
    coords = tuple((float(x), float(y)) for x, y in data["node_coord"])
    n = len(coords)
    depots = data.get("depot")
    depot = int(depots[0]) if depots is not None and len(depots) else 0
    raw_service = data.get("service_time", 0)
    if hasattr(raw_service, "__len__"):
        service = [float(s) for s in raw_service]
    else:
        service = [float(raw_service)] * n
    service[depot] = 0.0
    windows = data["time_window"]
    return Instance(
        name=str(data.get("name", Path(path).stem)),
        coords=coords,
        demands=tuple(int(d) for d in data["demand"]),
        capacity=int(data["capacity"]),
        ready=tuple(float(a) for a, _ in windows),
        due=tuple(float(b) for _, b in windows),
        service=tuple(service),
        depot=depot,
        fleet=int(data.get("vehicles", n - 1)),
        _dist=_exact_matrix(coords),
    )


def _scaled(value: float) -> int:
    return round(value * SCALE)


def int_matrices(instance: Instance) -> tuple[list[list[int]], list[list[int]]]:
    """(distances rounded to nearest, durations rounded up), both scaled by SCALE."""
    n = len(instance.coords)
    distances = [[0] * n for _ in range(n)]
    durations = [[0] * n for _ in range(n)]
    for a in range(n):
        for b in range(n):
            if a == b:
                continue
            exact = instance.dist(a, b) * SCALE
            distances[a][b] = round(exact)
            # ceil, but not one unit up for float noise on an integral value
            durations[a][b] = math.ceil(exact - 1e-9)
    return distances, durations


def int_window(instance: Instance, node: int) -> tuple[int, int]:
    """The node's window scaled, rounded inwards."""
    return (
        math.ceil(instance.ready[node] * SCALE - 1e-9),
        math.floor(instance.due[node] * SCALE + 1e-9),
    )


def int_service(instance: Instance, node: int) -> int:
    return math.ceil(instance.service[node] * SCALE - 1e-9)


def job_id(node: int) -> str:
    return str(node)


def to_problem(instance: Instance) -> Problem:
    """Our optimizer's model of the instance: one technician per vehicle of the fleet (start
    and end at the depot, shift = the depot's window, capacity), one job per customer (its
    window hard, duration = service time, demand), and the SCALE-d integer matrices. Jobs are
    "urgent" so that leaving one out always costs more than any route (distance objective only:
    no cost per vehicle)."""
    distances, durations = int_matrices(instance)
    depot_ready, depot_due = int_window(instance, instance.depot)
    technicians = tuple(
        Technician(
            id=f"v{k}",
            shift=Window(depot_ready, depot_due),
            start_location=instance.depot,
            end_location=instance.depot,
            capacity=instance.capacity,
        )
        for k in range(instance.fleet)
    )
    jobs = tuple(
        Job(
            id=job_id(c),
            location=c,
            duration=int_service(instance, c),
            window=Window(*int_window(instance, c)),
            demand=instance.demands[c],
            priority="urgent",
        )
        for c in instance.customers
    )
    return Problem(
        technicians=technicians,
        jobs=jobs,
        durations=tuple(tuple(row) for row in durations),
        distances=tuple(tuple(row) for row in distances),
    )


@dataclass(frozen=True)
class Evaluation:
    """A solution measured exactly: total distance, non-empty routes, feasibility and, when
    infeasible, what is wrong (the first few problems)."""

    distance: float
    vehicles: int
    feasible: bool
    problems: tuple[str, ...] = ()


def evaluate(instance: Instance, routes: Iterable[Sequence[int]]) -> Evaluation:
    """Measure a solution (routes of customer indices, depot implied at both ends) exactly."""
    problems: list[str] = []
    depot = instance.depot
    seen: dict[int, int] = {}
    total = 0.0
    used = 0
    for r, route in enumerate(routes):
        if not route:
            continue
        used += 1
        load = 0
        t = instance.ready[depot]
        prev = depot
        for c in route:
            if c == depot or not 0 <= c < len(instance.coords):
                problems.append(f"route {r}: bad node {c}")
                continue
            seen[c] = seen.get(c, 0) + 1
            load += instance.demands[c]
            d = instance.dist(prev, c)
            total += d
            start = max(t + d, instance.ready[c])
            if start > instance.due[c] + EPS:
                problems.append(
                    f"route {r}: customer {c} starts {start:.4f} > due {instance.due[c]}"
                )
            t = start + instance.service[c]
            prev = c
        d = instance.dist(prev, depot)
        total += d
        if t + d > instance.due[depot] + EPS:
            problems.append(f"route {r}: back at {t + d:.4f} > depot due {instance.due[depot]}")
        if load > instance.capacity:
            problems.append(f"route {r}: load {load} > capacity {instance.capacity}")
    missing = [c for c in instance.customers if c not in seen]
    if missing:
        problems.append(f"{len(missing)} customers not served, e.g. {missing[:5]}")
    twice = [c for c, k in seen.items() if k > 1]
    if twice:
        problems.append(f"{len(twice)} customers served more than once, e.g. {twice[:5]}")
    if used > instance.fleet:
        problems.append(f"{used} routes > fleet {instance.fleet}")
    return Evaluation(
        distance=total, vehicles=used, feasible=not problems, problems=tuple(problems[:5])
    )


@dataclass(frozen=True)
class BestKnown:
    vehicles: int
    distance: float
    feasible_exact: bool


def read_bks(path: str | Path = BKS_DISTANCE_ONLY) -> dict[str, BestKnown]:
    """Distance-only best-known solutions, re-measured with exact Euclidean distances
    (`exact_euclid_distance`): the reference for our distance objective."""
    result: dict[str, BestKnown] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            result[row["instance"]] = BestKnown(
                vehicles=int(row["vehicles"]),
                distance=float(row["exact_euclid_distance"]),
                feasible_exact=row["feasible_with_exact_euclid_times"].strip().lower() == "yes",
            )
    return result


def gap_pct(distance: float, best: float) -> float:
    return (distance - best) / best * 100.0


def read_sol(path: str | Path) -> list[list[int]]:
    """Routes of a CVRPLIB `.sol` file (customers numbered 1..n = file node index, 0-based,
    for instances whose depot is node 0)."""
    routes: list[list[int]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.lower().startswith("route"):
                routes.append([int(x) for x in line.split(":", 1)[1].split()])
    return routes
