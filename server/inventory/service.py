"""Spare parts: catalogue, locations, stock levels, and the ledger moves that change them.

Every change of on-hand stock is a `StockMove` written in the same transaction as the level
update, and the levels are updated under their row locks (taken in one global order, so two
moves never deadlock). Quantities are checked against the part's unit before anything is
written. The ledger check recomputes every level from the moves and the reservations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, select, text, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from server.actors import Actor
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.geo import to_geography
from server.inventory import states
from server.inventory.models import (
    Part,
    PartReservation,
    StockLevel,
    StockLocation,
    StockLocationType,
    StockMove,
)
from server.queries import contains_pattern, flush_or_conflict

STOCK_KEEPERS = frozenset({"admin", "warehouse"})
THOUSANDTH = Decimal("0.001")


def require_stock_keeper(actor: Actor) -> None:
    if actor.kind == "user" and actor.role not in STOCK_KEEPERS:
        raise Forbidden()


# --- locations ------------------------------------------------------------------------------


def find_location_by_code(session: Session, *, code: str) -> StockLocation | None:
    return session.scalar(select(StockLocation).where(StockLocation.code == code))


def create_location(
    session: Session,
    *,
    type: str,
    name: str,
    code: str,
    address: str | None = None,
    location: dict[str, float] | None = None,
    technician_id: uuid.UUID | None = None,
) -> StockLocation:
    if type == "warehouse" and not location:
        raise ValidationFailed({"location": ["warehouse_needs_location"]})
    if type == "van" and not technician_id:
        raise ValidationFailed({"technician_id": ["van_needs_technician"]})
    row = StockLocation(
        type=StockLocationType(type).value,
        name=name,
        code=code,
        address=address,
        location=to_geography(**location) if location else None,
        technician_id=technician_id,
        active=True,
    )
    session.add(row)
    session.flush()  # the id, and the CHECK constraints (a van needs its engineer) now
    return row


def get_location(
    session: Session, *, location_id: uuid.UUID, field: str = "location_id"
) -> StockLocation:
    row = session.get(StockLocation, location_id)
    if row is None or not row.active:
        raise ValidationFailed({field: ["unknown_location"]})
    return row


def list_locations(session: Session, *, type: str | None = None) -> list[StockLocation]:
    stmt = select(StockLocation).where(StockLocation.active.is_(True))
    if type:
        stmt = stmt.where(StockLocation.type == type)
    return list(session.scalars(stmt.order_by(StockLocation.type.desc(), StockLocation.code)))


def van_of(session: Session, technician_id: uuid.UUID | None) -> StockLocation | None:
    if technician_id is None:
        return None
    return session.scalar(
        select(StockLocation).where(
            StockLocation.technician_id == technician_id, StockLocation.active.is_(True)
        )
    )


# --- parts ----------------------------------------------------------------------------------


def create_part(session: Session, **values: Any) -> Part:
    if values.get("unit") not in states.UNITS:
        raise ValidationFailed({"unit": ["unknown_unit"]})
    part = Part(active=True, **values)
    session.add(part)
    flush_or_conflict(session)
    return part


def get_part(session: Session, *, part_id: uuid.UUID, field: str = "part_id") -> Part:
    part = session.get(Part, part_id)
    if part is None:
        raise ValidationFailed({field: ["unknown_part"]})
    return part


def update_part(session: Session, *, part_id: uuid.UUID, changes: dict[str, Any]) -> Part:
    part = session.get(Part, part_id)
    if part is None:
        raise NotFound()
    for key, value in changes.items():
        setattr(part, key, value)
    session.flush()
    return part


def list_parts(
    session: Session,
    *,
    q: str | None = None,
    skill_code: str | None = None,
    active: bool | None = True,
    page: int,
    page_size: int,
) -> tuple[list[Part], int]:
    conditions = []
    if q:
        pattern = contains_pattern(q)
        conditions.append(
            or_(Part.sku.ilike(pattern), Part.name_zh.ilike(pattern), Part.name_en.ilike(pattern))
        )
    if skill_code:
        conditions.append(Part.skill_code == skill_code)
    if active is not None:
        conditions.append(Part.active.is_(active))
    total = session.scalar(select(func.count()).select_from(Part).where(*conditions)) or 0
    rows = session.scalars(
        select(Part)
        .where(*conditions)
        .order_by(Part.sku)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(rows), total


def checked_quantity(part: Part, value: Decimal, *, field: str = "quantity") -> Decimal:
    error = states.quantity_error(part.unit, value)
    if error:
        raise ValidationFailed({field: [error]})
    return Decimal(str(value)).quantize(THOUSANDTH)


# --- levels ---------------------------------------------------------------------------------


def lock_levels(
    session: Session, pairs: list[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], StockLevel]:
    """The levels of (part, location) pairs, created at zero if new, locked FOR UPDATE in
    sorted order (every writer locks in the same order, so no two wait on each other)."""
    unique = sorted(set(pairs), key=lambda p: (str(p[0]), str(p[1])))
    session.execute(
        insert(StockLevel)
        .values(
            [{"part_id": p, "location_id": loc, "on_hand": 0, "reserved": 0} for p, loc in unique]
        )
        .on_conflict_do_nothing()
    )
    locked: dict[tuple[uuid.UUID, uuid.UUID], StockLevel] = {}
    for part_id, location_id in unique:
        level = session.scalar(
            select(StockLevel)
            .where(StockLevel.part_id == part_id, StockLevel.location_id == location_id)
            .with_for_update(of=StockLevel)
            .execution_options(populate_existing=True)
        )
        if level is None:  # pragma: no cover - inserted above or already there
            raise NotFound()
        locked[(part_id, location_id)] = level
    return locked


def available(level: StockLevel) -> Decimal:
    return level.on_hand - level.reserved


def insufficient_stock(
    session: Session, part: Part, quantity: Decimal, near: Any = None
) -> Conflict:
    return Conflict(
        "insufficient_stock",
        extra={
            "part_id": str(part.id),
            "requested": str(quantity),
            "available": availability(session, part_id=part.id, near=near),
        },
    )


def availability(session: Session, *, part_id: uuid.UUID, near: Any = None) -> list[dict[str, Any]]:
    """Where the part can be had now, nearest first when a point is given."""
    distance = (
        func.ST_Distance(StockLocation.location, near)
        if near is not None
        else literal_column("NULL::float8")
    ).label("distance_m")
    rows = session.execute(
        select(StockLocation, (StockLevel.on_hand - StockLevel.reserved).label("free"), distance)
        .join(StockLevel, StockLevel.location_id == StockLocation.id)
        .where(
            StockLevel.part_id == part_id,
            StockLocation.active.is_(True),
            StockLevel.on_hand > StockLevel.reserved,
        )
        .order_by(text("distance_m NULLS LAST"), StockLocation.code)
    ).all()
    return [
        {
            "location_id": str(loc.id),
            "code": loc.code,
            "name": loc.name,
            "type": loc.type,
            "available": str(free),
            "distance_km": None if dist is None else round(float(dist) / 1000, 1),
        }
        for loc, free, dist in rows
    ]


def list_stock(
    session: Session,
    *,
    part_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
    location_type: str | None = None,
    q: str | None = None,
    page: int,
    page_size: int,
) -> tuple[list[StockLevel], int]:
    conditions = []
    if part_id:
        conditions.append(StockLevel.part_id == part_id)
    if location_id:
        conditions.append(StockLevel.location_id == location_id)
    stmt = select(StockLevel).join(Part).join(StockLocation)
    if location_type:
        conditions.append(StockLocation.type == location_type)
    if q:
        pattern = contains_pattern(q)
        conditions.append(
            or_(Part.sku.ilike(pattern), Part.name_zh.ilike(pattern), Part.name_en.ilike(pattern))
        )
    total = (
        session.scalar(
            select(func.count())
            .select_from(StockLevel)
            .join(Part)
            .join(StockLocation)
            .where(*conditions)
        )
        or 0
    )
    rows = session.scalars(
        stmt.where(*conditions)
        .order_by(Part.sku, StockLocation.code)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(rows), total


# --- moves ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    part_id: uuid.UUID
    quantity: Decimal


def record_move(
    session: Session,
    *,
    kind: str,
    part: Part,
    quantity: Decimal,
    actor: Actor,
    now: datetime,
    from_location_id: uuid.UUID | None = None,
    to_location_id: uuid.UUID | None = None,
    work_order_id: uuid.UUID | None = None,
    reservation_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> StockMove:
    move = StockMove(
        kind=kind,
        part_id=part.id,
        quantity=quantity,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        work_order_id=work_order_id,
        reservation_id=reservation_id,
        unit_cost=part.unit_cost,
        reason=reason,
        actor_user_id=actor.user_id,
        actor_name=actor.name or actor.kind,
        at=now,
    )
    session.add(move)
    return move


def _lines(session: Session, lines: list[dict[str, Any]]) -> list[tuple[Part, Decimal]]:
    checked: list[tuple[Part, Decimal]] = []
    errors: dict[int, Any] = {}
    for index, line in enumerate(lines):
        part = session.get(Part, line["part_id"])
        if part is None or not part.active:
            errors[index] = {"part_id": ["unknown_part"]}
            continue
        error = states.quantity_error(part.unit, line["quantity"])
        if error:
            errors[index] = {"quantity": [error]}
            continue
        checked.append((part, Decimal(str(line["quantity"])).quantize(THOUSANDTH)))
    if errors:
        raise ValidationFailed({"lines": errors})
    return checked


def receive(
    session: Session,
    *,
    location_id: uuid.UUID,
    lines: list[dict[str, Any]],
    actor: Actor,
    now: datetime,
    reason: str | None = None,
) -> list[StockMove]:
    """Goods in: each line adds to the location's stock."""
    require_stock_keeper(actor)
    location = get_location(session, location_id=location_id)
    checked = _lines(session, lines)
    levels = lock_levels(session, [(part.id, location.id) for part, _ in checked])
    moves = []
    for part, quantity in checked:
        levels[(part.id, location.id)].on_hand += quantity
        levels[(part.id, location.id)].updated_at = now
        moves.append(
            record_move(
                session,
                kind="receipt",
                part=part,
                quantity=quantity,
                actor=actor,
                now=now,
                to_location_id=location.id,
                reason=reason,
            )
        )
    session.flush()
    return moves


