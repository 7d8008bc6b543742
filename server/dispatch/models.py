"""Dispatch: service territories (which engineers cover which part of the city) and the
optimizer runs (inputs snapshot, plan, statistics)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamps, UuidPk


class Territory(UuidPk, Timestamps, Base):
    """A service area. A job inside it prefers the territory's engineers (the optimizer charges
    a penalty for sending someone else), or, when `strict`, only they may take it."""

    __tablename__ = "territories"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    area: Mapped[Any] = mapped_column(Geography("MULTIPOLYGON", srid=4326))
    strict: Mapped[bool] = mapped_column(default=False, server_default="false")
    active: Mapped[bool] = mapped_column(default=True, server_default="true")


class TechnicianTerritory(Base):
    __tablename__ = "technician_territories"

    technician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("technicians.id", ondelete="CASCADE"), primary_key=True
    )
    territory_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DispatchRun(UuidPk, Timestamps, Base):
    """One optimizer run: what it was given, what it planned, and whether it was applied."""

    __tablename__ = "dispatch_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued','running','done','failed','applied')", name="status_known"
        ),
    )

    status: Mapped[str] = mapped_column(String(16), default="queued", server_default="queued")
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    requested_by_name: Mapped[str] = mapped_column(String(120))
    # The request: horizon, technicians, work orders, time limit, auto-apply.
    options: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # The inputs as the optimizer saw them (orders with their versions, engineers, origin).
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(String(500))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]
    # What applying did: assigned, unchanged, and conflicts (changed since the snapshot).
    applied: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
