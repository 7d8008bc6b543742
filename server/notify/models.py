"""The notification outbox: one row per message to deliver, written with the change behind it;
each delivery attempt; the devices that receive push; and outbound webhook subscriptions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamps, UuidPk, one_of, utcnow

CHANNELS = ("email", "sms", "push", "webhook", "in_app")
# pending: due at next_attempt_at; sending: claimed by a worker, the external call may be under
# way; sent: handed over; failed: given up (last_error says why); skipped: nothing to send it
# with (push or email not configured, no SMS gateway, a webhook switched off).
STATUSES = ("pending", "sending", "sent", "failed", "skipped")
ATTEMPT_OUTCOMES = ("started", "sent", "retry", "failed", "skipped", "interrupted")


class WebhookSubscription(UuidPk, Timestamps, Base):
    """An integration (CRM, ERP) that receives signed work-order events at its URL."""

    __tablename__ = "webhook_subscriptions"

    url: Mapped[str] = mapped_column(String(2000))
    # Signs every body (HMAC-SHA256); kept readable because signing needs it.
    secret: Mapped[str] = mapped_column(String(128))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    description: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class OutboxMessage(UuidPk, Base):
    __tablename__ = "notifications_outbox"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel_known"),
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        Index(
            "ix_notifications_outbox_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        # The sweeper looks for claims that outlived their lease (a worker died mid-send).
        Index(
            "ix_notifications_outbox_claimed",
            "claimed_at",
            postgresql_where=text("status = 'sending'"),
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
    # For webhooks: whose URL and secret (a deleted subscription leaves its log behind).
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    # When a worker claimed it (status `sending`); its lease runs from here.
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    sent_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """One try at handing a message over, recorded (and committed) before the external call:
    the delivery log, and the proof that a message may already have left."""

    __tablename__ = "notification_attempts"
    __table_args__ = (
        UniqueConstraint("message_id", "attempt"),
        CheckConstraint(one_of("outcome", ATTEMPT_OUTCOMES), name="outcome_known"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications_outbox.id", ondelete="CASCADE")
    )
    attempt: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16), default="started", server_default="started")
    # The peer's answer: an HTTP status, an SMTP reply code.
    response_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(500))


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
