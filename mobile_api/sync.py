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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from server.actors import Actor
from server.assets import jobs
from server.errors import ValidationFailed
from server.inventory import reservations
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder

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


def sync(
    session: Session, *, actor: Any, cursor: str | None, now: datetime, timezone: str
) -> SyncResult:
    me = actor.technician_id
    result = SyncResult(cursor=encode_cursor(now), full=cursor is None)
    if me is None:
        return result
    if cursor is None:
        orders = workorders_service.list_assigned(session, technician_id=me, statuses=ON_THE_PHONE)
        since = None
    else:
        since = decode_cursor(cursor) - OVERLAP
        if not workorders_service.changed_for_technician(session, technician_id=me, since=since):
            return result  # the common case: one small query, nothing to send
        orders = workorders_service.list_assigned(session, technician_id=me, updated_since=since)
    for order in orders:
        if order.status in ON_THE_PHONE:
            result.work_orders.append(order)
        else:
            result.removed.append(str(order.id))
    if since is not None:
        taken = workorders_service.taken_from_technician(session, technician_id=me, since=since)
        result.removed.extend(str(order_id) for order_id in taken)
    phone_copies(session, result.work_orders, actor=actor, now=now, timezone=timezone)
    result.removed = sorted(set(result.removed))
    return result


def phone_copies(
    session: Session, orders: list[WorkOrder], *, actor: Actor, now: datetime, timezone: str
) -> list[WorkOrder]:
    """The orders as the phone keeps them (a sync's and an op's answer alike): what this
    engineer may do, the parts, the checklist and the asset's card, in a few queries for the
    whole page."""
    for order in orders:
        workorders_service.present(order, actor)
    _attach_parts(session, orders)
    jobs.attach_for_phone(session, orders, now=now, timezone=timezone)
    return orders


def _attach_parts(session: Session, orders: list[WorkOrder]) -> None:
    """The parts held or used for each order, in one query for the whole page."""
    by_order = reservations.for_work_orders(session, [order.id for order in orders])
    for order in orders:
        order.parts = by_order[order.id]  # type: ignore[attr-defined]
