"""Who is told what of a work order's life: customers by email, engineers by push,
integrations by webhook, and customers again when their ETA moves.

`notify.events` notes what happened in a transaction and calls `write_messages` just before it
commits; `refresh_eta` is the body of the job that recomputes customers' ETAs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.dispatch.travel import Point, TravelError, provider_from_settings
from server.geo import from_geography
from server.notify import eta, webhooks
from server.notify import service as notify_service
from server.notify import tasks as notify_tasks
from server.notify.models import OutboxMessage, WebhookSubscription
from server.technicians.models import Technician
from server.workorders.intake import tracking_url
from server.workorders.models import WorkOrder
from server.workorders.tracking import display_name

log = logging.getLogger(__name__)

# Customer emails by life-cycle action, and the status the order must still be in at commit.
CUSTOMER_EMAILS: dict[str, tuple[str, frozenset[str]]] = {
    "assign": ("work_order_assigned", frozenset({"assigned", "accepted"})),
    "start_travel": ("engineer_on_the_way", frozenset({"en_route"})),
    "complete": ("work_order_completed", frozenset({"completed"})),
    "sign_off": ("work_order_closed", frozenset({"closed"})),
    "customer_confirm": ("work_order_closed", frozenset({"closed"})),
    "auto_close": ("work_order_closed", frozenset({"closed"})),
}
# Customer emails that tell an ETA: the last of them is what the customer was told.
ETA_TEMPLATES = ("work_order_assigned", "engineer_on_the_way", "eta_update")


@dataclass(frozen=True)
class Intent:
    work_order_id: uuid.UUID
    action: str  # a life-cycle action, or "create"
    version: int
    at: datetime
    # assign: the engineer now assigned; cancel/merge: the one who had it.
    technician_id: uuid.UUID | None = None
    # assign: the one who had it before; unassign: the one taken off.
    previous_technician_id: uuid.UUID | None = None
    reason: str | None = None


# --- writing the messages (just before commit) ---------------------------------------------


def write_messages(
    session: Session,
    *,
    intents: list[Intent],
    changed: Mapping[uuid.UUID, Mapping[str, Any]],
    positions: set[uuid.UUID],
    settings: Mapping[str, Any],
    now: datetime,
) -> None:
    # Active subscriptions by event type, read once for all of this transaction's intents.
    subscribed: dict[str, list[WebhookSubscription]] = {}
    for intent in intents:
        order = session.get(WorkOrder, intent.work_order_id)
        if order is None:  # pragma: no cover - the order was written in this transaction
            continue
        _webhook_event(session, order, intent, now=now, settings=settings, subscribed=subscribed)
        if intent.action in CUSTOMER_EMAILS:
            _customer_email(session, order, intent, settings=settings, now=now)
        _engineer_push(session, order, intent, settings=settings)
    announced = {i.work_order_id for i in intents if i.action in ("assign", "start_travel")}
    reassigned = {i.work_order_id for i in intents if i.action in ("assign", "unassign")}
    # A life-cycle action says itself who loses the job (or, declining, knows it already).
    acted = {i.work_order_id for i in intents if i.action != "create"}
    for order_id, initial in changed.items():
        order = session.get(WorkOrder, order_id)
        if order is None:
            continue
        if order_id not in acted:
            _taken_away_push(session, order, initial.get("assignee_id"), settings=settings)
        if order_id not in reassigned:
            _schedule_push(session, order, initial.get("scheduled_start_at"), settings=settings)
        moved = (
            initial.get("eta_at") != order.eta_at
            or initial.get("scheduled_start_at") != order.scheduled_start_at
        )
        if moved and order_id not in announced and order.status in eta.BEFORE_ARRIVAL:
            notify_tasks.defer_eta_refresh(session, work_order_id=order.id)
    for technician_id in positions:
        travelling = session.scalar(
            select(func.count()).where(
                WorkOrder.assignee_id == technician_id, WorkOrder.status == "en_route"
            )
        )
        if travelling:
            notify_tasks.defer_eta_refresh(session, technician_id=technician_id)


def _customer_email(
    session: Session,
    order: WorkOrder,
    intent: Intent,
    *,
    settings: Mapping[str, Any],
    now: datetime,
) -> None:
    template, still = CUSTOMER_EMAILS[intent.action]
    if order.status not in still:
        return  # a later step in the same transaction made this one moot
    if intent.action == "assign" and order.assignee_id != intent.technician_id:
        return
    contact = customer_contact(session, order, default_locale=settings["DEFAULT_LOCALE"])
    if contact is None:
        return
    email, locale = contact
    notify_service.enqueue(
        session,
        channel="email",
        recipient=email,
        template=template,
        idempotency_key=f"wo:{order.id}:v{intent.version}:{template}",
        locale=locale,
        payload=customer_payload(session, order, settings=settings, now=now),
        work_order_id=order.id,
    )


def customer_payload(
    session: Session, order: WorkOrder, *, settings: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    url = tracking_url(settings["PUBLIC_BASE_URL"], order.tracking_code)
    # By id: the relationship may still hold whoever it was loaded with before this change.
    engineer = session.get(Technician, order.assignee_id) if order.assignee_id else None
    arrival = customer_eta(order, engineer, settings=settings, now=now)
    return {
        "number": order.number,
        "summary": order.summary,
        "tracking_url": url,
        "confirm_url": f"{url}?action=confirm",
        "rating_url": f"{url}?action=rate",
        "engineer": display_name(engineer.user.name) if engineer else "",
        "eta_at": arrival.isoformat() if arrival else None,
        "resolution": order.resolution,
        "status": order.status,
    }


def customer_contact(
    session: Session, order: WorkOrder, *, default_locale: str
) -> tuple[str, str] | None:
    """Where and in which language to write: as the customer was first answered (the
    acknowledgement of their request), else the customer's email, else a contact's."""
    ack = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.work_order_id == order.id,
            OutboxMessage.channel == "email",
            OutboxMessage.template == "intake_acknowledgement",
        )
        .order_by(OutboxMessage.created_at.desc())
        .limit(1)
    )
    if ack is not None:
        return ack.recipient, ack.locale
    customer = order.customer
    address = customer.email or next((c.email for c in customer.contacts if c.email), None)
    return (address, default_locale) if address else None


def _engineer_push(
    session: Session, order: WorkOrder, intent: Intent, *, settings: Mapping[str, Any]
) -> None:
    pushes: list[tuple[uuid.UUID | None, str]] = []
    if intent.action == "assign":
        if order.assignee_id == intent.technician_id and order.status in ("assigned", "accepted"):
            pushes.append((intent.technician_id, "job_assigned"))
        if intent.previous_technician_id and intent.previous_technician_id != intent.technician_id:
            pushes.append((intent.previous_technician_id, "job_reassigned_away"))
    elif intent.action == "unassign":
        pushes.append((intent.previous_technician_id, "job_unassigned"))
    elif intent.action in ("cancel", "merge"):
        pushes.append((intent.technician_id, "job_cancelled"))
    for technician_id, template in pushes:
        if technician_id is None:
            continue
        _push(
            session,
            order,
            technician_id=technician_id,
            template=template,
            key=f"wo:{order.id}:v{intent.version}:{template}:{technician_id}",
            extra={"reason": intent.reason},
            settings=settings,
        )


def _taken_away_push(
    session: Session, order: WorkOrder, before: Any, *, settings: Mapping[str, Any]
) -> None:
    """The job left an engineer without a life-cycle action of its own (the SLA clock sent an
    unaccepted job back to the queue): tell them."""
    if not isinstance(before, uuid.UUID) or before == order.assignee_id:
        return
    _push(
        session,
        order,
        technician_id=before,
        template="job_unassigned",
        key=f"push:taken:{order.id}:v{order.version}:{before}",
        extra={},
        settings=settings,
    )


def _schedule_push(
    session: Session, order: WorkOrder, before: Any, *, settings: Mapping[str, Any]
) -> None:
    """The engineer's job moved (dispatch re-planned the day): tell them."""
    if order.assignee_id is None or order.status not in ("assigned", "accepted"):
        return
    if order.scheduled_start_at is None or before == order.scheduled_start_at:
        return
    start = order.scheduled_start_at.isoformat()
    _push(
        session,
        order,
        technician_id=order.assignee_id,
        template="job_schedule_changed",
        key=f"push:schedule:{order.id}:{start}:{order.assignee_id}",
        extra={"scheduled_start_at": start},
        settings=settings,
    )


