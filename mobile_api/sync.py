"""Delta sync for the engineer's phone: what changed for this engineer since the cursor.

The cursor is the server time of the previous sync, minus an overlap of a minute: a
transaction that was still open when the previous sync read could commit a change stamped a
little earlier (requests run in well under a second; lock waits give up after five), and the
overlap catches it. The phone keeps each order by id and version, so an order sent twice
is harmless. A first sync (no cursor) sends every open order of the engineer. Most deltas
find nothing: one statement says so before anything is loaded.

Removals are orders the phone has but must drop: reassigned or unassigned away from this
engineer (found in the timeline), or closed and cancelled.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, or_, select
from sqlalchemy.orm import Session, selectinload

from server.assets import jobs
from server.customers.models import Customer
from server.errors import ValidationFailed
from server.inventory.models import PartReservation
from server.technicians.models import Technician
from server.workorders.models import WorkOrder, WorkOrderEvent
from server.workorders.service import present

OVERLAP = timedelta(seconds=60)
ON_THE_PHONE = ("assigned", "accepted", "en_route", "in_progress", "on_hold", "completed")


@dataclass
class SyncResult:
    cursor: str
    full: bool
    work_orders: list[WorkOrder] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def encode_cursor(at: datetime) -> str:
    return base64.urlsafe_b64encode(f"v1:{at.isoformat()}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> datetime:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, stamp = raw.partition(":")
        if version != "v1":
            raise ValueError(version)
        moment = datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            raise ValueError(stamp)
        return moment
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed({"cursor": ["invalid_cursor"]}, location="query") from exc


def sync(session: Session, *, actor: Any, cursor: str | None, now: datetime) -> SyncResult:
    me = actor.technician_id
    result = SyncResult(cursor=encode_cursor(now), full=cursor is None)
    if me is None:
        return result
    stmt = select(WorkOrder).where(WorkOrder.assignee_id == me)
    since = None
    if cursor is None:
        stmt = stmt.where(WorkOrder.status.in_(ON_THE_PHONE))
    else:
        since = decode_cursor(cursor) - OVERLAP
        if not _anything_since(session, me=me, since=since):
            return result  # the common case: one small query, nothing to send
        stmt = stmt.where(WorkOrder.updated_at >= since)
    orders = list(
        session.scalars(stmt.order_by(WorkOrder.scheduled_start_at, WorkOrder.id).options(*_SHOWN))
    )
    for order in orders:
        if order.status in ON_THE_PHONE:
            result.work_orders.append(present(order, actor))
        else:
            result.removed.append(str(order.id))
    if since is not None:
        result.removed.extend(_taken_away(session, me=me, since=since))
    _attach_parts(session, result.work_orders)
    jobs.attach_for_phone(session, result.work_orders, now=now)
    result.removed = sorted(set(result.removed))
    return result


# Built once: a phone's sync runs these with its own parameters (`me`, `mine` = str(me),
# `since`), and most syncs run nothing else.
_PAYLOAD = WorkOrderEvent.payload
_MINE = bindparam("mine", type_=String)
# The orders whose timeline says they left me since `since`.
_MOVED_AWAY = select(WorkOrderEvent.work_order_id).where(
    WorkOrderEvent.at >= bindparam("since"),
    or_(
        _PAYLOAD["previous_technician_id"].astext == _MINE,
        _PAYLOAD["unassigned_technician_id"].astext == _MINE,
        (WorkOrderEvent.action.in_(("unassign", "decline")))
        & (_PAYLOAD["technician_id"].astext == _MINE),
    ),
)
# Whether one of my orders changed, or one was moved away from me, since `since`: an index
# probe on (assignee_id, updated_at) and a short range of the events' time index.
_ANYTHING_SINCE = select(
    or_(
        select(WorkOrder.id)
        .where(WorkOrder.assignee_id == bindparam("me"), WorkOrder.updated_at >= bindparam("since"))
        .exists(),
        _MOVED_AWAY.exists(),
    )
)
_TAKEN_AWAY = select(WorkOrder.id).where(
    WorkOrder.id.in_(_MOVED_AWAY),
    or_(WorkOrder.assignee_id.is_(None), WorkOrder.assignee_id != bindparam("me")),
)


# What the phone's copy of an order shows of its customer and engineer: not the customer's
# contacts, nor the engineer's skills (two queries a sync need not make).
_SHOWN = (
    selectinload(WorkOrder.customer).lazyload(Customer.contacts),
    selectinload(WorkOrder.assignee).lazyload(Technician.skills),
)


def _anything_since(session: Session, *, me: uuid.UUID, since: datetime) -> bool:
    params = {"me": me, "mine": str(me), "since": since}
    return bool(session.execute(_ANYTHING_SINCE, params).scalar())


def _taken_away(session: Session, *, me: uuid.UUID, since: datetime) -> list[str]:
    params = {"me": me, "mine": str(me), "since": since}
    return [str(order_id) for order_id in session.scalars(_TAKEN_AWAY, params)]


def _attach_parts(session: Session, orders: list[WorkOrder]) -> None:
    """The parts held or used for each order, in one query for the whole page."""
    by_order: dict[uuid.UUID, list[PartReservation]] = {o.id: [] for o in orders}
    if by_order:
        for reservation in session.scalars(
            select(PartReservation)
            .where(
                PartReservation.work_order_id.in_(list(by_order)),
                PartReservation.status.in_(("requested", "reserved", "issued", "consumed")),
            )
            .order_by(PartReservation.created_at)
        ):
            by_order[reservation.work_order_id].append(reservation)
    for order in orders:
        order.parts = by_order[order.id]  # type: ignore[attr-defined]
