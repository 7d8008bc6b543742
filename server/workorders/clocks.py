"""SLA clocks on work orders (DESIGN §6): started from the policy for the order's priority and
the customer's tier, paused while on hold waiting for the customer, stopped by `accept`
(response) and `complete` (resolution), and checked by a periodic task that warns at a share of
the target and escalates at breach.

The arithmetic is `sla.py` (pure); this module reads policies and calendars, keeps the order's
columns (`response_due_at`, `resolve_due_at`, `sla_state`, `sla_next_check_at`) true, and takes
each escalation step exactly once: a step is a row in `sla_escalation_steps` inserted with
ON CONFLICT DO NOTHING, and only the inserter acts on it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from server import actors
from server.auth.models import User
from server.notify import service as notify_service
from server.workorders import sla, states
from server.workorders.models import (
    PRIORITIES,
    SlaCalendar,
    SlaEscalationStep,
    SlaPolicy,
    WorkOrder,
)
from server.workorders.timeline import record_change

CLOCKS = ("response", "resolve")
DEFAULT_WARN_SHARE = 0.75
SEVERITY = {"ok": 0, "at_risk": 1, "breached": 2}
# Who hears about an escalation.
SUPERVISORS = ("manager", "dispatcher")


# --- reading policies and calendars ---------------------------------------------------------


def calendar_of(session: Session, calendar_id: uuid.UUID | str | None) -> sla.Calendar:
    row = session.get(SlaCalendar, uuid.UUID(str(calendar_id))) if calendar_id else None
    if row is None:
        return sla.Calendar.always()
    return sla.Calendar.from_config(
        tz=row.timezone,
        working_hours=row.working_hours,
        holidays=row.holidays or (),
        workdays=row.workdays or (),
    )


def policy_for(session: Session, *, priority: str, tier: str) -> SlaPolicy | None:
    """The policy for exactly this tier, else the one for every tier, else none (no clock)."""
    rows = session.scalars(
        select(SlaPolicy).where(
            SlaPolicy.priority == priority, (SlaPolicy.tier == tier) | SlaPolicy.tier.is_(None)
        )
    ).all()
    exact = [p for p in rows if p.tier == tier]
    return (exact or [p for p in rows if p.tier is None] or [None])[0]


# --- the clocks of one order ----------------------------------------------------------------


@dataclass(frozen=True)
class ClockView:
    """One clock as the API shows it."""

    due_at: datetime | None
    state: str
    stopped_at: datetime | None
    paused: bool


def _pauses(order: WorkOrder) -> list[sla.Pause]:
    return [
        sla.Pause(datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None)
        for start, end in (order.sla_pauses or [])
        if start
    ]


def _is_paused(order: WorkOrder) -> bool:
    return bool(order.sla_pauses) and order.sla_pauses[-1][1] is None


def _started_at(order: WorkOrder) -> datetime:
    terms = order.sla_terms or {}
    return (
        datetime.fromisoformat(terms["started_at"]) if "started_at" in terms else order.created_at
    )


def _stopped_at(order: WorkOrder, clock: str) -> datetime | None:
    return order.responded_at if clock == "response" else order.resolved_at


def start(session: Session, order: WorkOrder, *, tier: str, now: datetime) -> None:
    """Start (or restart, after a reopen or a priority change) the clocks from `now`'s policy."""
    policy = policy_for(session, priority=order.priority, tier=tier)
    if policy is None:
        order.sla_terms = None
        order.response_due_at = order.resolve_due_at = order.sla_next_check_at = None
        order.sla_state = "ok"
        return
    order.sla_terms = {
        "policy_id": str(policy.id),
        "calendar_id": str(policy.calendar_id),
        "response_minutes": policy.response_minutes,
        "resolve_minutes": policy.resolve_minutes,
        "started_at": (order.sla_terms or {}).get("started_at") or order.created_at.isoformat(),
    }
    refresh(session, order, now=now)


def restart(session: Session, order: WorkOrder, *, tier: str, now: datetime) -> None:
    """New clocks from now: the reopened order is a new promise."""
    order.sla_terms = {"started_at": now.isoformat()}
    order.sla_pauses = []
    start(session, order, tier=tier, now=now)


def targets(order: WorkOrder) -> dict[str, timedelta]:
    terms = order.sla_terms or {}
    return {
        "response": timedelta(minutes=terms.get("response_minutes", 0)),
        "resolve": timedelta(minutes=terms.get("resolve_minutes", 0)),
    }


def evaluate(
    cal: sla.Calendar, order: WorkOrder, *, now: datetime, warn_share: float
) -> tuple[dict[str, ClockView], datetime | None, dict[str, datetime | None]]:
    """Each clock's due time and state at `now`, and when the next threshold is crossed."""
    started = _started_at(order)
    pauses = _pauses(order)
    paused = _is_paused(order)
    views: dict[str, ClockView] = {}
    next_checks: list[datetime] = []
    due_times: dict[str, datetime | None] = {}
    for clock, target in targets(order).items():
        if target <= timedelta(0):
            continue
        stopped = _stopped_at(order, clock)
        until = min(stopped, now) if stopped else now
        elapsed = sla.clock_elapsed(cal, started, until, pauses)
        state = sla.sla_state(elapsed, target, warn_share)
        due = sla.clock_due_at(cal, started, target, pauses)
        if due is None:
            # Paused: the due time is the last one known (the API says the clock is paused).
            due = _last_due(order, clock)
        due_times[clock] = due
        views[clock] = ClockView(due_at=due, state=state, stopped_at=stopped, paused=paused)
        if stopped is None and not paused:
            if state == "ok":
                warn = sla.clock_due_at(cal, started, target * warn_share, pauses)
                if warn is not None:
                    next_checks.append(warn)
            elif state == "at_risk" and due is not None:
                next_checks.append(due)
    return views, min(next_checks, default=None), due_times