def transfer(
    session: Session,
    *,
    from_location_id: uuid.UUID,
    to_location_id: uuid.UUID,
    lines: list[dict[str, Any]],
    actor: Actor,
    now: datetime,
    reason: str | None = None,
) -> list[StockMove]:
    """Free stock from one location to another (a van restock, a rebalancing)."""
    require_stock_keeper(actor)
    if from_location_id == to_location_id:
        raise ValidationFailed({"to_location_id": ["same_location"]})
    source = get_location(session, location_id=from_location_id, field="from_location_id")
    target = get_location(session, location_id=to_location_id, field="to_location_id")
    checked = _lines(session, lines)
    levels = lock_levels(
        session,
        [(p.id, source.id) for p, _ in checked] + [(p.id, target.id) for p, _ in checked],
    )
    moves = []
    for part, quantity in checked:
        out, into = levels[(part.id, source.id)], levels[(part.id, target.id)]
        if available(out) < quantity:
            raise insufficient_stock(session, part, quantity)
        out.on_hand -= quantity
        into.on_hand += quantity
        out.updated_at = into.updated_at = now
        moves.append(
            record_move(
                session,
                kind="transfer",
                part=part,
                quantity=quantity,
                actor=actor,
                now=now,
                from_location_id=source.id,
                to_location_id=target.id,
                reason=reason,
            )
        )
    session.flush()
    return moves


