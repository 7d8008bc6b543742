"""How the routing model is searched: first solution, metaheuristic, limits.

Everything here was chosen by measurement (figures in the docstrings): on the VRPTW benchmarks
(Solomon, 100 customers, 10 s, distance objective) and on the 300-job field day of
`bench/optimizer/field_day.py` (skills, windows, lunch breaks, priorities, SLA due times).
`solver.py` builds the model and calls `search_parameters` and `choose_metaheuristic`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ortools.constraint_solver import (  # type: ignore[import-untyped]  # ortools ships no py.typed
    pywrapcp,
    routing_enums_pb2,
    routing_heuristic_parameters_pb2,
    routing_ils_pb2,
)
from ortools.util import optional_boolean_pb2  # type: ignore[import-untyped]

from .model import SolveParams

# Stall guard (see `StallGuard`): checks without a new solution before the search is ended.
_STALL_MIN_CHECKS = 50_000
_STALL_SCANS = 200
# Below this many jobs, guided local search replaces iterated local search
# (see `choose_metaheuristic`).
_ILS_MIN_JOBS = 30
# From this many jobs of one priority, "auto" starts from savings (see `_first_solution`).
_SAVINGS_MIN_JOBS = 200
# Time OR-Tools may take to complete given routes before searching from them (`guided_from`).
_START_FROM_ROUTES_LIMIT_S = 1.0
# Simulated annealing temperatures of iterated local search, in mean arc costs.
_ANNEALING_START = 0.3
_ANNEALING_END = 0.003

_GREEDY_DESCENT = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
_GUIDED = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
_INSERTION = routing_heuristic_parameters_pb2.LocalCheapestInsertionParameters
_SORT_BY_PENALTY = _INSERTION.SORTING_PROPERTY_PENALTY
_SORT_FARTHEST_FIRST = _INSERTION.SORTING_PROPERTY_HIGHEST_AVG_ARC_COST_TO_VEHICLE_START_ENDS
_SORT_FEWEST_VEHICLES = _INSERTION.SORTING_PROPERTY_ALLOWED_VEHICLES
_BOOL_FALSE = optional_boolean_pb2.OptionalBoolean.BOOL_FALSE

# Not an OR-Tools LocalSearchMetaheuristic but its iterated local search: ruin and recreate
# perturbations (SISR: removing strings of nearby visits), each followed by a greedy descent,
# accepted by simulated annealing. On the Solomon instances it reaches gaps several times
# smaller than guided local search in the same 10 s (see `_iterated_local_search`).
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


def choose_metaheuristic(params: SolveParams, allowed: Sequence[tuple[int, ...]]) -> str:
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
    if _nothing_to_search(allowed):
        return "GREEDY_DESCENT"
    if params.metaheuristic == ITERATED_LOCAL_SEARCH and len(allowed) < _ILS_MIN_JOBS:
        return "GUIDED_LOCAL_SEARCH"
    return params.metaheuristic


def search_parameters(
    params: SolveParams,
    *,
    jobs: int,
    metaheuristic: str,
    mixed_priorities: bool,
    exact_costs: bool,
    mean_arc_cost: float,
) -> Any:
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = getattr(
        routing_enums_pb2.FirstSolutionStrategy,
        _first_solution(params, jobs=jobs, mixed_priorities=mixed_priorities),
    )
    # Local cheapest insertion (a first solution, and the "recreate" of iterated local search)
    # inserts jobs one by one: the dearest to drop first (urgent before low, so that cheap
    # low-priority work cannot fill a day before the urgent work is placed), then those the
    # fewest technicians may do (a job for the one plumber at level 5 before one anybody can
    # do), then the farthest from the technicians' homes first (the classic farthest
    # insertion: far jobs shape the routes, near ones fill in). Measured on 8 field days, 10 s
    # each: the middle key served 2-3 more medium jobs per day than priority and distance
    # alone (and the same travel); the most constrained job first, before priority, served
    # 211 jobs in the first plan against 223.
    sorting = search.local_cheapest_insertion_parameters.insertion_sorting_properties
    sorting.extend((_SORT_BY_PENALTY, _SORT_FEWEST_VEHICLES, _SORT_FARTHEST_FIRST))
    if not exact_costs:
        # See solver.py: with breaks, pricing SLA lateness exactly puts a MIP in every move.
        search.disable_scheduling_beware_this_may_degrade_performance = True
    if metaheuristic == ITERATED_LOCAL_SEARCH:
        _iterated_local_search(search, mean_arc_cost)
    else:
        search.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic
        )
    search.time_limit.FromMilliseconds(max(1, round(params.time_limit_s * 1000)))
    if params.solution_limit is not None:
        search.solution_limit = params.solution_limit
    return search


def _iterated_local_search(search: Any, mean_arc_cost: float) -> None:
    """OR-Tools' iterated local search as tuned on the Solomon set (100 customers, 10 s).

    Perturbation: SISR ruin (remove strings of about 10 nearby visits from a few neighbouring
    routes), recreate by local cheapest insertion; each perturbed solution is improved by a
    greedy descent and accepted as the new reference by simulated annealing, cooling from 0.3
    to 0.003 times the mean arc cost (so any unit scale works). Against OR-Tools' automatic
    temperatures, on the 5 hardest of 8 Solomon instances, 3 seeds each, 6 s: 2.8% mean gap
    against 3.1%, with less spread; single runs vary by a point or more either way, so treat
    this as a lean, not a proof. The descent runs without OR-Tools' insertion LNS operators
    (the ruin and recreate plays their part, and they ate most of the time) and, on top, without
    the pickup-and-delivery and chain operators that have nothing to move here: that took the
    5 s gap on 3 instances from 2.5% to 2.0%. Dropping `cross` or `exchange` as well made it
    worse; two operators OR-Tools leaves off (`cross_exchange`, `relocate_neighbors`) made the
    solve return no plan at all.
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
    annealing.automatic_temperatures = False
    annealing.initial_temperature = _ANNEALING_START * mean_arc_cost
    annealing.final_temperature = _ANNEALING_END * mean_arc_cost
    ils.best_solution_acceptance_strategy.greedy_descent.SetInParent()
    operators = search.local_search_operators
    for name in _OPERATORS_OFF_IN_DESCENT:
        setattr(operators, name, _BOOL_FALSE)


