"""Queue notifications. Delivery (SMTP, FCM, webhooks) reads the outbox in its own job."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from server.notify.models import OutboxMessage, PushToken


def enqueue(
    session: Session,
    *,
    channel: str,
    recipient: str,
    template: str,
    idempotency_key: str,
    payload: dict[str, Any] | None = None,
    locale: str = "zh-CN",
    recipient_user_id: uuid.UUID | None = None,
    work_order_id: uuid.UUID | None = None,
) -> None:
    """Add a message unless one with the same key exists (a replayed request adds nothing)."""
    session.execute(
        insert(OutboxMessage)
        .values(
            id=uuid.uuid4(),
            channel=channel,
            recipient=recipient,
            template=template,
            idempotency_key=idempotency_key,
            payload=payload or {},
            locale=locale,
            recipient_user_id=recipient_user_id,
            work_order_id=work_order_id,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )


def messages_for_work_order(session: Session, *, work_order_id: uuid.UUID) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.work_order_id == work_order_id)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )


def register_push_token(
    session: Session, *, user_id: uuid.UUID, token: str, platform: str, now: datetime
) -> None:
    """A device's token for this user; a token seen before moves to whoever registers it now
    (a shared phone, a reinstall)."""
    session.execute(
        insert(PushToken)
        .values(token=token, user_id=user_id, platform=platform, updated_at=now)
        .on_conflict_do_update(
            index_elements=[PushToken.token],
            set_={"user_id": user_id, "platform": platform, "updated_at": now},
        )
    )
