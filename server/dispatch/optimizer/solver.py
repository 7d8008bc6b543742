"""`solve(problem, params) -> Plan`: the dispatch day as an OR-Tools routing model.

The model, in the words of the routing library:

- **Vehicles.** One per `Technician` (an engineer-day) that can at least get from its start to
  its end location within the shift (the library makes every vehicle drive start -> end, used
  or not, so one stranded technician would make the whole model infeasible). Nodes are the
  jobs that survived the checks of `reasons.py`, then the distinct start/end locations. A job
  that no technician could serve even alone never enters the model; it is reported with its
  reason (this also keeps the model small).
- **Who may go where.** Each job's allowed vehicles are the technicians that passed those checks
  (skills, pin, strict territory, capacity, and time alone). A job `fixed_to` a technician is
  mandatory, allowed on that vehicle only, and the successor of its start: it is first.
- **Time.** A dimension whose transit i -> j is the service time at i plus the travel time
  i -> j, so the cumul at a node is the start of service there; slack is waiting. Shifts bound
  the cumuls of each vehicle's start and end, appointment windows bound a job's cumul (hard),
  SLA due times are soft upper bounds costing `Weights.lateness[priority]` per second late.
  Breaks are fixed-duration interval variables on the time dimension
  (`SetBreakIntervalsOfVehicle`, with the service time of each node as its visit transit, the
  same convention as the transit): they may interrupt travel or fall while waiting, never
  during a service or another break, and each arc's slack must hold the breaks taken on it.
  After the search, each route ends as early as it can and then starts as late as that allows
  (finalizers), so nobody leaves earlier than needed.
- **Load.** A capacity dimension on `Job.demand` when any technician has a `capacity`; a count
  dimension (1 per job) when any technician has `max_jobs` or `Weights.balance` is set.
- **Balance.** A soft upper bound on each technician's job count at ceil(jobs / technicians),
  costing `Weights.balance` per job above it: exactly "per job over the average" of the
  weight's definition and, unlike a global span cost, it leaves the travel objective untouched
  while the day is evenly loaded.
- **Cost.** Per arc: travel (distances when given, else durations) times `Weights.travel`, plus
  `Weights.territory_penalty` on arcs *into* a job whose territory the technician does not
  cover (only when both have territories); each job has one incoming arc, so the penalty is
  paid once per cross-territory job. Vehicles with the same penalised jobs share one cost
  matrix (one cost class), so a fleet with few territories stays cheap to search. No cost per
  vehicle unless `SolveParams.vehicle_fixed_cost` asks for one.
- **Optional work.** Every other job is a disjunction whose penalty is `Weights.drop[priority]`:
  when not everything fits, the cheapest work to leave out is the lowest priority, and urgent
  work is dropped only when it cannot be served.
- **Search.** A first solution ("auto": see `search.py`), then by default OR-Tools'
  iterated local search (ruin and recreate, see `search.py`), or any OR-Tools
  local search metaheuristic by name. Bounded by the time limit and the solution limit; with a
  solution limit the result does not depend on the machine's speed (OR-Tools routing is
  single-threaded and deterministic, and we iterate in input order). A stall guard ends
  metaheuristics that have stopped finding solutions; small days use guided local search
  instead of ILS (all in `search.py`). `seed` 0 keeps the input order; another seed shuffles
  the order of the jobs in the model: a different but repeatable search.
- **Two stages.** OR-Tools' break intervals make every move dearer and its insertion
  heuristics blind: on the 300-job field day, the first plan with breaks served 223 jobs and
  10 s of search 231-234, while the same day without breaks served 236 at once and 254 after
  10 s. So on a day of `_TWO_STAGE_MIN_JOBS` jobs or more where anyone has a break, the first
  `_RELAXED_SHARE` of the time plans without breaks (a day that runs into the time the breaks
  need costs, per second, as if they had left out the cheapest job, so the plan leaves room
  where it can); then each route is cut until its breaks fit and every job not served is put
  back where it fits with them (`breaks.py`: cheapest priority out first, dearest in first),
  then dearer jobs still waiting go in for cheaper ones or for ones that move to another
  route (`exchange.py`, within `_REPAIR_SHARE` of the time); then guided local search, with
  the breaks, improves that plan for the rest of the time (OR-Tools' iterated local search
  cannot start from a given plan). If that search finds nothing from those routes, they are
  the plan (OR-Tools has read them as valid); if stage 1 found no plan or its routes cannot be
  read, the solve runs as one stage in the time left. With a solution limit, each stage gets
  it and the exchange runs to its end: still deterministic.
- **Two cores.** With `workers=2`, a time-limited solve (no solution limit) of 50 jobs or more
  runs a second search with the next seed in a spawned process, and keeps the plan with the
  lower objective (ties: the first one). The default, one worker, stays in process.

Plans are read back in integer seconds: a stop's `start` is the cumul (start of service),
`arrival` is when the technician gets there when leaving the previous stop as soon as its
service ends (breaks interrupting the drive at their planned times), `departure` is start plus
duration. A route's `start` is when the technician leaves the start location, its `end` when
they reach the end location; `travel_distance` is 0 without a distance matrix. `objective` is
the routing model's cost: travel, lateness, balance and territory penalties, fixed costs, and
the drop penalties of jobs in the model left out (jobs filtered out beforehand are not counted).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ortools.constraint_solver import (  # type: ignore[import-untyped]  # ortools ships no py.typed
    pywrapcp,
    routing_enums_pb2,
)

from . import breaks
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
from .reasons import Assessment, assess, can_work, effective_breaks
from .search import (
    ITERATED_LOCAL_SEARCH,
    StallGuard,
    choose_metaheuristic,
    guided_from,
    search_parameters,
)
from .validate import validate_params, validate_problem

# Below this many jobs a second worker costs more (process start, pickling) than it finds.
_PORTFOLIO_MIN_JOBS = 50
# The second worker ends this much before the deadline, for its plan to come back in time;
# and may take this long past it before its plan is given up.
_CHILD_RETURN_S = 0.2
_CHILD_GRACE_S = 2.0

_STATUS = routing_enums_pb2.RoutingSearchStatus

# Two stages (see the module docstring): the share of the time limit planned without breaks,
# and the fewest jobs for which it is done.
_RELAXED_SHARE = 0.7
# At most this share of the time limit for putting dearer jobs in for cheaper ones between the
# stages (`exchange.py`); it usually needs far less.
_REPAIR_SHARE = 0.1
# Set aside from the second stage's time: before its time limit starts, OR-Tools completes the
# given routes (0.15-0.2 s on the field day, 40 technicians with breaks); pricing lateness
# exactly, it overshoots its limit by up to 0.2 s; and the plan is read back after.
_STAGE_TWO_RESERVE_S = 0.35
_TWO_STAGE_MIN_JOBS = 50


def solve(problem: Problem, params: SolveParams = SolveParams()) -> Plan:  # noqa: B008  # frozen
    """Plan `problem`: routes for the technicians, and a reason for every job left out.

    Raises `ValueError` for a malformed problem or parameters (see `validate.py`)."""
    started = time.perf_counter()
    validate_problem(problem)
    validate_params(params)

    assessments = [assess(problem, job) for job in problem.jobs]
    # A technician who cannot even get from start to end within the shift would make the whole
    # routing model infeasible (every vehicle drives start -> end, used or not): leave them out.
    usable = tuple(
        v for v, tech in enumerate(problem.technicians) if can_work(tech, problem.durations)
    )
    candidates = tuple(
        i
        for i, a in enumerate(assessments)
        if a.reason is None and any(v in usable for v in a.feasible)
    )
    if not candidates:
        plan = Plan(routes=(), unassigned=(), objective=0, status="optimal")
    elif (
        params.workers > 1
        and params.solution_limit is None
        and len(candidates) >= _PORTFOLIO_MIN_JOBS
    ):
        plan = _solve_portfolio(problem, params, assessments, candidates, usable)
    else:
        plan = _solve_model(
            problem, params, assessments, candidates, usable, until=started + params.time_limit_s
        )

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
    usable: tuple[int, ...],
) -> Plan:
    """Two searches on two cores: ours, and one with another seed in a child process.

    The child is spawned, not forked: the caller may be a threaded worker, and forking a
    threaded process is unsafe. Spawning re-imports OR-Tools (a few tenths of a second), so
    the child gets the same deadline rather than the same time limit. Its work goes to it as
    the arguments of a process, which `start()` writes to the child before it returns: OR-Tools
    holds the GIL while it searches, so a process pool's feeder thread could not hand the work
    over until our own search had ended, and the two searches ran one after the other."""
    deadline = time.time() + params.time_limit_s
    other = replace(params, seed=params.seed + 1, workers=1)
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_solve_into,
        args=(sender, deadline, problem, other, assessments, candidates, usable),
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        left = deadline - time.time()  # handing the work over took a while
        mine = _solve_model(
            problem, params, assessments, candidates, usable, until=time.perf_counter() + left
        )
        theirs = _received(receiver, deadline)
    finally:
        receiver.close()
        child.join(_CHILD_GRACE_S)
        if child.is_alive():
            child.kill()
            child.join()
    if (
        theirs is not None
        and theirs.status != "no_solution"
        and (mine.status == "no_solution" or theirs.objective < mine.objective)
    ):
        return theirs
    return mine


def _solve_into(sender: Any, deadline: float, *args: Any) -> None:
    """In the child: `_solve_by`, its plan sent back through `sender` (closed, sending
    nothing, if it fails: the parent then keeps its own plan)."""
    try:
        sender.send(_solve_by(deadline - _CHILD_RETURN_S, *args))
    finally:
        sender.close()


def _received(receiver: Any, deadline: float) -> Plan | None:
    """The child's plan, if it comes by the deadline (and a grace for its last steps)."""
    try:
        if receiver.poll(max(0.0, deadline - time.time()) + _CHILD_GRACE_S):
            plan: Plan = receiver.recv()
            return plan
    except (EOFError, OSError):
        pass  # the child failed: our own plan stands
    return None


