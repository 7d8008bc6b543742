"""Reading one work order as a given actor, and appending to its timeline: the two things
every work-order module needs (kept here so those modules do not import each other)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from server.actors import Actor
from server.errors import NotFound
from server.workorders.models import WorkOrder, WorkOrderEvent

# Staff who see every work order; technicians see only their own.
SEES_ALL = frozenset({"admin", "dispatcher", "agent", "manager", "warehouse"})


def visible(stmt: Select[Any], actor: Actor) -> Select[Any]:
    if actor.role in SEES_ALL or actor.kind == "system":
        return stmt
    if actor.role == "technician" and actor.technician_id is not None:
        return stmt.where(WorkOrder.assignee_id == actor.technician_id)
    if actor.kind == "customer" and actor.work_order_id is not None:
        return stmt.where(WorkOrder.id == actor.work_order_id)
    return stmt.where(False)


def get_work_order(
    session: Session, *, work_order_id: uuid.UUID, actor: Actor, lock: bool = False
) -> WorkOrder:
    """The order, if this actor may see it (others get 404: its existence is not theirs to know).

    With `lock`, the row is locked first and then read: an order this session already holds is
    refreshed column by column, without reloading its customer, site and engineer (a batch of
    a phone's ops locks the same order many times)."""
    if not lock:
        order = session.scalar(
            visible(select(WorkOrder).where(WorkOrder.id == work_order_id), actor)
        )
        if order is None:
            raise NotFound()
        return order
    locked = session.scalar(
        visible(select(WorkOrder.id).where(WorkOrder.id == work_order_id), actor).with_for_update()
    )
    if locked is None:
        raise NotFound()
    held = session.identity_map.get(identity_key(WorkOrder, work_order_id))
    if held is not None:
        session.refresh(held, attribute_names=_COLUMNS)
        return held  # type: ignore[no-any-return]
    order = session.get(WorkOrder, work_order_id)
    if order is None:  # pragma: no cover - locked a moment ago
        raise NotFound()
    return order


_COLUMNS = [column.key for column in WorkOrder.__table__.columns]


def record(
    session: Session,
    order: WorkOrder,
    *,
    actor: Actor,
    action: str,
    from_status: str | None = None,
    to_status: str | None = None,
    payload: dict[str, Any] | None = None,
    public: bool = False,
    op_id: str | None = None,
    now: datetime,
) -> WorkOrderEvent:
    event = WorkOrderEvent(
        work_order_id=order.id,
        actor_user_id=actor.user_id,
        actor_kind=actor.kind,
        action=action,
        from_status=from_status,
        to_status=to_status,
        payload={"actor_name": actor.name, **(payload or {})},
        public=public,
        op_id=op_id,
        version=order.version,
        at=now,
    )
    session.add(event)
    return event


def record_change(
    session: Session, order: WorkOrder, *, now: datetime, **event: Any
) -> WorkOrderEvent:
    """`record` for a change to the order itself: its version moves on first (phones and the
    board re-sync an order whose version changed) and the event carries the new version."""
    order.version += 1
    order.updated_at = now
    return record(session, order, now=now, **event)