def adjust(
    session: Session,
    *,
    location_id: uuid.UUID,
    part_id: uuid.UUID,
    delta: Decimal,
    reason: str,
    actor: Actor,
    now: datetime,
) -> StockMove:
    """A count correction: + found, - lost or damaged. Reserved stock cannot be adjusted away."""
    require_stock_keeper(actor)
    location = get_location(session, location_id=location_id)
    part = get_part(session, part_id=part_id)
    if not reason.strip():
        raise ValidationFailed({"reason": ["reason_required"]})
    quantity = checked_quantity(part, abs(delta), field="quantity")
    level = lock_levels(session, [(part.id, location.id)])[(part.id, location.id)]
    if delta < 0 and available(level) < quantity:
        raise insufficient_stock(session, part, quantity)
    level.on_hand += delta
    level.updated_at = now
    move = record_move(
        session,
        kind="adjustment",
        part=part,
        quantity=quantity,
        actor=actor,
        now=now,
        from_location_id=location.id if delta < 0 else None,
        to_location_id=location.id if delta > 0 else None,
        reason=reason.strip(),
    )
    session.flush()
    return move


def list_moves(
    session: Session,
    *,
    part_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
    work_order_id: uuid.UUID | None = None,
    page: int,
    page_size: int,
) -> tuple[list[StockMove], int]:
    conditions = []
    if part_id:
        conditions.append(StockMove.part_id == part_id)
    if location_id:
        conditions.append(
            or_(StockMove.from_location_id == location_id, StockMove.to_location_id == location_id)
        )
    if work_order_id:
        conditions.append(StockMove.work_order_id == work_order_id)
    total = session.scalar(select(func.count()).select_from(StockMove).where(*conditions)) or 0
    rows = session.scalars(
        select(StockMove)
        .where(*conditions)
        .order_by(StockMove.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(rows), total


def consumed_for_work_orders(
    session: Session, *, work_order_ids: list[uuid.UUID]
) -> list[StockMove]:
    """Parts used on these orders (an asset's service history), oldest first."""
    if not work_order_ids:
        return []
    return list(
        session.scalars(
            select(StockMove)
            .where(StockMove.work_order_id.in_(work_order_ids), StockMove.kind == "consume")
            .order_by(StockMove.id)
        )
    )


# --- the ledger check -----------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    part_id: uuid.UUID
    location_id: uuid.UUID
    on_hand: Decimal
    on_hand_from_ledger: Decimal
    reserved: Decimal
    reserved_from_reservations: Decimal


def check_ledger(session: Session) -> list[Difference]:
    """Every level against what the ledger and the open reservations say it must be."""
    flows = (
        select(
            StockMove.part_id.label("part_id"),
            StockMove.to_location_id.label("location_id"),
            StockMove.quantity.label("qty"),
        )
        .where(StockMove.to_location_id.is_not(None))
        .union_all(
            select(StockMove.part_id, StockMove.from_location_id, -StockMove.quantity).where(
                StockMove.from_location_id.is_not(None)
            )
        )
        .subquery()
    )
    ledger = (
        select(flows.c.part_id, flows.c.location_id, func.sum(flows.c.qty).label("on_hand"))
        .group_by(flows.c.part_id, flows.c.location_id)
        .subquery()
    )
    held = (
        select(
            PartReservation.part_id,
            PartReservation.location_id,
            func.sum(PartReservation.quantity).label("reserved"),
        )
        .where(PartReservation.status.in_(("reserved", "issued")))
        .group_by(PartReservation.part_id, PartReservation.location_id)
        .subquery()
    )
    keys = union(
        select(StockLevel.part_id, StockLevel.location_id),
        select(ledger.c.part_id, ledger.c.location_id),
        select(held.c.part_id, held.c.location_id),
    ).subquery()
    zero = Decimal(0)
    rows = session.execute(
        select(
            keys.c.part_id,
            keys.c.location_id,
            func.coalesce(StockLevel.on_hand, zero),
            func.coalesce(ledger.c.on_hand, zero),
            func.coalesce(StockLevel.reserved, zero),
            func.coalesce(held.c.reserved, zero),
        )
        .select_from(keys)
        .outerjoin(
            StockLevel,
            and_(
                StockLevel.part_id == keys.c.part_id, StockLevel.location_id == keys.c.location_id
            ),
        )
        .outerjoin(
            ledger,
            and_(ledger.c.part_id == keys.c.part_id, ledger.c.location_id == keys.c.location_id),
        )
        .outerjoin(
            held, and_(held.c.part_id == keys.c.part_id, held.c.location_id == keys.c.location_id)
        )
        .order_by(keys.c.part_id, keys.c.location_id)
    ).all()
    return [Difference(*row) for row in rows if row[2] != row[3] or row[4] != row[5]]


# --- low stock ------------------------------------------------------------------------------


def low_stock(session: Session) -> list[dict[str, Any]]:
    """Parts at or below their reorder point in a warehouse, with what open requests and
    reservations still need of them there (requests count against the nearest stock later,
    so they are shown per part)."""
    requested = (
        select(PartReservation.part_id, func.sum(PartReservation.quantity).label("needed"))
        .where(PartReservation.status == "requested")
        .group_by(PartReservation.part_id)
        .subquery()
    )
    rows = session.execute(
        select(Part, StockLocation, StockLevel, func.coalesce(requested.c.needed, 0))
        .join(StockLevel, StockLevel.part_id == Part.id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .outerjoin(requested, requested.c.part_id == Part.id)
        .where(
            Part.active.is_(True),
            StockLocation.type == "warehouse",
            StockLocation.active.is_(True),
            StockLevel.on_hand - StockLevel.reserved <= Part.reorder_point,
        )
        .order_by(Part.sku, StockLocation.code)
    ).all()
    return [
        {
            "part": part,
            "location": location,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.on_hand - level.reserved,
            "reorder_point": part.reorder_point,
            "reorder_quantity": part.reorder_quantity,
            "requested_not_reserved": needed,
        }
        for part, location, level, needed in rows
    ]
