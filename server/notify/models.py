"""The notification outbox: one row per message to deliver, written with the change behind it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UuidPk, utcnow


class OutboxMessage(UuidPk, Base):
    __tablename__ = "notifications_outbox"
    __table_args__ = (
        CheckConstraint(
            "channel IN ('email','sms','push','webhook','in_app')", name="channel_known"
        ),
        CheckConstraint("status IN ('pending','sending','sent','failed')", name="status_known"),
        Index(
            "ix_notifications_outbox_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    channel: Mapped[str] = mapped_column(String(16))
    # An email address, a phone number, a user id (push, in-app) or a webhook URL.
    recipient: Mapped[str] = mapped_column(String(500))
    recipient_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    template: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8), default="zh-CN", server_default="zh-CN")
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    # Delivery never sends one message twice: the key is unique and travels with the message.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("work_orders.id"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    sent_at: Mapped[datetime | None]


class PushToken(Base):
    """A device that receives push messages (FCM) for a user; a token moves with its device."""

    __tablename__ = "push_tokens"
    __table_args__ = (
        CheckConstraint("platform IN ('android','ios','web')", name="platform_known"),
    )

    token: Mapped[str] = mapped_column(String(4096), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