def _solve_by(
    deadline: float,
    problem: Problem,
    params: SolveParams,
    assessments: list[Assessment],
    candidates: tuple[int, ...],
    usable: tuple[int, ...],
) -> Plan:
    """`_solve_model` with whatever time is left until `deadline` (wall clock)."""
    left = max(0.1, deadline - time.time())
    return _solve_model(
        problem, replace(params, time_limit_s=left), assessments, candidates, usable
    )


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
    problem: Problem,
    params: SolveParams,
    assessments: list[Assessment],
    candidates: Sequence[int],
    usable: tuple[int, ...],
) -> _Layout:
    order = list(candidates)
    if params.seed:
        # Deterministic for a given seed; only perturbs tie-breaking inside the search.
        random.Random(params.seed).shuffle(order)  # noqa: S311  # not security-related
    techs = [problem.technicians[v] for v in usable]
    depot_locations = sorted({t.start_location for t in techs} | {t.end_location for t in techs})
    vehicle_of = {tech: vehicle for vehicle, tech in enumerate(usable)}
    jobs = tuple(problem.jobs[i] for i in order)
    return _Layout(
        jobs=jobs,
        allowed=tuple(
            tuple(vehicle_of[v] for v in assessments[i].feasible if v in vehicle_of) for i in order
        ),
        locations=(*(job.location for job in jobs), *depot_locations),
        service=(*(job.duration for job in jobs), *(0 for _ in depot_locations)),
        depot_of={location: len(jobs) + k for k, location in enumerate(depot_locations)},
    )


