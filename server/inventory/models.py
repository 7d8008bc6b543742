"""Where stock is kept: warehouses and engineers' vans."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamps, UuidPk


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
