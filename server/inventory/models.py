"""Spare parts: the catalogue, where stock is kept (warehouses and engineers' vans), the stock
ledger, the levels it explains, and parts reserved against work orders.

`stock_moves` is the truth: every unit that arrives, moves, is used or is corrected is a row
there, never edited or deleted. `stock_levels` (on hand, reserved) per part and location are
kept in the same transaction as each move, under the level's row lock, and CHECK constraints
make overselling impossible even if a bug tried. `flask inventory check` recomputes the levels
from the ledger and the reservations and reports any difference.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, Timestamps, UuidPk, utcnow

# Quantities have three decimals (metres of cable, litres of refrigerant); a unit that counts
# pieces accepts whole numbers only (checked by the service, see `inventory.units`).
Quantity = Numeric(12, 3)


class StockLocationType(StrEnum):
    WAREHOUSE = "warehouse"
    VAN = "van"


class StockLocation(UuidPk, Timestamps, Base):
    __tablename__ = "stock_locations"
    __table_args__ = (
        CheckConstraint("type IN ('warehouse','van')", name="type_known"),
        # A van is one engineer's; a warehouse is a place on the map that belongs to nobody.
        CheckConstraint("type <> 'van' OR technician_id IS NOT NULL", name="van_has_technician"),
        CheckConstraint(
            "type <> 'warehouse' OR (location IS NOT NULL AND technician_id IS NULL)",
            name="warehouse_has_location",
        ),
    )

    type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    address: Mapped[str | None] = mapped_column(Text)
    location: Mapped[Any | None] = mapped_column(Geography("POINT", srid=4326), nullable=True)
    technician_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("technicians.id"), unique=True
    )
    active: Mapped[bool] = mapped_column(default=True, server_default="true")


class Part(UuidPk, Timestamps, Base):
    __tablename__ = "parts"
    __table_args__ = (
        CheckConstraint("unit_cost >= 0", name="unit_cost_nonnegative"),
        CheckConstraint("reorder_point >= 0 AND reorder_quantity >= 0", name="reorder_nonnegative"),
    )

    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # pcs | set | m | kg | l (see `inventory.units`)
    unit: Mapped[str] = mapped_column(String(8))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reorder_point: Mapped[Decimal] = mapped_column(Quantity, default=0, server_default="0")
    reorder_quantity: Mapped[Decimal] = mapped_column(Quantity, default=0, server_default="0")
    # The skill that usually fits it (hvac, plumbing, ...): the warehouse filters by it.
    skill_code: Mapped[str | None] = mapped_column(String(32))
    # Asset model codes this part fits (the Assets issue links them properly).
    compatible_models: Mapped[list[str]] = mapped_column(
        ARRAY(String(64)), default=list, server_default=text("'{}'")
    )
    serial_tracked: Mapped[bool] = mapped_column(default=False, server_default="false")
    active: Mapped[bool] = mapped_column(default=True, server_default="true")


class StockLevel(Base):
    """On hand and reserved of one part at one location (a row per pair that ever held it)."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_nonnegative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        Index("ix_stock_levels_location", "location_id"),
    )

    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"), primary_key=True)
    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("stock_locations.id"), primary_key=True
    )
    on_hand: Mapped[Decimal] = mapped_column(Quantity, default=0, server_default="0")
    reserved: Mapped[Decimal] = mapped_column(Quantity, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    part: Mapped[Part] = relationship(lazy="joined")
    location: Mapped[StockLocation] = relationship(lazy="joined")


MOVE_KINDS = ("receipt", "transfer", "issue", "consume", "return", "adjustment")


class StockMove(Base):
    """One movement of stock: the ledger. Append-only (a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('receipt','transfer','issue','consume','return','adjustment')",
            name="kind_known",
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="goes_somewhere"
        ),
        CheckConstraint("kind <> 'adjustment' OR reason IS NOT NULL", name="adjustment_reason"),
        Index("ix_stock_moves_part_at", "part_id", "id"),
        Index("ix_stock_moves_work_order", "work_order_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    from_location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stock_locations.id"))
    to_location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stock_locations.id"))
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("work_orders.id"))
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("part_reservations.id"))
    # Unit cost at the time of the move, so a consumed part keeps the cost it had.
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    # For the history's "which job": one extra query per page of moves.
    work_order: Mapped[Any] = relationship("WorkOrder", lazy="selectin", viewonly=True)


RESERVATION_STATUSES = ("requested", "reserved", "issued", "consumed", "released", "returned")


class PartReservation(UuidPk, Timestamps, Base):
    """Parts for one work order, through requested -> reserved -> issued -> consumed, or
    released / returned (see `inventory.states`)."""

    __tablename__ = "part_reservations"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested','reserved','issued','consumed','released','returned')",
            name="status_known",
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "quantity_used IS NULL OR (quantity_used >= 0 AND quantity_used <= quantity)",
            name="used_within_quantity",
        ),
        CheckConstraint(
            "status NOT IN ('reserved','issued') OR location_id IS NOT NULL",
            name="held_somewhere",
        ),
        Index("ix_part_reservations_work_order", "work_order_id"),
        # The warehouse's queue: what is still to be reserved or issued.
        Index(
            "ix_part_reservations_open",
            "status",
            "created_at",
            postgresql_where=text("status IN ('requested','reserved')"),
        ),
    )

    work_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_orders.id"))
    part_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parts.id"))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    status: Mapped[str] = mapped_column(String(16), default="requested")
    # Where the parts are held: the warehouse while reserved, the van once issued.
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stock_locations.id"))
    quantity_used: Mapped[Decimal | None] = mapped_column(Quantity)
    requested_by_name: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    part: Mapped[Part] = relationship(lazy="joined")
    location: Mapped[StockLocation | None] = relationship(lazy="joined")
    # Loaded on access (the warehouse queue joins it in the same query).
    work_order: Mapped[Any] = relationship("WorkOrder", lazy="select", viewonly=True)