def _solve_model(
    problem: Problem,
    params: SolveParams,
    assessments: list[Assessment],
    candidates: tuple[int, ...],
    usable: tuple[int, ...],
    until: float | None = None,
) -> Plan:
    """One search, or two (see "Two stages" in the module docstring), ending by `until`
    (`time.perf_counter()`; default: the time limit from now) when time-limited."""
    started = time.perf_counter()
    until = started + params.time_limit_s if until is None else until
    layout = _layout(problem, params, assessments, candidates, usable)
    techs = tuple(problem.technicians[v] for v in usable)
    if _two_stage(layout, techs):
        first = replace(params, time_limit_s=(until - started) * _RELAXED_SHARE)
        relaxed = _relaxed_routes(problem, first, layout, techs)
        # With a solution limit the repair runs to its end: the plan stays repeatable.
        deadline = (
            started + (until - started) * (_RELAXED_SHARE + _REPAIR_SHARE)
            if params.solution_limit is None
            else math.inf
        )
        drop = dict(params.weights.drop)
        routes = relaxed and breaks.repair(
            problem, techs, layout.jobs, layout.allowed, drop, relaxed, deadline
        )
        if routes:
            model = _model(problem, params, layout, techs)
            solution = _search(model, initial=routes, until=until)
            if solution is not None:
                return _plan(problem, layout, techs, model, solution)
        # No plan without breaks, or routes the model would not take: one stage, time left.
        params = replace(params, time_limit_s=max(0.1, until - time.perf_counter()))
    model = _model(problem, params, layout, techs)
    solution = _search(model)
    if solution is None:
        return Plan(routes=(), unassigned=(), objective=0, status="no_solution")
    return _plan(problem, layout, techs, model, solution)


