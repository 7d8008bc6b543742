"""The dispatch optimizer: a pure function from a `Problem` to a `Plan`.

    from server.dispatch.optimizer import Job, Problem, Technician, Window, solve

    plan = solve(Problem(technicians=..., jobs=..., durations=...), SolveParams(time_limit_s=5))

Inputs and outputs are the frozen dataclasses of `model.py` (integer seconds and metres,
locations as matrix indices); `solver.py` builds and searches the OR-Tools routing model;
`reasons.py` holds the feasibility checks that say why a job is unassigned; `validate.py`
refuses malformed input with `ValueError`. Nothing here touches the database or Flask.
"""

from .model import (
    CAPACITY,
    DROPPED_FOR_PRIORITY,
    NO_SKILLED_ENGINEER,
    OUTSIDE_ALL_SHIFTS,
    PRIORITIES,
    REASONS,
    WINDOW_UNREACHABLE,
    Break,
    Job,
    Plan,
    Problem,
    Route,
    SolveParams,
    Stop,
    Technician,
    Unassigned,
    Weights,
    Window,
)
from .solver import solve

__all__ = [
    "CAPACITY",
    "DROPPED_FOR_PRIORITY",
    "NO_SKILLED_ENGINEER",
    "OUTSIDE_ALL_SHIFTS",
    "PRIORITIES",
    "REASONS",
    "WINDOW_UNREACHABLE",
    "Break",
    "Job",
    "Plan",
    "Problem",
    "Route",
    "SolveParams",
    "Stop",
    "Technician",
    "Unassigned",
    "Weights",
    "Window",
    "solve",
]
