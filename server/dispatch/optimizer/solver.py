"""`solve(problem, params) -> Plan`: the dispatch day as an OR-Tools routing model.

The model, in the words of the routing library:

- **Vehicles.** One per `Technician` (an engineer-day), starting and ending at its own
  locations. Nodes are the distinct start/end locations followed by the jobs that survived the
  feasibility checks of `reasons.py`; a job that no technician could serve even alone is never
  put in the model, only reported with its reason (this also keeps the model small).
- **Who may go where.** Each job's allowed vehicles are the technicians that passed those checks
  (skills, pin, strict territory, capacity, and time alone). A job `fixed_to` a technician is
  mandatory, allowed on that vehicle only, and the successor of its start: it is first.
- **Time.** A dimension whose transit i -> j is the service time at i plus the travel time
  i -> j, so the cumul at a node is the start of service there; slack is waiting. Shifts bound
  the cumuls of each vehicle's start and end, appointment windows bound a job's cumul (hard),
  SLA due times are soft upper bounds costing `Weights.lateness[priority]` per second late.
  Breaks are fixed-duration interval variables on the time dimension
  (`SetBreakIntervalsOfVehicle`, with the service time of each node as its visit transit):
  they may interrupt travel or fall while waiting, never during a service, and each arc's slack
  must hold the breaks taken on it. After the search, each route's start is pushed as late and
  its end as early as the plan allows (finalizers), so nobody leaves earlier than needed.
- **Load.** A capacity dimension on `Job.demand` when any technician has a `capacity`; a count
  dimension (1 per job) when any technician has `max_jobs` or `Weights.balance` is set.
- **Balance.** A soft upper bound on each technician's job count at ceil(jobs / technicians),
  costing `Weights.balance` per job above it: this is exactly "per job over the average" of the
  weight's definition and, unlike a global span cost, leaves the travel objective untouched
  while the day is evenly loaded.
- **Cost.** Per arc: travel (distances when given, else durations) times `Weights.travel`, plus
  `Weights.territory_penalty` on arcs *into* a job whose territory the technician does not
  cover (only when both have territories); each job has one incoming arc, so the penalty is
  paid once per cross-territory job. Vehicles with the same penalised jobs share one cost
  matrix (one cost class), so a fleet with few territories stays cheap to search.
- **Optional work.** Every other job is a disjunction whose penalty is `Weights.drop[priority]`:
  when not everything fits, the cheapest work to leave out is the lowest priority, and urgent
  work is dropped only when it cannot be served.
- **Search.** A first solution (`SolveParams.first_solution`, "auto" picking by size, see
  `_first_solution`), then guided local search by default, bounded by a solution limit
  (deterministic: OR-Tools routing is single-threaded and we iterate in input order) or a time
  limit. `seed` 0 keeps the input order; another seed shuffles the order of the jobs in the
  model, a deterministic way to get a different search (used by the second worker).
- **Two cores.** With `workers=2`, a time-limited solve of a problem large enough to matter runs
  a second search from a different first solution in another process, and keeps the plan with
  the lower objective (ties: the first worker's).

Plans are read back in integer seconds: a stop's `start` is the cumul (start of service),
`arrival` is when the technician gets there when leaving the previous stop as soon as its
service ends (breaks interrupting the drive at their planned times), `departure` is start plus
duration. A route's `start` is when the technician leaves the start location, its `end` when
they reach the end location.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from ortools.constraint_solver import (  # type: ignore[import-untyped]  # ortools ships no py.typed
    pywrapcp,
    routing_enums_pb2,
    routing_heuristic_parameters_pb2,
    routing_ils_pb2,
)
from ortools.util import optional_boolean_pb2  # type: ignore[import-untyped]

from .model import (
    DROPPED_FOR_PRIORITY,
    Job,
    Plan,
    Problem,
    Route,
    SolveParams,
    Stop,
    Technician,
    Unassigned,
)
from .reasons import Assessment, assess, effective_breaks
from .validate import validate_params, validate_problem

# Below this many jobs a second worker costs more (process start, pickling) than it finds.
_PORTFOLIO_MIN_JOBS = 50

# Stall guard (see `_StallGuard`): checks without a new solution before the search is ended.
_STALL_MIN_CHECKS = 50_000
_STALL_SCANS = 200
# Below this many jobs, guided local search replaces iterated local search (see `_metaheuristic`).
_ILS_MIN_JOBS = 30

_STATUS = routing_enums_pb2.RoutingSearchStatus
_GREEDY_DESCENT = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
_SORT_BY_PENALTY = (
    routing_heuristic_parameters_pb2.LocalCheapestInsertionParameters.SORTING_PROPERTY_PENALTY
)
_INSERTION = routing_heuristic_parameters_pb2.LocalCheapestInsertionParameters
_SORT_BY_ALLOWED_VEHICLES = _INSERTION.SORTING_PROPERTY_ALLOWED_VEHICLES
_BOOL_FALSE = optional_boolean_pb2.OptionalBoolean.BOOL_FALSE

# Not an OR-Tools LocalSearchMetaheuristic but its iterated local search: ruin and recreate
# perturbations (SISR: removing strings of nearby visits), each followed by a greedy descent,
# accepted by simulated annealing. On the Solomon instances it reaches gaps several times
# smaller than guided local search in the same 10 s (see `_ITERATED_LOCAL_SEARCH`).
ITERATED_LOCAL_SEARCH = "ITERATED_LOCAL_SEARCH"
_OPERATORS_OFF_IN_DESCENT = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    "use_relocate_expensive_chain",
    "use_exchange_subtrip",
    "use_relocate_subtrip",
    "use_swap_active_chain",
    "use_shortest_path_swap_active",
    "use_shortest_path_two_opt",
    "use_make_chain_inactive",
    "use_light_relocate_pair",
    "use_relocate_pair",
    "use_exchange_pair",
)


def solve(problem: Problem, params: SolveParams = SolveParams()) -> Plan:  # noqa: B008  # frozen
    """Plan `problem`: routes for the technicians, and a reason for every job left out.

    Raises `ValueError` for a malformed problem or parameters (see `validate.py`)."""
    started = time.perf_counter()
    validate_problem(problem)
    validate_params(params)

    assessments = [assess(problem, job) for job in problem.jobs]
    candidates = tuple(i for i, a in enumerate(assessments) if a.reason is None)
    if not candidates:
        plan = Plan(routes=(), unassigned=(), objective=0, status="optimal")
    elif (
        params.workers > 1
        and params.solution_limit is None
        and len(candidates) >= _PORTFOLIO_MIN_JOBS
    ):
        plan = _solve_portfolio(problem, params, assessments, candidates)
    else:
        plan = _solve_model(problem, params, assessments, candidates)

    served = {stop.job_id for route in plan.routes for stop in route.stops}
    left_out = {u.job_id: u for u in plan.unassigned}
    unassigned = []
    for job, assessment in zip(problem.jobs, assessments, strict=True):
        if assessment.reason is not None:
            unassigned.append(Unassigned(job.id, assessment.reason))
        elif job.id not in served:
            unassigned.append(left_out.get(job.id, Unassigned(job.id, DROPPED_FOR_PRIORITY)))
    return replace(
        plan, unassigned=tuple(unassigned), solve_time_s=round(time.perf_counter() - started, 3)
    )


def _solve_portfolio(
    problem: Problem,
    params: SolveParams,
    assessments: list[Assessment],
    candidates: tuple[int, ...],
) -> Plan:
    """Two searches on two cores: ours, and one started differently in a child process."""
    other = replace(params, seed=params.seed + 1, workers=1)
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_solve_model, problem, other, assessments, candidates)
        mine = _solve_model(problem, params, assessments, candidates)
        theirs = future.result()
    if theirs.status != "no_solution" and (
        mine.status == "no_solution" or theirs.objective < mine.objective
    ):
        return theirs
    return mine


@dataclass(frozen=True)
class _Layout:
    """Nodes of the routing model: jobs (node k is `jobs[k]`), then the distinct start and end
    locations of the technicians.

    Jobs come first on purpose: OR-Tools' ruin procedures draw a random visit among the indices
    below `Size() - vehicles()`, assuming the visits are there; with depot nodes first and
    fewer jobs than technicians' depots, that draw never succeeds and the search loops forever
    (found in ortools 9.15, regardless of time limits).
    """

    jobs: tuple[Job, ...]
    allowed: tuple[tuple[int, ...], ...]
    locations: tuple[int, ...]
    service: tuple[int, ...]
    depot_of: dict[int, int]

    def per_node(self, values: Sequence[int]) -> list[int]:
        """A vector over nodes from one value per job (0 at the depots)."""
        return [*values, *(0 for _ in range(len(self.locations) - len(self.jobs)))]


def _layout(
    problem: Problem, params: SolveParams, assessments: list[Assessment], candidates: Sequence[int]
) -> _Layout:
    order = list(candidates)
    if params.seed:
        # Deterministic for a given seed; only perturbs tie-breaking inside the search.
        random.Random(params.seed).shuffle(order)  # noqa: S311  # not security-related
    depot_locations = sorted(
        {t.start_location for t in problem.technicians}
        | {t.end_location for t in problem.technicians}
    )
    jobs = tuple(problem.jobs[i] for i in order)
    return _Layout(
        jobs=jobs,
        allowed=tuple(assessments[i].feasible for i in order),
        locations=(*(job.location for job in jobs), *depot_locations),
        service=(*(job.duration for job in jobs), *(0 for _ in depot_locations)),
        depot_of={location: len(jobs) + k for k, location in enumerate(depot_locations)},
    )


def _solve_model(
    problem: Problem,
    params: SolveParams,
    assessments: list[Assessment],
    candidates: tuple[int, ...],
) -> Plan:
    layout = _layout(problem, params, assessments, candidates)
    techs = problem.technicians
    weights = params.weights
    lateness = dict(weights.lateness)
    drop = dict(weights.drop)
    vehicles = len(techs)

    manager = pywrapcp.RoutingIndexManager(
        len(layout.locations),
        vehicles,
        [layout.depot_of[t.start_location] for t in techs],
        [layout.depot_of[t.end_location] for t in techs],
    )
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    # Time: transit i -> j is service at i plus travel; matrices are far faster than callbacks.
    locations = layout.locations
    durations = problem.durations
    time_matrix = [
        [service + row[to] for to in locations]
        for service, row in (
            (s, durations[loc]) for s, loc in zip(layout.service, locations, strict=True)
        )
    ]
    time_transit = routing.RegisterTransitMatrix(time_matrix)
    horizon = max(t.shift.end for t in techs)
    routing.AddDimension(time_transit, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")

    # Cost: travel, plus the territory penalty on arcs into jobs outside a vehicle's territories.
    travel = problem.distances if problem.distances is not None else durations
    base = [[weights.travel * travel[loc][to] for to in locations] for loc in locations]
    cost_classes: dict[tuple[int, ...], int] = {}
    for vehicle, tech in enumerate(techs):
        penalised: tuple[int, ...] = ()
        if tech.territories and weights.territory_penalty:
            penalised = tuple(
                k
                for k, job in enumerate(layout.jobs)
                if job.territory is not None and job.territory not in tech.territories
            )
        if penalised not in cost_classes:
            matrix = base
            if penalised:
                matrix = [list(row) for row in base]
                for row in matrix:
                    for node in penalised:
                        row[node] += weights.territory_penalty
            cost_classes[penalised] = routing.RegisterTransitMatrix(matrix)
        routing.SetArcCostEvaluatorOfVehicle(cost_classes[penalised], vehicle)
    if params.vehicle_fixed_cost:
        routing.SetFixedCostOfAllVehicles(params.vehicle_fixed_cost)

    for vehicle, tech in enumerate(techs):
        time_dim.CumulVar(routing.Start(vehicle)).SetRange(tech.shift.start, tech.shift.end)
        time_dim.CumulVar(routing.End(vehicle)).SetRange(tech.shift.start, tech.shift.end)

    fixed_vehicles = {t.id: v for v, t in enumerate(techs)}
    for k, job in enumerate(layout.jobs):
        index = manager.NodeToIndex(k)
        allowed = layout.allowed[k]
        low = min(techs[v].shift.start for v in allowed)
        high = max(techs[v].shift.end for v in allowed)
        if job.window is not None:
            low, high = max(low, job.window.start), min(high, job.window.end)
        time_dim.CumulVar(index).SetRange(low, high)
        if job.due is not None and lateness[job.priority] > 0:
            time_dim.SetCumulVarSoftUpperBound(index, max(0, job.due), lateness[job.priority])
        if job.fixed_to is not None:
            # Mandatory (no disjunction) and right after the start: the job in progress. The
            # checks guarantee the technician can do it alone, so a solution always exists.
            vehicle = fixed_vehicles[job.fixed_to]
            routing.NextVar(routing.Start(vehicle)).SetValue(index)
        else:
            routing.AddDisjunction([index], drop[job.priority])

    _forbid_disallowed(routing, layout, vehicles)

    # Breaks: the visit transit of a node is its service time, which a break may not overlap.
    visit_transits = [layout.service[manager.IndexToNode(i)] for i in range(routing.Size())]
    break_vars: list[list[object]] = []
    for vehicle, tech in enumerate(techs):
        intervals = [
            solver.FixedDurationIntervalVar(
                brk.start_min, brk.start_max, brk.duration, False, f"break {tech.id} {n}"
            )
            for n, brk in enumerate(effective_breaks(tech))
        ]
        if intervals:
            time_dim.SetBreakIntervalsOfVehicle(intervals, vehicle, visit_transits)
        break_vars.append(intervals)

    job_count = len(layout.jobs)
    if any(t.capacity is not None for t in techs):
        demands = layout.per_node([job.demand for job in layout.jobs])
        unlimited = sum(demands)
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(demands),
            0,
            [t.capacity if t.capacity is not None else unlimited for t in techs],
            True,
            "load",
        )
    if weights.balance or any(t.max_jobs is not None for t in techs):
        ones = layout.per_node([1] * job_count)
        routing.AddDimensionWithVehicleCapacity(
            routing.RegisterUnaryTransitVector(ones),
            0,
            [min(t.max_jobs, job_count) if t.max_jobs is not None else job_count for t in techs],
            True,
            "jobs",
        )
        if weights.balance:
            count_dim = routing.GetDimensionOrDie("jobs")
            fair_share = math.ceil(job_count / vehicles)
            for vehicle in range(vehicles):
                count_dim.SetCumulVarSoftUpperBound(
                    routing.End(vehicle), fair_share, weights.balance
                )

    # Finish as early as possible, then leave as late as that allows: the day runs as soon as it
    # can, without waiting at the first stop. (Finalizers run in the order they are added.)
    for vehicle in range(vehicles):
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(vehicle)))
    for vehicle in range(vehicles):
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(vehicle)))

    # With breaks, pricing SLA lateness exactly needs OR-Tools' LP/MIP scheduling in every move
    # filter: measured on the 300-job field day, it halves the moves examined in 10 s and the
    # plan serves fewer jobs. Without it, lateness is priced from the earliest service starts,
    # blind to breaks (low by at most a break's length), while feasibility (windows, shifts,
    # breaks) stays exact; the reported lateness is always the real one.
    has_breaks = any(break_vars)
    has_due = any(job.due is not None for job in layout.jobs)
    metaheuristic = _metaheuristic(params, layout)
    search = _search_parameters(
        params,
        job_count,
        metaheuristic=metaheuristic,
        mixed_priorities=len({drop[job.priority] for job in layout.jobs}) > 1,
        exact_costs=not (has_breaks and has_due),
    )
    iterated = metaheuristic == ITERATED_LOCAL_SEARCH
    guard = _StallGuard(len(layout.locations))
    routing.AddAtSolutionCallback(guard.on_solution)
    routing.AddSearchMonitor(solver.CustomLimit(guard.stalled))
    if iterated:
        solution = routing.SolveWithIteratedLocalSearch(search)
    else:
        solution = routing.SolveWithParameters(search)
    status = routing.status()
    if solution is None:
        return Plan(routes=(), unassigned=(), objective=0, status="no_solution")

    routes = []
    for vehicle, tech in enumerate(techs):
        nodes = []
        index = routing.Start(vehicle)
        start = int(solution.Value(time_dim.CumulVar(index)))
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            nodes.append(
                (manager.IndexToNode(index), int(solution.Value(time_dim.CumulVar(index))))
            )
            index = solution.Value(routing.NextVar(index))
        if not nodes:
            continue
        breaks = sorted(
            (int(solution.StartValue(var)), brk.duration)
            for var, brk in zip(break_vars[vehicle], effective_breaks(tech), strict=True)
        )
        routes.append(_route(problem, layout, tech, start, nodes, breaks))

    return Plan(
        routes=tuple(routes),
        unassigned=(),
        objective=int(solution.ObjectiveValue()),
        status="optimal" if status == _STATUS.ROUTING_OPTIMAL else "feasible",
    )


def _forbid_disallowed(routing: Any, layout: _Layout, vehicles: int) -> None:
    """Keep each job off the vehicles that may not serve it (skills, pins, territories, ...).

    `SetAllowedVehiclesForIndex` is the library's call for this, but its Python binding in
    ortools 9.15 accepts no Python value at all (absl::Span<const int>). Restricting the domain
    of `VehicleVar` instead is enforced only by constraint propagation, which the insertion
    heuristics do not consult: they kept proposing forbidden vehicles and left a fifth of a
    skills-heavy field day unserved. So: a dimension counting forbidden visits, with capacity 0
    on every vehicle and a per-vehicle transit of 1 at the jobs that vehicle may not serve. Its
    cumul filter rejects a forbidden insertion at once, in every heuristic and operator.
    """
    allowed = [frozenset(vehicles_of_job) for vehicles_of_job in layout.allowed]
    if all(len(a) == vehicles for a in allowed):
        return
    evaluators: dict[tuple[int, ...], int] = {}
    per_vehicle = []
    for vehicle in range(vehicles):
        forbidden = tuple(0 if vehicle in a else 1 for a in allowed)
        if forbidden not in evaluators:
            evaluators[forbidden] = routing.RegisterUnaryTransitVector(layout.per_node(forbidden))
        per_vehicle.append(evaluators[forbidden])
    routing.AddDimensionWithVehicleTransitAndCapacity(
        per_vehicle, 0, [0] * vehicles, True, "forbidden"
    )


def _route(
    problem: Problem,
    layout: _Layout,
    tech: Technician,
    start: int,
    nodes: list[tuple[int, int]],
    breaks: list[tuple[int, int]],
) -> Route:
    """Times along one route, from the service starts the solver chose."""
    durations = problem.durations
    distances = problem.distances
    stops = []
    location = tech.start_location
    ready = start
    travel_time = 0
    travel_distance = 0
    for node, service_start in nodes:
        job = layout.jobs[node]
        leg = durations[location][job.location]
        travel_time += leg
        if distances is not None:
            travel_distance += distances[location][job.location]
        departure = service_start + job.duration
        lateness = max(0, service_start - job.due) if job.due is not None else 0
        stops.append(
            Stop(
                job_id=job.id,
                arrival=_arrival(ready, leg, breaks),
                start=service_start,
                departure=departure,
                lateness=lateness,
            )
        )
        location, ready = job.location, departure
    leg = durations[location][tech.end_location]
    travel_time += leg
    if distances is not None:
        travel_distance += distances[location][tech.end_location]
    return Route(
        technician_id=tech.id,
        stops=tuple(stops),
        start=start,
        end=_arrival(ready, leg, breaks),
        travel_time=travel_time,
        travel_distance=travel_distance,
        breaks=tuple(breaks),
    )


def _arrival(departure: int, travel: int, breaks: list[tuple[int, int]]) -> int:
    """When a drive of `travel` seconds leaving at `departure` ends, paused by `breaks`."""
    now, remaining = departure, travel
    for begin, length in breaks:
        if begin >= now + remaining:
            break
        remaining -= max(0, begin - now)
        now = max(now, begin + length)
    return now + remaining


def _metaheuristic(params: SolveParams, layout: _Layout) -> str:
    """The metaheuristic actually used: as asked, except on days too small to need one.

    Every job with one possible technician and no technician with two jobs: the first solution
    is the answer (up to dropping), so a greedy descent. Iterated local search on a small day
    (under `_ILS_MIN_JOBS` jobs): guided local search instead. On small, tightly constrained
    days the ruin and recreate can find nothing new, and OR-Tools' ILS then loops until the
    time limit: it honours neither search monitors nor cancellation, and the call that would
    shorten its time limit (`UpdateTimeLimit`) takes an absl::Duration that its Python binding
    cannot build. Guided local search stops there by the stall guard, and is just as good on a
    day that small.
    """
    if _nothing_to_search(layout.allowed):
        return "GREEDY_DESCENT"
    if params.metaheuristic == ITERATED_LOCAL_SEARCH and len(layout.jobs) < _ILS_MIN_JOBS:
        return "GUIDED_LOCAL_SEARCH"
    return params.metaheuristic


def _search_parameters(
    params: SolveParams,
    jobs: int,
    *,
    metaheuristic: str,
    mixed_priorities: bool = False,
    exact_costs: bool = True,
) -> Any:
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy,
        _first_solution(params, jobs, mixed_priorities=mixed_priorities),
    )
    # Local cheapest insertion (a first solution, and the "recreate" of iterated local search)
    # inserts jobs one by one: the dearest to drop first (urgent before low, so that cheap
    # low-priority work cannot fill a day before the urgent work is placed), then those with
    # the fewest technicians able to do them.
    sorting = search.local_cheapest_insertion_parameters.insertion_sorting_properties
    sorting.extend((_SORT_BY_PENALTY, _SORT_BY_ALLOWED_VEHICLES))
    if not exact_costs:
        # See `_solve_model`: breaks with SLA due times make every move go through a MIP.
        search.disable_scheduling_beware_this_may_degrade_performance = True
    if metaheuristic == ITERATED_LOCAL_SEARCH:
        _iterated_local_search(search)
    else:
        search.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
        )
    search.time_limit.FromMilliseconds(max(1, round(params.time_limit_s * 1000)))
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
    return search


def _iterated_local_search(search: Any) -> None:
    """OR-Tools' iterated local search as tuned on the Solomon set (100 customers, 10 s).

    Perturbation: SISR ruin (remove strings of about 10 nearby visits from a few neighbouring
    routes), recreate by local cheapest insertion; each perturbed solution is improved by a
    greedy descent and accepted as the new reference by simulated annealing, temperatures set
    from the average arc cost (so any unit scale works). The descent drops the expensive LNS
    operators (the ruin and recreate already plays their part, and they ate most of the time)
    and the pickup-and-delivery and chain operators that have nothing to move here: both
    measured to improve the 10-second gap.
    """
    search.local_search_metaheuristic = _GREEDY_DESCENT
    search.use_iterated_local_search = True
    ils = search.iterated_local_search_parameters
    ils.perturbation_strategy = routing_ils_pb2.PerturbationStrategy.RUIN_AND_RECREATE
    ruin_recreate = ils.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]
    sisr = ruin_recreate.ruin_strategies.add().sisr
    sisr.max_removed_sequence_size = 10
    sisr.avg_num_removed_visits = 10
    sisr.bypass_factor = 0.01
    ruin_recreate.recreate_strategy.heuristic = (
        routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
    )
    ils.improve_perturbed_solution = True
    annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
    annealing.cooling_schedule_strategy = routing_ils_pb2.CoolingScheduleStrategy.EXPONENTIAL
    annealing.automatic_temperatures = True
    ils.best_solution_acceptance_strategy.greedy_descent.SetInParent()
    operators = search.local_search_operators
    for name in _OPERATORS_OFF_IN_DESCENT:
        setattr(operators, name, _BOOL_FALSE)


class _StallGuard:
    """Ends a search that has stopped finding solutions.

    Guided local search never stops by itself: on a small, tightly constrained day
    where no move is feasible they would spin until the time limit, finding nothing. OR-Tools
    checks search limits about once per neighbour examined, so counting checks since the last
    solution measures work, not seconds: the stop is deterministic. The budget is a few hundred
    full neighbourhood scans (neighbourhoods grow with the square of the node count), far above
    the longest gap between solutions measured on the Solomon instances (~50,000 checks at 101
    nodes), and reached in well under a second on a day of a handful of jobs.
    """

    def __init__(self, nodes: int) -> None:
        self.budget = max(_STALL_MIN_CHECKS, _STALL_SCANS * nodes * nodes)
        self.checks = 0

    def on_solution(self) -> None:
        self.checks = 0

    def stalled(self) -> bool:
        self.checks += 1
        return self.checks > self.budget


def _nothing_to_search(allowed: Sequence[tuple[int, ...]]) -> bool:
    if any(len(vehicles) != 1 for vehicles in allowed):
        return False
    used = [vehicles[0] for vehicles in allowed]
    return len(set(used)) == len(used)


def _first_solution(params: SolveParams, jobs: int, *, mixed_priorities: bool = False) -> str:
    """The first-solution strategy: as asked, or for "auto":

    - mixed priorities: local cheapest insertion, urgent jobs first (see `_search_parameters`);
      parallel cheapest insertion and savings build better routes but, blind to penalties,
      left 2 to 11 of 25 urgent jobs out of the field day's first plan while low ones got in;
    - otherwise (one priority, as in the VRPTW benchmarks): savings, which gave the best first
      solutions on most Solomon and Gehring-Homberger instances measured, and is fast on
      1000 customers; parallel cheapest insertion was never best.
    """
    if params.first_solution != "auto":
        return params.first_solution
    if mixed_priorities:
        return "LOCAL_CHEAPEST_INSERTION"
    return "SAVINGS"