def guided_from(search: Any) -> Any:
    """A copy of `search` (iterated local search parameters) that runs guided local search
    instead, for a search that starts from a given solution (see solver.py, "Two stages")."""
    guided = pywrapcp.DefaultRoutingSearchParameters()
    guided.CopyFrom(search)
    guided.use_iterated_local_search = False
    guided.ClearField("iterated_local_search_parameters")
    guided.local_search_metaheuristic = _GUIDED
    # OR-Tools' own operators, among them the insertion ones that bring in dropped jobs.
    guided.local_search_operators.CopyFrom(
        pywrapcp.DefaultRoutingSearchParameters().local_search_operators
    )
    # Starting from given routes, OR-Tools first completes them (every cumul, every break) by
    # a depth-first search bounded by this limit, 0.1 s by default. With forty technicians
    # with breaks that took 0.15-0.2 s on the field day, so the search failed at once, on some
    # runs and not others; 1 s has been enough on every run since.
    guided.lns_time_limit.FromMilliseconds(round(_START_FROM_ROUTES_LIMIT_S * 1000))
    return guided


class StallGuard:
    """Ends a search that has stopped finding solutions.

    Guided local search never stops by itself: on a small, tightly constrained day where no
    move is feasible it would spin until the time limit, finding nothing. OR-Tools
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


def _first_solution(params: SolveParams, *, jobs: int, mixed_priorities: bool) -> str:
    """The first-solution strategy: as asked, or for "auto":

    - mixed priorities: local cheapest insertion, urgent jobs first (see `search_parameters`).
      Parallel cheapest insertion and savings build shorter routes but, blind to penalties,
      left 2 to 11 of the 25 urgent jobs out of the 300-job field day's first plan while
      low-priority ones got in, and the search did not recover them in 10 s;
    - one priority (as in the VRPTW benchmarks), up to `_SAVINGS_MIN_JOBS` jobs: parallel
      cheapest insertion. After 1500 iterated-local-search solutions on 8 Solomon instances it
      ended within 0.1% of savings (1.52% vs 1.45% mean gap) and well ahead of local cheapest
      insertion (2.06%), and unlike savings it copes with a small fleet (savings left 5 of 40
      jobs out with 3 technicians);
    - one priority, larger: savings, whose head start lasts. On the 400-customer R1_4_1 at
      60 s: 3.7% gap from savings, 5.7% from parallel cheapest insertion (guided local search:
      7.7%). Its first solutions were also best on most 400 and 1000-customer instances tried.
    """
    if params.first_solution != "auto":
        return params.first_solution
    if mixed_priorities:
        return "LOCAL_CHEAPEST_INSERTION"
    if jobs >= _SAVINGS_MIN_JOBS:
        return "SAVINGS"
    return "PARALLEL_CHEAPEST_INSERTION"
