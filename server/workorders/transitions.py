"""Applying one life-cycle action: gather the facts, ask `states.decide`, change the order,
and append the event, all under the order's row lock. Used through `workorders.service`."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.actors import Actor
from server.errors import Conflict, Forbidden, InvalidTransition, NotFound, VersionConflict
from server.technicians import service as technicians_service
from server.workorders import clocks, hooks, states
from server.workorders.models import ON_THE_BOARD, WorkOrder, WorkOrderEvent
from server.workorders.timeline import get_work_order, record_change


@dataclass(frozen=True)
class TransitionInput:
    action: str
    technician_id: uuid.UUID | None = None
    reason: str | None = None
    resolution: str | None = None
    signature_sha256: str | None = None
    signer_name: str | None = None
    hold_for: str | None = None
    # For merge: the original this order duplicates.
    into_work_order_id: uuid.UUID | None = None


def apply_transition(
    session: Session,
    *,
    work_order_id: uuid.UUID,
    actor: Actor,
    change: TransitionInput,
    now: datetime,
    timezone: str,
    expected_version: int | None = None,
    op_id: str | None = None,
    op_id_unseen: bool = False,
) -> WorkOrder:
    """One action under a row lock, recorded in the timeline. An `op_id` seen before returns
    the order as it is and changes nothing (a phone replaying its outbox). `op_id_unseen`: the
    caller has just looked the op id up itself (a batch of ops, in one query) and found none;
    the unique index still refuses a copy that raced in."""
    if (
        op_id is not None
        and not op_id_unseen
        and _op_applied(session, op_id=op_id, work_order_id=work_order_id)
    ):
        return get_work_order(session, work_order_id=work_order_id, actor=actor)
    order = get_work_order(session, work_order_id=work_order_id, actor=actor, lock=True)
    if expected_version is not None and order.version != expected_version:
        raise VersionConflict(extra={"current_version": order.version})
    facts = _facts(session, order, actor=actor, change=change, now=now)
    try:
        decision = states.decide(order.status, change.action, facts)
    except states.Refusal as refusal:
        if refusal.forbidden:
            raise Forbidden(refusal.error) from refusal
        raise InvalidTransition(
            refusal.error, extra={"status_now": order.status, "action": change.action}
        ) from refusal
    hooks.run_before_transition(session, order, action=decision.action.value, now=now)
    assignee_before = order.assignee_id
    payload = _apply_effects(order, decision, change=change, now=now)
    if order.assignee_id != assignee_before:
        # The loaded `assignee` still names the one before: load it again on next use.
        session.expire(order, ["assignee"])
    order.status = decision.to_status.value
    if change.hold_for and decision.action == states.Action.HOLD:
        payload["hold_for"] = change.hold_for
    if order.pinned and (order.assignee_id is None or order.status not in ON_THE_BOARD):
        # A pin holds a job to its engineer: with no engineer, or the job off the board, it
        # has nothing left to hold (a manual reassignment keeps it: the dispatcher chose).
        order.pinned = False
        payload["unpinned"] = True
    clocks.after_transition(
        session,
        order,
        action=decision.action,
        tier=order.customer.tier,
        hold_for=change.hold_for,
        now=now,
    )
    event = record_change(
        session,
        order,
        actor=actor,
        action=decision.action.value,
        from_status=decision.from_status.value,
        to_status=decision.to_status.value,
        payload=payload,
        public=decision.action.value in PUBLIC_ACTIONS,
        op_id=op_id,
        now=now,
    )
    hooks.run_after_transition(
        session, order, action=decision.action.value, event=event, now=now, timezone=timezone
    )
    if decision.action in (states.Action.MERGE, states.Action.UNMERGE):
        _note_on_original(session, order, payload=payload, actor=actor, action=decision.action,
                          now=now)  # fmt: skip
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        # The same op id arrived twice at the same moment; the other one won.
        raise Conflict("duplicate_op") from exc
    return order


# Steps the customer sees on the tracking page (internal reshuffles stay internal).
PUBLIC_ACTIONS = frozenset(
    {"assign", "accept", "start_travel", "arrive", "hold", "resume", "complete", "sign_off",
     "customer_confirm", "customer_reject", "auto_close", "cancel", "reopen"}
)  # fmt: skip


def _op_applied(session: Session, *, op_id: str, work_order_id: uuid.UUID) -> bool:
    event = session.scalar(select(WorkOrderEvent).where(WorkOrderEvent.op_id == op_id))
    if event is None:
        return False
    if event.work_order_id != work_order_id:
        raise Conflict("op_id_reused")
    return True


def ops_in_timeline(session: Session, *, op_ids: Collection[str]) -> set[str]:
    """Which of these op ids some timeline already holds (a batch's look-up in one query; one
    found here is checked again by `apply_transition`, for the order it belongs to)."""
    return set(
        session.scalars(select(WorkOrderEvent.op_id).where(WorkOrderEvent.op_id.in_(op_ids)))
    )


def _facts(
    session: Session, order: WorkOrder, *, actor: Actor, change: TransitionInput, now: datetime
) -> states.Facts:
    is_assignee = actor.technician_id is not None and actor.technician_id == order.assignee_id
    target_active: bool | None = None
    missing: tuple[str, ...] = ()
    if change.action == states.Action.ASSIGN and change.technician_id is not None:
        try:
            technician = technicians_service.get_technician(
                session, technician_id=change.technician_id
            )
        except NotFound:
            target_active = None
        else:
            target_active = technician.active
            held = {s.skill_code: s.level for s in technician.skills}
            missing = tuple(
                need["code"]
                for need in order.required_skills
                if held.get(need["code"], 0) < int(need.get("level", 1))
            )
    return states.Facts(
        merge_target_problem=_merge_problem(session, order, change.into_work_order_id)
        if change.action == states.Action.MERGE
        else None,
        is_merged=order.duplicate_of_id is not None,
        role=actor.role,
        is_assignee=is_assignee,
        target_technician_active=target_active,
        missing_skills=missing,
        target_is_current_assignee=change.technician_id is not None
        and change.technician_id == order.assignee_id,
        reason=change.reason,
        resolution=change.resolution or order.resolution,
        signature_present=bool(change.signature_sha256 or order.signature_sha256),
        signer_name=change.signer_name or order.signer_name,
        closed_at=order.closed_at,
        now=now,
        waiting_for_parts=order.waiting_for_parts,
    )


def _note_on_original(
    session: Session,
    order: WorkOrder,
    *,
    payload: dict[str, Any],
    actor: Actor,
    action: states.Action,
    now: datetime,
) -> None:
    """The original's timeline says which duplicate joined (or left) it."""
    key = "into_work_order_id" if action == states.Action.MERGE else "from_work_order_id"
    original = session.scalar(
        select(WorkOrder).where(WorkOrder.id == uuid.UUID(payload[key])).with_for_update()
    )
    if original is None:  # pragma: no cover - the guard found it a moment ago, under lock
        return
    record_change(
        session,
        original,
        actor=actor,
        action="duplicate_merged" if action == states.Action.MERGE else "duplicate_unmerged",
        payload={"work_order_id": str(order.id), "number": order.number},
        now=now,
    )


