"""The optimizer's inputs and outputs: frozen dataclasses in integer units.

Times are whole seconds from the problem's origin (t = 0, e.g. midnight of the first planned
day in the organisation's time zone); distances are whole metres; locations are indices into
the travel matrices. Nothing here knows about the database, Flask or OR-Tools.

A technician working several days is one `Technician` per day (the same `engineer_id`, a
different `id` and shift): a plan spans days by giving each day its own route.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PRIORITIES = ("urgent", "high", "medium", "low")

# Why a job is not in the plan. Computed by feasibility checks, not guessed.
NO_SKILLED_ENGINEER = "no_skilled_engineer"
OUTSIDE_ALL_SHIFTS = "outside_all_shifts"
WINDOW_UNREACHABLE = "window_unreachable"
CAPACITY = "capacity"
DROPPED_FOR_PRIORITY = "dropped_for_priority"
REASONS = (
    NO_SKILLED_ENGINEER,
    OUTSIDE_ALL_SHIFTS,
    WINDOW_UNREACHABLE,
    CAPACITY,
    DROPPED_FOR_PRIORITY,
)


@dataclass(frozen=True)
class Window:
    """[start, end] in seconds; for a job, the start of service must fall inside it."""

    start: int
    end: int


@dataclass(frozen=True)
class Break:
    """A break of `duration` seconds that must start inside `window` (e.g. lunch 11:30-13:30,
    45 minutes), taken wherever the technician is at that moment."""

    window: Window
    duration: int


@dataclass(frozen=True)
class Technician:
    """One engineer on one working day: a vehicle of the routing model."""

    id: str
    shift: Window
    start_location: int
    end_location: int
    # Skill code -> level (1..5).
    skills: tuple[tuple[str, int], ...] = ()
    breaks: tuple[Break, ...] = ()
    max_jobs: int | None = None
    # Load units (the VRPTW benchmarks' capacity); None: unlimited.
    capacity: int | None = None
    territories: frozenset[str] = frozenset()
    # The person behind this vehicle, for multi-day plans and pins; defaults to `id`.
    engineer_id: str | None = None
    day: int = 0

    @property
    def engineer(self) -> str:
        return self.engineer_id or self.id


@dataclass(frozen=True)
class Job:
    id: str
    location: int
    duration: int
    # Required skill code -> minimum level.
    skills: tuple[tuple[str, int], ...] = ()
    priority: str = "medium"
    # Appointment window: hard.
    window: Window | None = None
    # SLA due time for the start of service: soft, its lateness penalised by priority.
    due: int | None = None
    # Only this engineer (an engineer id; any of their days) may do it.
    pinned_to: str | None = None
    # In progress or already started by this technician (vehicle id): first on their route.
    fixed_to: str | None = None
    demand: int = 0
    territory: str | None = None


@dataclass(frozen=True)
class Problem:
    technicians: tuple[Technician, ...]
    jobs: tuple[Job, ...]
    # durations[a][b]: travel seconds from location a to b; distances likewise in metres
    # (None: the objective's travel cost is the duration).
    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...] | None = None
    # Territories where only that territory's engineers may go (others pay `territory_penalty`
    # per cross-territory job).
    strict_territories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Weights:
    """Objective terms, all in the units of travel cost (seconds, or metres with distances)."""

    travel: int = 1
    # Per second of lateness against a job's SLA due time, by priority.
    lateness: tuple[tuple[str, int], ...] = (("urgent", 20), ("high", 6), ("medium", 2), ("low", 1))
    # Cost of leaving a job out, by priority: far above any travel, so work is dropped only
    # when it cannot fit, and lower priorities first.
    drop: tuple[tuple[str, int], ...] = (
        ("urgent", 100_000_000),
        ("high", 10_000_000),
        ("medium", 1_000_000),
        ("low", 100_000),
    )
    # Per job over the average on one technician's day (0: no balancing).
    balance: int = 0
    territory_penalty: int = 3_600


@dataclass(frozen=True)
class SolveParams:
    time_limit_s: float = 10.0
    # Stop after this many improving solutions (deterministic with a fixed seed); None: time.
    solution_limit: int | None = None
    # "auto" picks by size; else an OR-Tools FirstSolutionStrategy name, e.g.
    # "PARALLEL_CHEAPEST_INSERTION", "SAVINGS", "PATH_CHEAPEST_ARC".
    first_solution: str = "auto"
    # An OR-Tools LocalSearchMetaheuristic name ("GUIDED_LOCAL_SEARCH", ...), or
    # "ITERATED_LOCAL_SEARCH": OR-Tools' ruin-and-recreate iterated local search, the default
    # since it measured several times closer to the best-known Solomon distances than guided
    # local search in the same 10 s (see solver.py).
    metaheuristic: str = "ITERATED_LOCAL_SEARCH"
    seed: int = 0
    weights: Weights = field(default_factory=Weights)
    # Added by the optimizer: a cost per technician used (0: the objective is travel alone, as in
    # the distance-only VRPTW benchmarks).
    vehicle_fixed_cost: int = 0
    # Added by the optimizer: with 2 and a time limit (no solution_limit), a second, differently
    # started search runs in another process and the better plan wins. 1 keeps one process.
    workers: int = 1


@dataclass(frozen=True)
class Stop:
    job_id: str
    arrival: int
    start: int
    departure: int
    # Seconds after the job's SLA due time that service starts (0 when on time or no due).
    lateness: int = 0


@dataclass(frozen=True)
class Route:
    technician_id: str
    stops: tuple[Stop, ...]
    start: int
    end: int
    travel_time: int
    travel_distance: int
    # Where the breaks fall: (start, duration).
    breaks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Unassigned:
    job_id: str
    reason: str


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int
    # "optimal" | "feasible" | "no_solution"
    status: str
    solve_time_s: float = 0.0
