"""Spare parts: stock locations for now (warehouses and engineers' vans); the ledger comes next."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.geo import to_geography
from server.inventory.models import StockLocation, StockLocationType


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