@dataclass(frozen=True)
class _Model:
    """A routing model ready to search, and what reading its solutions needs."""

    manager: Any
    routing: Any
    time_dim: Any
    break_vars: list[list[Any]]
    breaks: bool
    search: Any
    metaheuristic: str
    nodes: int


def _model(
    problem: Problem,
    params: SolveParams,
    layout: _Layout,
    techs: tuple[Technician, ...],
    *,
    with_breaks: bool = True,
) -> _Model:
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
        resting = sum(brk.duration for brk in effective_breaks(tech))
        if not with_breaks and resting:
            # Without breaks, a day that runs into the time they need costs as if the break
            # left out the cheapest job: the plan leaves room for them where it can.
            time_dim.SetCumulVarSoftUpperBound(
                routing.End(vehicle),
                max(tech.shift.start, tech.shift.end - resting),
                max(1, min(drop.values()) // resting),
            )

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
        if len(allowed) < vehicles:
            # SetAllowedVehiclesForIndex is the library's call for this, but its Python binding
            # in ortools 9.15 accepts no Python value (absl::Span<const int>). The vehicle
            # variable's domain says the same, and the routing filters and insertion
            # heuristics honour it (-1: not performed).
            routing.VehicleVar(index).SetValues([-1, *allowed])
        if job.fixed_to is not None:
            # Mandatory (no disjunction) and right after the start: the job in progress. The
            # checks guarantee the technician can do it alone, so a solution always exists.
            vehicle = fixed_vehicles[job.fixed_to]
            routing.NextVar(routing.Start(vehicle)).SetValue(index)
        else:
            routing.AddDisjunction([index], drop[job.priority])

    # Breaks: the visit transit of a node is its service time, which a break may not overlap.
    visit_transits = [layout.service[manager.IndexToNode(i)] for i in range(routing.Size())]
    break_vars: list[list[object]] = []
    for vehicle, tech in enumerate(techs):
        intervals = [
            solver.FixedDurationIntervalVar(
                brk.start_min, brk.start_max, brk.duration, False, f"break {tech.id} {n}"
            )
            for n, brk in enumerate(effective_breaks(tech) if with_breaks else ())
        ]
        if intervals:
            time_dim.SetBreakIntervalsOfVehicle(intervals, vehicle, visit_transits)
        if len(intervals) > 1:
            # The break constraint keeps breaks off visits, but not off each other when they
            # fall outside the route (seen: a 1-minute break inside a 12-minute one).
            solver.Add(solver.DisjunctiveConstraint(intervals, f"breaks {tech.id}"))
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
    metaheuristic = choose_metaheuristic(params, layout.allowed)
    search = search_parameters(
        params,
        jobs=job_count,
        metaheuristic=metaheuristic,
        mixed_priorities=len({drop[job.priority] for job in layout.jobs}) > 1,
        exact_costs=not ((has_breaks or not with_breaks) and has_due),
        mean_arc_cost=max(1.0, sum(map(sum, base)) / max(1, len(base) * (len(base) - 1))),
    )
    return _Model(
        manager=manager,
        routing=routing,
        time_dim=time_dim,
        break_vars=break_vars,
        breaks=with_breaks,
        search=search,
        metaheuristic=metaheuristic,
        nodes=len(layout.locations),
    )


def _search(model: _Model, initial: list[list[int]] | None = None, until: float = math.inf) -> Any:
    """The best solution found, or None. From `initial` (one list of nodes per vehicle) when
    given, searching until `until` (`time.perf_counter()`) at the latest: None when those
    routes break a rule of the model, the routes themselves when the search finds nothing
    from them."""
    routing, search = model.routing, model.search
    if initial is not None:
        if model.metaheuristic == ITERATED_LOCAL_SEARCH:
            # OR-Tools' iterated local search cannot start from a given solution (as a first
            # solution hint it kept 227 of 235 jobs and found nothing better in 4 s on the field
            # day): guided local search. The model is closed with the parameters it is searched
            # with: closed with the other ones, the search failed at once.
            search = guided_from(search)
        routing.CloseModelWithParameters(search)
        indices = [[model.manager.NodeToIndex(node) for node in route] for route in initial]
        assignment = routing.ReadAssignmentFromRoutes(indices, True)
        if assignment is None:
            return None
        # What is left of the time, less what its limit does not count (see the reserve).
        left = until - time.perf_counter() - _STAGE_TWO_RESERVE_S
        search.time_limit.FromMilliseconds(
            max(1, min(search.time_limit.ToMilliseconds(), round(left * 1000)))
        )
    elif model.metaheuristic == ITERATED_LOCAL_SEARCH:
        # No stall guard: ILS would ignore it, and it costs a Python call per move examined.
        return routing.SolveWithIteratedLocalSearch(search)
    guard = StallGuard(model.nodes)
    routing.AddAtSolutionCallback(guard.on_solution)
    routing.AddSearchMonitor(routing.solver().CustomLimit(guard.stalled))
    if initial is not None:
        # Should the search still not start from them (it failed at once on some runs before
        # `guided_from` raised the time OR-Tools may take to complete them), the routes as
        # read are a plan that holds every rule: keep them.
        return routing.SolveFromAssignmentWithParameters(assignment, search) or assignment
    return routing.SolveWithParameters(search)


def _relaxed_routes(
    problem: Problem, params: SolveParams, layout: _Layout, techs: tuple[Technician, ...]
) -> list[list[int]] | None:
    """The routes (nodes, by vehicle) of a plan made without breaks, None if there is none.

    Its own function so that its routing model is gone before the next one searches: with it
    still alive, the search from its routes failed at once every time (ortools 9.15)."""
    model = _model(problem, params, layout, techs, with_breaks=False)
    solution = _search(model)
    routes = _routes(model, solution) if solution is not None else None
    del model, solution
    gc.collect()  # its SWIG objects hold cycles: free them now, not at some later search
    return routes


def _visits(routing: Any, solution: Any, vehicle: int) -> list[int]:
    """The routing indices a vehicle visits in a solution, in order (no start, no end)."""
    visits = []
    index = solution.Value(routing.NextVar(routing.Start(vehicle)))
    while not routing.IsEnd(index):
        visits.append(index)
        index = solution.Value(routing.NextVar(index))
    return visits


def _routes(model: _Model, solution: Any) -> list[list[int]]:
    """Each vehicle's visits in a solution, as nodes (job k is node k)."""
    routing, manager = model.routing, model.manager
    return [
        [manager.IndexToNode(index) for index in _visits(routing, solution, vehicle)]
        for vehicle in range(routing.vehicles())
    ]


def _plan(
    problem: Problem,
    layout: _Layout,
    techs: tuple[Technician, ...],
    model: _Model,
    solution: Any,
) -> Plan:
    routing, manager, time_dim = model.routing, model.manager, model.time_dim
    status = routing.status()
    routes = []
    for vehicle, tech in enumerate(techs):
        nodes = [
            (manager.IndexToNode(index), int(solution.Value(time_dim.CumulVar(index))))
            for index in _visits(routing, solution, vehicle)
        ]
        if not nodes:
            continue
        start = int(solution.Value(time_dim.CumulVar(routing.Start(vehicle))))
        breaks = sorted(
            (int(solution.StartValue(var)), brk.duration)
            for var, brk in zip(model.break_vars[vehicle], effective_breaks(tech), strict=True)
        )
        routes.append(_route(problem, layout, tech, start, nodes, breaks))

    return Plan(
        routes=tuple(routes),
        unassigned=(),
        objective=int(solution.ObjectiveValue()),
        status="optimal" if status == _STATUS.ROUTING_OPTIMAL else "feasible",
    )


def _two_stage(layout: _Layout, techs: tuple[Technician, ...]) -> bool:
    """Whether to plan without breaks first (see "Two stages" in the module docstring)."""
    return len(layout.jobs) >= _TWO_STAGE_MIN_JOBS and any(map(effective_breaks, techs))


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