def _push(
    session: Session,
    order: WorkOrder,
    *,
    technician_id: uuid.UUID,
    template: str,
    key: str,
    extra: dict[str, Any],
    settings: Mapping[str, Any],
) -> None:
    technician = session.get(Technician, technician_id)
    if technician is None:
        return
    user = technician.user
    notify_service.enqueue(
        session,
        channel="push",
        recipient=str(user.id),
        recipient_user_id=user.id,
        template=template,
        idempotency_key=key[:128],
        locale=user.locale or settings["DEFAULT_LOCALE"],
        payload={
            "work_order_id": str(order.id),
            "number": order.number,
            "summary": order.summary,
            "eta_at": order.eta_at.isoformat() if order.eta_at else None,
            **{k: v for k, v in extra.items() if v is not None},
        },
        work_order_id=order.id,
    )


def _webhook_event(
    session: Session,
    order: WorkOrder,
    intent: Intent,
    *,
    now: datetime,
    settings: Mapping[str, Any],
    event_type: str | None = None,
    event_id: str | None = None,
    subscribed: dict[str, list[WebhookSubscription]] | None = None,
) -> None:
    kind = event_type or (
        webhooks.CREATED if intent.action == "create" else webhooks.ACTION_EVENTS.get(intent.action)
    )
    if kind is None:
        return
    subscriptions = subscribed.get(kind) if subscribed is not None else None
    if subscriptions is None:
        subscriptions = list(
            session.scalars(
                select(WebhookSubscription).where(
                    WebhookSubscription.active.is_(True),
                    WebhookSubscription.event_types.contains([kind]),
                )
            )
        )
        if subscribed is not None:
            subscribed[kind] = subscriptions
    if not subscriptions:
        return
    event_id = event_id or f"{order.id}:v{intent.version}:{kind}"
    body = {
        "id": event_id,
        "type": kind,
        "occurred_at": intent.at.isoformat(),
        "data": {
            "action": None if intent.action in ("create", "eta") else intent.action,
            "reason": intent.reason,
            "previous_technician_id": _str(intent.previous_technician_id),
            "work_order": work_order_snapshot(order, settings=settings, now=now),
        },
    }
    for subscription in subscriptions:
        notify_service.enqueue(
            session,
            channel="webhook",
            recipient=subscription.url[:500],
            template=kind,
            idempotency_key=f"webhook:{subscription.id}:{event_id}"[:128],
            payload=body,
            work_order_id=order.id,
            subscription_id=subscription.id,
        )


