"""The work order life cycle (DESIGN §4) as one table: status x action -> status, who may act,
and the guards. Pure: facts in, a decision or a refusal out. Nothing else changes `status`.

    new --assign--> assigned --accept--> accepted --start_travel--> en_route --arrive--> in_progress
    assigned --decline(reason)--> new      assigned/accepted --assign--> assigned (reassign)
    assigned/accepted --unassign--> new    in_progress --hold(reason)--> on_hold --resume--> back
    in_progress --complete--> completed --sign_off | customer_confirm | auto_close--> closed
    completed --customer_reject(reason)--> in_progress       closed --reopen--> new
    new/assigned/accepted --cancel(reason)--> cancelled
    new/assigned/accepted --merge(into)--> cancelled --unmerge--> new   (duplicates, by hand)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    EN_ROUTE = "en_route"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Action(StrEnum):
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    ACCEPT = "accept"
    DECLINE = "decline"
    START_TRAVEL = "start_travel"
    ARRIVE = "arrive"
    HOLD = "hold"
    RESUME = "resume"
    COMPLETE = "complete"
    SIGN_OFF = "sign_off"
    CUSTOMER_CONFIRM = "customer_confirm"
    CUSTOMER_REJECT = "customer_reject"
    AUTO_CLOSE = "auto_close"
    CANCEL = "cancel"
    REOPEN = "reopen"
    MERGE = "merge"
    UNMERGE = "unmerge"


# Who acts. Staff roles are the users' roles; `customer` is someone holding the tracking code;
# `system` is the platform itself (SLA escalation, auto-close).
OFFICE = frozenset({"admin", "dispatcher"})
INTAKE = frozenset({"admin", "dispatcher", "agent"})
ASSIGNEE = frozenset({"technician"})
CUSTOMER = frozenset({"customer"})
SYSTEM = frozenset({"system"})
OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ASSIGNED, Status.ACCEPTED, Status.EN_ROUTE, Status.IN_PROGRESS,
     Status.ON_HOLD, Status.COMPLETED}
)  # fmt: skip


@dataclass(frozen=True)
class Facts:
    """What the guards need to know, gathered by the service before deciding."""

    role: str
    # The caller is the technician the order is assigned to.
    is_assignee: bool = False
    # For assign: the target engineer exists, is active, and has every required skill.
    target_technician_active: bool | None = None
    missing_skills: tuple[str, ...] = ()
    target_is_current_assignee: bool = False
    reason: str | None = None
    resolution: str | None = None
    checklist_complete: bool = True
    parts_recorded: bool = True
    signature_present: bool = False
    signer_name: str | None = None
    closed_at: datetime | None = None
    now: datetime | None = None
    reopen_window: timedelta = timedelta(days=30)
    waiting_for_parts: bool = False
    # For merge: what is wrong with the order to merge into (None: it is fine).
    merge_target_problem: str | None = "merge_target_required"
    # For unmerge: this order was merged into another.
    is_merged: bool = False


class Refusal(Exception):
    """A guard said no. `error` is the stable slug the API returns with a 409 (403 for roles)."""

    def __init__(self, error: str, *, forbidden: bool = False) -> None:
        super().__init__(error)
        self.error = error
        self.forbidden = forbidden


Guard = Callable[[Facts], str | None]


def _needs_reason(facts: Facts) -> str | None:
    return None if facts.reason and facts.reason.strip() else "reason_required"


def _assignable(facts: Facts) -> str | None:
    if facts.target_technician_active is None:
        return "technician_required"
    if not facts.target_technician_active:
        return "technician_inactive"
    if facts.missing_skills:
        return "skill_mismatch"
    if facts.target_is_current_assignee:
        return "already_assigned"
    if facts.waiting_for_parts:
        return "waiting_for_parts"
    return None


def _completable(facts: Facts) -> str | None:
    if not (facts.resolution and facts.resolution.strip()):
        return "resolution_required"
    if not facts.checklist_complete:
        return "checklist_incomplete"
    if not facts.parts_recorded:
        return "parts_not_recorded"
    return None


def _signed(facts: Facts) -> str | None:
    if not facts.signature_present:
        return "signature_required"
    if not (facts.signer_name and facts.signer_name.strip()):
        return "signer_name_required"
    return None


def _within_reopen_window(facts: Facts) -> str | None:
    if facts.closed_at is None or facts.now is None:
        return None
    if facts.now - facts.closed_at > facts.reopen_window:
        return "reopen_window_passed"
    return None


def _merge_target_ok(facts: Facts) -> str | None:
    return facts.merge_target_problem


def _was_merged(facts: Facts) -> str | None:
    return None if facts.is_merged else "not_merged"


@dataclass(frozen=True)
class Rule:
    to: Status
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    # Technicians may act only on their own job.
    assignee_only: bool = False


# The table. Anything absent is `invalid_transition`.
TRANSITIONS: Mapping[tuple[Status, Action], Rule] = {
    (Status.NEW, Action.ASSIGN): Rule(Status.ASSIGNED, OFFICE | SYSTEM, (_assignable,)),
    (Status.ASSIGNED, Action.ASSIGN): Rule(Status.ASSIGNED, OFFICE | SYSTEM, (_assignable,)),
    (Status.ACCEPTED, Action.ASSIGN): Rule(Status.ASSIGNED, OFFICE | SYSTEM, (_assignable,)),
    (Status.ASSIGNED, Action.UNASSIGN): Rule(Status.NEW, OFFICE | SYSTEM),
    (Status.ACCEPTED, Action.UNASSIGN): Rule(Status.NEW, OFFICE | SYSTEM),
    (Status.ASSIGNED, Action.ACCEPT): Rule(Status.ACCEPTED, ASSIGNEE, assignee_only=True),
    (Status.ASSIGNED, Action.DECLINE): Rule(
        Status.NEW, ASSIGNEE, (_needs_reason,), assignee_only=True
    ),
    (Status.ACCEPTED, Action.START_TRAVEL): Rule(Status.EN_ROUTE, ASSIGNEE, assignee_only=True),
    (Status.EN_ROUTE, Action.ARRIVE): Rule(Status.IN_PROGRESS, ASSIGNEE, assignee_only=True),
    (Status.IN_PROGRESS, Action.HOLD): Rule(
        Status.ON_HOLD, ASSIGNEE, (_needs_reason,), assignee_only=True
    ),
    (Status.ON_HOLD, Action.RESUME): Rule(Status.IN_PROGRESS, ASSIGNEE, assignee_only=True),
    (Status.IN_PROGRESS, Action.COMPLETE): Rule(
        Status.COMPLETED, ASSIGNEE, (_completable,), assignee_only=True
    ),
    (Status.COMPLETED, Action.SIGN_OFF): Rule(
        Status.CLOSED, ASSIGNEE, (_signed,), assignee_only=True
    ),
    (Status.COMPLETED, Action.CUSTOMER_CONFIRM): Rule(Status.CLOSED, CUSTOMER),
    (Status.COMPLETED, Action.CUSTOMER_REJECT): Rule(
        Status.IN_PROGRESS, CUSTOMER | OFFICE, (_needs_reason,)
    ),
    (Status.COMPLETED, Action.AUTO_CLOSE): Rule(Status.CLOSED, SYSTEM),
    (Status.NEW, Action.CANCEL): Rule(Status.CANCELLED, INTAKE, (_needs_reason,)),
    (Status.ASSIGNED, Action.CANCEL): Rule(Status.CANCELLED, INTAKE, (_needs_reason,)),
    (Status.ACCEPTED, Action.CANCEL): Rule(Status.CANCELLED, INTAKE, (_needs_reason,)),
    (Status.NEW, Action.MERGE): Rule(Status.CANCELLED, INTAKE, (_merge_target_ok,)),
    (Status.ASSIGNED, Action.MERGE): Rule(Status.CANCELLED, INTAKE, (_merge_target_ok,)),
    (Status.ACCEPTED, Action.MERGE): Rule(Status.CANCELLED, INTAKE, (_merge_target_ok,)),
    (Status.CANCELLED, Action.UNMERGE): Rule(Status.NEW, INTAKE, (_was_merged,)),
    (Status.CLOSED, Action.REOPEN): Rule(
        Status.NEW, INTAKE | frozenset({"manager"}), (_needs_reason, _within_reopen_window)
    ),
}


@dataclass(frozen=True)
class Decision:
    from_status: Status
    action: Action
    to_status: Status


def decide(status: Status | str, action: Action | str, facts: Facts) -> Decision:
    """The new status, or a `Refusal`: unknown pair -> invalid_transition; wrong role or not the
    assignee -> forbidden; a failed guard -> its own slug (first failing guard wins)."""
    try:
        current, wanted = Status(status), Action(action)
    except ValueError as exc:
        raise Refusal("invalid_transition") from exc
    rule = TRANSITIONS.get((current, wanted))
    if rule is None:
        raise Refusal("invalid_transition")
    if facts.role not in rule.roles:
        raise Refusal("forbidden", forbidden=True)
    if rule.assignee_only and not facts.is_assignee:
        raise Refusal("not_assignee", forbidden=True)
    for guard in rule.guards:
        problem = guard(facts)
        if problem:
            raise Refusal(problem)
    return Decision(current, wanted, rule.to)


def allowed_actions(status: Status | str, *, role: str, is_assignee: bool) -> list[str]:
    """Actions this caller may try now (guards that need a payload are left to the attempt)."""
    current = Status(status)
    actions = []
    for (from_status, action), rule in TRANSITIONS.items():
        if from_status != current:
            continue
        if role not in rule.roles:
            continue
        if rule.assignee_only and not is_assignee:
            continue
        actions.append(action.value)
    return actions


def is_open(status: Status | str) -> bool:
    return Status(status) in OPEN_STATUSES


# Whom a job on hold waits for; only waiting for the customer pauses the SLA clocks.
HOLD_FOR = ("customer", "parts", "other")

# Which actions stop or restart the clocks, for the SLA module's bookkeeping.
PAUSES_CLOCK = frozenset({Action.HOLD})
RESUMES_CLOCK = frozenset({Action.RESUME})
RESPONDS = frozenset({Action.ACCEPT})
RESOLVES = frozenset({Action.COMPLETE})
