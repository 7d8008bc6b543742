"""Parts for work orders: requested from the order, reserved and issued by the warehouse,
consumed by the engineer, or released and returned (life cycle in `inventory.states`).

Reserving takes the nearest warehouse (to the order's site) that has the quantity free,
checked again under the level's row lock, so a hundred requests for the last ten parts get ten
reservations and ninety clean 409s. A work order with parts requested but not yet reserved is
`waiting_for_parts`: dispatch skips it, and its timeline says when it started and stopped
waiting.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from server import actors
from server.actors import Actor
from server.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from server.inventory import service, states
from server.inventory.models import PartReservation, StockLocation, StockMove
from server.workorders import hooks
from server.workorders.models import WorkOrder
from server.workorders.timeline import get_work_order, record, record_change

REQUESTERS = frozenset({"admin", "dispatcher", "agent", "warehouse", "technician"})


def _event(
    session: Session,
    order: WorkOrder,
    *,
    actor: Actor,
    action: str,
    reservation: PartReservation,
    now: datetime,
    changed: bool = False,
    **extra: Any,
) -> None:
    """The reservation's step on the order's timeline; `changed`: the step changes the order
    itself (its version moves on)."""
    (record_change if changed else record)(
        session,
        order,
        actor=actor,
        action=action,
        payload={
            "reservation_id": str(reservation.id),
            "part_id": str(reservation.part_id),
            "sku": reservation.part.sku,
            "quantity": str(reservation.quantity),
            **extra,
        },
        now=now,
    )


def refresh_waiting(session: Session, order: WorkOrder, *, actor: Actor, now: datetime) -> None:
    """`waiting_for_parts` while any part is requested and not yet reserved."""
    waiting = bool(
        session.scalar(
            select(
                exists().where(
                    PartReservation.work_order_id == order.id,
                    PartReservation.status == "requested",
                )
            )
        )
    )
    if waiting == order.waiting_for_parts:
        return
    order.waiting_for_parts = waiting
    record_change(
        session,
        order,
        actor=actor,
        action="waiting_for_parts" if waiting else "parts_ready",
        now=now,
    )


def _order_for(session: Session, work_order_id: uuid.UUID, actor: Actor) -> WorkOrder:
    if actor.kind == "user" and actor.role not in REQUESTERS:
        raise Forbidden()
    return get_work_order(session, work_order_id=work_order_id, actor=actor, lock=True)


def request_parts(
    session: Session,
    *,
    work_order_id: uuid.UUID,
    part_id: uuid.UUID,
    quantity: Decimal,
    actor: Actor,
    now: datetime,
    reserving_now: bool = False,
) -> PartReservation:
    """Ask for parts. `reserving_now`: the caller reserves in the same transaction (the
    warehouse's one-step reservation), so the order never starts waiting for them."""
    order = _order_for(session, work_order_id, actor)
    if order.status in ("completed", "closed", "cancelled"):
        raise Conflict("work_order_closed")
    part = service.get_part(session, part_id=part_id)
    if not part.active:
        raise ValidationFailed({"part_id": ["unknown_part"]})
    reservation = PartReservation(
        work_order_id=order.id,
        part_id=part.id,
        part=part,
        quantity=service.checked_quantity(part, quantity),
        status="requested",
        requested_by_name=actor.name or actor.kind,
    )
    session.add(reservation)
    session.flush()
    _event(session, order, actor=actor, action="parts_requested", reservation=reservation, now=now)
    if not reserving_now:
        refresh_waiting(session, order, actor=actor, now=now)
    return reservation


def get_reservation(
    session: Session, *, reservation_id: uuid.UUID, lock: bool = False
) -> PartReservation:
    stmt = select(PartReservation).where(PartReservation.id == reservation_id)
    if lock:
        stmt = stmt.with_for_update(of=PartReservation)
    reservation = session.scalar(stmt)
    if reservation is None:
        raise NotFound()
    return reservation


def _locked_order(session: Session, reservation: PartReservation) -> WorkOrder:
    # Lock the row without reloading the order and its relations (often already loaded).
    session.execute(
        select(WorkOrder.id).where(WorkOrder.id == reservation.work_order_id).with_for_update()
    )
    order = session.get(WorkOrder, reservation.work_order_id)
    if order is None:  # pragma: no cover - a foreign key holds it
        raise NotFound()
    return order


def _held_at(reservation: PartReservation) -> uuid.UUID:
    if reservation.location_id is None:  # pragma: no cover - a CHECK constraint holds it
        raise Conflict("invalid_transition")
    return reservation.location_id


def _step(reservation: PartReservation, action: str, actor: Actor) -> str:
    try:
        return states.decide(reservation.status, action, actor.role)
    except states.Refused as refused:
        if refused.forbidden:
            raise Forbidden() from refused
        raise InvalidTransition(
            refused.error, extra={"status_now": reservation.status, "action": action}
        ) from refused


def reserve(
    session: Session,
    *,
    reservation_id: uuid.UUID,
    actor: Actor,
    now: datetime,
    location_id: uuid.UUID | None = None,
) -> PartReservation:
    """Hold the quantity at a warehouse: the one given, else the nearest with enough free."""
    reservation = get_reservation(session, reservation_id=reservation_id, lock=True)
    to_status = _step(reservation, "reserve", actor)
    order = _locked_order(session, reservation)
    part, quantity = reservation.part, reservation.quantity
    if location_id is not None:
        candidates = [service.get_location(session, location_id=location_id).id]
    else:
        candidates = _warehouses_by_distance(
            session, part_id=part.id, quantity=quantity, near=order.location
        )
    for candidate in candidates:
        level = service.lock_levels(session, [(part.id, candidate)])[(part.id, candidate)]
        if service.available(level) >= quantity:
            level.reserved += quantity
            level.updated_at = now
            reservation.location = session.get(StockLocation, candidate)
            break
    else:
        raise service.insufficient_stock(session, part, quantity, near=order.location)
    reservation.status = to_status
    reservation.version += 1
    reservation.updated_at = now
    session.flush()
    location = session.get(StockLocation, reservation.location_id)
    _event(
        session,
        order,
        actor=actor,
        action="parts_reserved",
        reservation=reservation,
        now=now,
        location=location.code if location else None,
    )
    refresh_waiting(session, order, actor=actor, now=now)
    return reservation


def _warehouses_by_distance(
    session: Session, *, part_id: uuid.UUID, quantity: Decimal, near: Any
) -> list[uuid.UUID]:
    """Warehouses that had the quantity free when we looked, nearest first; each is checked
    again under its lock (another reservation may take it in between)."""
    return [
        uuid.UUID(place["location_id"])
        for place in service.availability(session, part_id=part_id, near=near)
        if place["type"] == "warehouse" and Decimal(place["available"]) >= quantity
    ]


def issue(
    session: Session,
    *,
    reservation_id: uuid.UUID,
    actor: Actor,
    now: datetime,
    van_id: uuid.UUID | None = None,
) -> PartReservation:
    """Hand reserved parts to the engineer: warehouse -> van, still held for this order."""
    reservation = get_reservation(session, reservation_id=reservation_id, lock=True)
    to_status = _step(reservation, "issue", actor)
    order = _locked_order(session, reservation)
    if van_id is not None:
        van = service.get_location(session, location_id=van_id, field="van_id")
        if van.type != "van":
            raise ValidationFailed({"van_id": ["not_a_van"]})
    else:
        van_or_none = service.van_of(session, order.assignee_id)
        if van_or_none is None:
            raise Conflict("no_van_to_issue_to")
        van = van_or_none
    if _held_at(reservation) == van.id:
        # Reserved in this engineer's own van: it is already where it has to be.
        reservation.status = to_status
        reservation.version += 1
        reservation.updated_at = now
        session.flush()
        _event(
            session,
            order,
            actor=actor,
            action="parts_issued",
            reservation=reservation,
            now=now,
            van=van.code,
        )
        return reservation
    _move_held(
        session,
        reservation,
        order,
        kind="issue",
        to=van,
        still_held=True,
        actor=actor,
        to_status=to_status,
        now=now,
    )
    _event(
        session,
        order,
        actor=actor,
        action="parts_issued",
        reservation=reservation,
        now=now,
        van=van.code,
    )
    return reservation


def consume(
    session: Session,
    *,
    reservation_id: uuid.UUID,
    actor: Actor,
    now: datetime,
    quantity_used: Decimal | None = None,
) -> PartReservation:
    """The engineer used `quantity_used` (all by default); what was not used stays in the van
    as free stock."""
    reservation = get_reservation(session, reservation_id=reservation_id, lock=True)
    to_status = _step(reservation, "consume", actor)
    order = get_work_order(session, work_order_id=reservation.work_order_id, actor=actor, lock=True)
    part, quantity, van_id = reservation.part, reservation.quantity, _held_at(reservation)
    used = (
        quantity
        if quantity_used is None
        else Decimal(str(quantity_used)).quantize(service.THOUSANDTH)
    )
    if used != 0:
        used = service.checked_quantity(part, used, field="quantity_used")
    if used > quantity:
        raise ValidationFailed({"quantity_used": ["more_than_issued"]})
    level = service.lock_levels(session, [(part.id, van_id)])[(part.id, van_id)]
    level.reserved -= quantity
    level.on_hand -= used
    level.updated_at = now
    if used:
        service.record_move(
            session,
            kind="consume",
            part=part,
            quantity=used,
            actor=actor,
            now=now,
            from_location_id=van_id,
            work_order_id=order.id,
            reservation_id=reservation.id,
        )
    reservation.quantity_used = used
    reservation.status = to_status
    reservation.version += 1
    reservation.updated_at = now
    session.flush()
    _event(
        session,
        order,
        actor=actor,
        action="parts_consumed",
        reservation=reservation,
        now=now,
        used=str(used),
    )
    return reservation


def use_from_van(
    session: Session,
    *,
    work_order_id: uuid.UUID,
    part_id: uuid.UUID,
    quantity: Decimal,
    actor: Actor,
    now: datetime,
) -> PartReservation:
    """A part the engineer took from their own van stock (not reserved for this order)."""
    order = _order_for(session, work_order_id, actor)
    part = service.get_part(session, part_id=part_id)
    quantity = service.checked_quantity(part, quantity)
    van = service.van_of(session, actor.technician_id or order.assignee_id)
    if van is None:
        raise Conflict("no_van_to_issue_to")
    level = service.lock_levels(session, [(part.id, van.id)])[(part.id, van.id)]
    if service.available(level) < quantity:
        raise service.insufficient_stock(session, part, quantity)
    level.on_hand -= quantity
    level.updated_at = now
    reservation = PartReservation(
        work_order_id=order.id,
        part_id=part.id,
        part=part,
        quantity=quantity,
        status="consumed",
        location_id=van.id,
        quantity_used=quantity,
        requested_by_name=actor.name or actor.kind,
    )
    session.add(reservation)
    session.flush()
    service.record_move(
        session,
        kind="consume",
        part=part,
        quantity=quantity,
        actor=actor,
        now=now,
        from_location_id=van.id,
        work_order_id=order.id,
        reservation_id=reservation.id,
    )
    _event(
        session,
        order,
        changed=True,
        actor=actor,
        action="parts_consumed",
        reservation=reservation,
        now=now,
        used=str(quantity),
        van=van.code,
    )
    return reservation


def release(
    session: Session, *, reservation_id: uuid.UUID, actor: Actor, now: datetime
) -> PartReservation:
    """Not needed after all: a request withdrawn, or reserved stock freed."""
    reservation = get_reservation(session, reservation_id=reservation_id, lock=True)
    to_status = _step(reservation, "release", actor)
    order = _locked_order(session, reservation)
    _free(session, reservation, now=now)
    reservation.status = to_status
    reservation.version += 1
    reservation.updated_at = now
    session.flush()
    _event(session, order, actor=actor, action="parts_released", reservation=reservation, now=now)
    refresh_waiting(session, order, actor=actor, now=now)
    return reservation


def _free(session: Session, reservation: PartReservation, *, now: datetime) -> None:
    if reservation.status == "reserved" and reservation.location_id is not None:
        key = (reservation.part_id, reservation.location_id)
        level = service.lock_levels(session, [key])[key]
        level.reserved -= reservation.quantity
        level.updated_at = now


def return_to_warehouse(
    session: Session,
    *,
    reservation_id: uuid.UUID,
    actor: Actor,
    now: datetime,
    warehouse_id: uuid.UUID | None = None,
) -> PartReservation:
    """Unused issued parts back from the van: to the warehouse given, else the nearest one."""
    reservation = get_reservation(session, reservation_id=reservation_id, lock=True)
    to_status = _step(reservation, "return", actor)
    order = _locked_order(session, reservation)
    if warehouse_id is None:
        warehouse = session.scalar(
            select(StockLocation)
            .where(StockLocation.type == "warehouse", StockLocation.active.is_(True))
            .order_by(
                func.ST_Distance(StockLocation.location, order.location)
                if order.location is not None
                else StockLocation.code
            )
            .limit(1)
        )
        if warehouse is None:
            raise Conflict("no_warehouse")
    else:
        warehouse = service.get_location(session, location_id=warehouse_id, field="warehouse_id")
        if warehouse.type != "warehouse":
            raise ValidationFailed({"warehouse_id": ["not_a_warehouse"]})
    _move_held(
        session,
        reservation,
        order,
        kind="return",
        to=warehouse,
        still_held=False,
        actor=actor,
        to_status=to_status,
        now=now,
    )
    _event(
        session,
        order,
        actor=actor,
        action="parts_returned",
        reservation=reservation,
        now=now,
        warehouse=warehouse.code,
    )
    return reservation


def _move_held(
    session: Session,
    reservation: PartReservation,
    order: WorkOrder,
    *,
    kind: str,
    to: StockLocation,
    still_held: bool,
    actor: Actor,
    to_status: str,
    now: datetime,
) -> None:
    """Move the reservation's parts from where they are held to `to`, in the ledger and the
    levels; `still_held`: they stay reserved for the order there (issued to a van)."""
    part, quantity, source = reservation.part, reservation.quantity, _held_at(reservation)
    levels = service.lock_levels(session, [(part.id, source), (part.id, to.id)])
    out, into = levels[(part.id, source)], levels[(part.id, to.id)]
    out.on_hand -= quantity
    out.reserved -= quantity
    into.on_hand += quantity
    if still_held:
        into.reserved += quantity
    out.updated_at = into.updated_at = now
    service.record_move(
        session,
        kind=kind,
        part=part,
        quantity=quantity,
        actor=actor,
        now=now,
        from_location_id=source,
        to_location_id=to.id,
        work_order_id=order.id,
        reservation_id=reservation.id,
    )
    reservation.location = to
    reservation.status = to_status
    reservation.version += 1
    reservation.updated_at = now
    session.flush()


ACTIONS = {
    "reserve": reserve,
    "issue": issue,
    "consume": consume,
    "release": release,
    "return": return_to_warehouse,
}


def list_for_work_order(
    session: Session, *, work_order_id: uuid.UUID, actor: Actor
) -> tuple[list[PartReservation], Decimal]:
    """The order's parts, and the cost of what was used (at the cost of the day it was used)."""
    order = get_work_order(session, work_order_id=work_order_id, actor=actor)
    rows = list(
        session.scalars(
            select(PartReservation)
            .where(PartReservation.work_order_id == order.id)
            .order_by(PartReservation.created_at, PartReservation.id)
        )
    )
    cost = session.scalar(
        select(func.coalesce(func.sum(StockMove.quantity * StockMove.unit_cost), 0)).where(
            StockMove.work_order_id == order.id, StockMove.kind == "consume"
        )
    )
    return rows, Decimal(cost or 0).quantize(Decimal("0.01"))


def for_work_orders(
    session: Session, work_order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[PartReservation]]:
    """The parts held or used for each of these orders (not those released or returned), oldest
    first, in one query: for pages that show many orders at once."""
    by_order: dict[uuid.UUID, list[PartReservation]] = {order_id: [] for order_id in work_order_ids}
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
    return by_order


def queue(
    session: Session, *, statuses: tuple[str, ...], page: int, page_size: int
) -> tuple[list[tuple[PartReservation, WorkOrder]], int]:
    """The warehouse's work: reservations by the urgency and schedule of their orders."""
    priority_rank = case({"urgent": 0, "high": 1, "medium": 2, "low": 3}, value=WorkOrder.priority)
    conditions = [PartReservation.status.in_(statuses)]
    total = (
        session.scalar(select(func.count()).select_from(PartReservation).where(*conditions)) or 0
    )
    rows = session.execute(
        select(PartReservation, WorkOrder)
        .join(WorkOrder, WorkOrder.id == PartReservation.work_order_id)
        .where(*conditions)
        .order_by(
            priority_rank,
            WorkOrder.scheduled_start_at.asc().nulls_last(),
            PartReservation.created_at,
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return [(r, o) for r, o in rows], total


# --- the work order's life cycle ------------------------------------------------------------


def on_work_order_transition(
    session: Session, order: WorkOrder, *, action: str, now: datetime, timezone: str, **_: Any
) -> None:
    """Cancelling an order frees what was held for it; completing it frees what was never
    issued (issued parts not used stay on the van, to be returned)."""
    if action not in ("cancel", "merge", "complete"):
        return
    open_rows = session.scalars(
        select(PartReservation)
        .where(
            PartReservation.work_order_id == order.id,
            PartReservation.status.in_(("requested", "reserved")),
        )
        .with_for_update(of=PartReservation)
    ).all()
    for reservation in open_rows:
        _free(session, reservation, now=now)
        reservation.status = "released"
        reservation.version += 1
        reservation.updated_at = now
        _event(
            session,
            order,
            actor=actors.SYSTEM,
            action="parts_released",
            reservation=reservation,
            now=now,
            because=action,
        )
    if open_rows:
        order.waiting_for_parts = False


hooks.after_transition.append(on_work_order_transition)