def _merge_problem(session: Session, order: WorkOrder, into_id: uuid.UUID | None) -> str | None:
    if into_id is None:
        return "merge_target_required"
    if into_id == order.id:
        return "merge_into_self"
    target = session.get(WorkOrder, into_id)
    if target is None:
        return "merge_target_not_found"
    if target.duplicate_of_id is not None:
        return "merge_target_is_duplicate"
    if not states.is_open(target.status):
        return "merge_target_closed"
    return None


def _apply_effects(
    order: WorkOrder, decision: states.Decision, *, change: TransitionInput, now: datetime
) -> dict[str, Any]:
    action = decision.action
    payload: dict[str, Any] = {}
    if change.reason:
        payload["reason"] = change.reason
    if action == states.Action.ASSIGN:
        payload["technician_id"] = str(change.technician_id)
        payload["previous_technician_id"] = str(order.assignee_id) if order.assignee_id else None
        order.assignee_id = change.technician_id
    elif action in (states.Action.UNASSIGN, states.Action.DECLINE):
        payload["technician_id"] = str(order.assignee_id) if order.assignee_id else None
        order.assignee_id = None
        order.scheduled_start_at = None
        order.eta_at = None
    elif action == states.Action.ACCEPT:
        order.responded_at = order.responded_at or now
    elif action == states.Action.COMPLETE:
        order.resolution = change.resolution or order.resolution
        order.resolved_at = now
        payload["resolution"] = order.resolution
    elif action == states.Action.SIGN_OFF:
        order.signature_sha256 = change.signature_sha256 or order.signature_sha256
        order.signer_name = change.signer_name or order.signer_name
        order.closed_at = now
        payload["signer_name"] = order.signer_name
    elif action in (states.Action.CUSTOMER_CONFIRM, states.Action.AUTO_CLOSE):
        order.closed_at = now
    elif action == states.Action.CUSTOMER_REJECT:
        order.resolved_at = None
    elif action == states.Action.CANCEL:
        order.closed_at = now
    elif action == states.Action.MERGE:
        order.duplicate_of_id = change.into_work_order_id
        order.closed_at = now
        payload["into_work_order_id"] = str(change.into_work_order_id)
    elif action == states.Action.UNMERGE:
        payload["from_work_order_id"] = str(order.duplicate_of_id)
        order.duplicate_of_id = None
        order.closed_at = None
    elif action == states.Action.REOPEN:
        order.closed_at = None
        order.resolved_at = None
        order.assignee_id = None
    return payload