def _last_due(order: WorkOrder, clock: str) -> datetime | None:
    return order.response_due_at if clock == "response" else order.resolve_due_at


def refresh(
    session: Session,
    order: WorkOrder,
    *,
    now: datetime,
    warn_share: float = DEFAULT_WARN_SHARE,
) -> dict[str, ClockView]:
    """Recompute the order's SLA columns. A state only ever worsens while a clock runs: a
    breach stays on the record even after the job is accepted or completed."""
    if not order.sla_terms or "response_minutes" not in order.sla_terms:
        order.sla_next_check_at = None
        return {}
    cal = calendar_of(session, order.sla_terms.get("calendar_id"))
    views, next_check, due_times = evaluate(cal, order, now=now, warn_share=warn_share)
    order.response_due_at = due_times.get("response")
    order.resolve_due_at = due_times.get("resolve")
    worst = max((v.state for v in views.values()), key=SEVERITY.__getitem__, default="ok")
    if not states.is_open(order.status):
        # A finished job keeps the state it finished with.
        order.sla_next_check_at = None
        return views
    order.sla_state = max(order.sla_state, worst, key=SEVERITY.__getitem__)
    order.sla_next_check_at = next_check
    return views


def promised_eta(order: WorkOrder) -> datetime | None:
    """What the customer is told: the planned arrival once there is one, until then the
    response target (someone will have taken the job by then)."""
    return order.eta_at or order.response_due_at


# --- transitions ----------------------------------------------------------------------------


def after_transition(
    session: Session, order: WorkOrder, *, action: str, tier: str, hold_for: str | None,
    now: datetime,
) -> None:  # fmt: skip
    """Keep the clocks in step with a life-cycle action (called under the order's lock)."""
    if action == states.Action.HOLD and hold_for in (None, "customer"):
        order.sla_pauses = [*(order.sla_pauses or []), [now.isoformat(), None]]
    elif action in (states.Action.RESUME, states.Action.CUSTOMER_REJECT) and _is_paused(order):
        order.sla_pauses = [*order.sla_pauses[:-1], [order.sla_pauses[-1][0], now.isoformat()]]
    elif action == states.Action.REOPEN:
        restart(session, order, tier=tier, now=now)
        return
    refresh(session, order, now=now)


# --- the periodic check ---------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    checked: int
    steps: list[tuple[str, str, str]]  # (number, clock, step)


def check_clocks(
    session: Session, *, now: datetime, warn_share: float = DEFAULT_WARN_SHARE, limit: int = 500
) -> CheckResult:
    """Orders whose next threshold has passed: warn, escalate, and plan the next check.
    Rows another worker holds are skipped (it is handling them); each step is taken once."""
    orders = session.scalars(
        select(WorkOrder)
        .where(WorkOrder.sla_next_check_at <= now)
        .order_by(WorkOrder.sla_next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    steps: list[tuple[str, str, str]] = []
    for order in orders:
        views = refresh(session, order, now=now, warn_share=warn_share)
        for clock, view in views.items():
            if view.stopped_at is not None:
                continue
            for step in ("at_risk", "breached"):
                if SEVERITY[view.state] >= SEVERITY[step] and _take_step(
                    session, order, clock=clock, step=step, now=now
                ):
                    _escalate(session, order, clock=clock, step=step, view=view, now=now)
                    steps.append((order.number, clock, step))
    session.flush()
    return CheckResult(checked=len(orders), steps=steps)


def _take_step(session: Session, order: WorkOrder, *, clock: str, step: str, now: datetime) -> bool:
    inserted = session.execute(
        insert(SlaEscalationStep)
        .values(work_order_id=order.id, clock=clock, step=step, at=now)
        .on_conflict_do_nothing()
        .returning(SlaEscalationStep.step)
    ).first()
    return inserted is not None


def _escalate(
    session: Session, order: WorkOrder, *, clock: str, step: str, view: ClockView, now: datetime
) -> None:
    payload: dict[str, Any] = {
        "clock": clock,
        "due_at": view.due_at.isoformat() if view.due_at else None,
    }
    from_status = order.status
    if step == "breached":
        raised = _one_level_up(order.priority)
        if raised != order.priority:
            payload["priority"] = {"from": order.priority, "to": raised}
            order.priority = raised
        if clock == "response" and order.status == states.Status.ASSIGNED:
            # Nobody accepted in time: back to the queue for another engineer.
            payload["unassigned_technician_id"] = str(order.assignee_id)
            order.assignee_id = None
            order.scheduled_start_at = None
            order.eta_at = None
            order.status = states.Status.NEW.value
    record_change(
        session,
        order,
        actor=actors.SYSTEM,
        action=f"sla_{step}",
        from_status=from_status if order.status != from_status else None,
        to_status=order.status if order.status != from_status else None,
        payload=payload,
        now=now,
    )
    for user in session.scalars(
        select(User).where(User.role.in_(SUPERVISORS), User.active.is_(True)).order_by(User.email)
    ):
        notify_service.enqueue(
            session,
            channel="in_app",
            recipient=str(user.id),
            recipient_user_id=user.id,
            template=f"sla_{step}",
            idempotency_key=f"sla:{order.id}:{clock}:{step}:{user.id}",
            locale=user.locale or "zh-CN",
            payload={"number": order.number, "clock": clock, **payload},
            work_order_id=order.id,
        )


def _one_level_up(priority: str) -> str:
    index = PRIORITIES.index(priority)
    return PRIORITIES[max(0, index - 1)]
