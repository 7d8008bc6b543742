"""The engineer app's bookkeeping: every op a phone sent, applied at most once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, utcnow


class MobileOp(Base):
    """One op from a phone's outbox, by the id the phone gave it. The primary key is what makes
    a replayed op a duplicate instead of a second change."""

    __tablename__ = "mobile_ops"
    __table_args__ = (
        CheckConstraint("status IN ('applied','rejected')", name="status_known"),
        Index("ix_mobile_ops_technician_received", "technician_id", "received_at"),
    )

    op_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    technician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("technicians.id"))
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("work_orders.id"))
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(64))
    # When the engineer did it (the phone's clock) and when it reached us.
    at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    base_version: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