def work_order_snapshot(
    order: WorkOrder, *, settings: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "id": str(order.id),
        "number": order.number,
        "status": order.status,
        "priority": order.priority,
        "type": order.type,
        "channel": order.channel,
        "summary": order.summary,
        "customer_id": str(order.customer_id),
        "site_id": _str(order.site_id),
        "assignee_id": _str(order.assignee_id),
        "scheduled_start_at": _iso(order.scheduled_start_at),
        "eta_at": _iso(order.eta_at),
        "tracking_url": tracking_url(settings["PUBLIC_BASE_URL"], order.tracking_code),
        "version": order.version,
        "updated_at": _iso(order.updated_at),
    }


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


# --- ETA updates (a job: see notify.tasks.refresh_eta) ---------------------------------------


def customer_eta(
    order: WorkOrder,
    technician: Technician | None,
    *,
    settings: Mapping[str, Any],
    now: datetime,
) -> datetime | None:
    """The arrival to tell the customer now (the plan's, or the engineer's position plus the
    travel time once they are on the way)."""
    travel_s = position_at = None
    if order.status == "en_route" and technician is not None and order.location is not None:
        here = from_geography(technician.last_position)
        there = from_geography(order.location)
        if here and there:
            try:
                matrix = provider_from_settings(settings).matrix(
                    [Point(here["lat"], here["lon"]), Point(there["lat"], there["lon"])],
                    depart_at=now,
                )
            except TravelError:
                log.warning("travel time unavailable for an ETA; the plan's is used")
            else:
                travel_s, position_at = matrix.durations[0][1], technician.last_position_at
    return eta.estimate_arrival(
        status=order.status,
        planned_eta_at=order.eta_at,
        now=now,
        travel_s=travel_s,
        position_at=position_at,
    )


def told_eta(session: Session, order: WorkOrder) -> datetime | None:
    """The ETA in the last message that told this customer one."""
    last = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.work_order_id == order.id,
            OutboxMessage.channel == "email",
            OutboxMessage.template.in_(ETA_TEMPLATES),
        )
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.next_attempt_at.desc())
        .limit(1)
    )
    value = (last.payload or {}).get("eta_at") if last is not None else None
    return datetime.fromisoformat(value) if value else None


def refresh_eta(
    session: Session,
    *,
    technician_id: uuid.UUID | None,
    work_order_id: uuid.UUID | None,
    settings: Mapping[str, Any],
    now: datetime,
) -> int:
    """Tell customers whose ETA moved by more than the margin; answers how many were told."""
    stmt = select(WorkOrder).where(WorkOrder.status.in_(eta.BEFORE_ARRIVAL))
    if work_order_id is not None:
        stmt = stmt.where(WorkOrder.id == work_order_id)
    elif technician_id is not None:
        stmt = stmt.where(WorkOrder.assignee_id == technician_id, WorkOrder.status == "en_route")
    else:
        return 0
    margin = timedelta(minutes=int(settings["ETA_NOTIFY_MARGIN_MINUTES"]))
    told = 0
    for order in session.scalars(stmt.order_by(WorkOrder.id)):
        payload = customer_payload(session, order, settings=settings, now=now)
        new_eta = datetime.fromisoformat(payload["eta_at"]) if payload["eta_at"] else None
        decision = eta.decide_eta_update(
            status=order.status,
            told_eta_at=told_eta(session, order),
            new_eta_at=new_eta,
            margin=margin,
        )
        if not decision.send or new_eta is None:
            continue
        contact = customer_contact(session, order, default_locale=settings["DEFAULT_LOCALE"])
        if contact is None:  # pragma: no cover - an ETA was told, so there is an address
            continue
        stamp = new_eta.astimezone(now.tzinfo).strftime("%Y%m%dT%H%M")
        notify_service.enqueue(
            session,
            channel="email",
            recipient=contact[0],
            template="eta_update",
            idempotency_key=f"eta:{order.id}:{stamp}",
            locale=contact[1],
            payload=payload,
            work_order_id=order.id,
            now=now,
        )
        _webhook_event(
            session,
            order,
            Intent(order.id, "eta", order.version, now),
            now=now,
            settings=settings,
            event_type=webhooks.ETA_CHANGED,
            event_id=f"{order.id}:eta:{stamp}",
        )
        told += 1
    return told
