"""Queue notifications, manage push devices and webhook subscriptions, read the delivery log.

Delivery itself (SMTP, FCM, webhooks) reads the outbox in its own job (`notify.tasks`): a
message enqueued here is handed to that job in the same transaction, so it is sent soon after
the commit, and never if the change behind it rolls back.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from server.errors import Conflict, NotFound, ValidationFailed
from server.notify import tasks as notify_tasks
from server.notify import webhooks
from server.notify.models import DeliveryAttempt, OutboxMessage, PushToken, WebhookSubscription


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
    subscription_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> uuid.UUID | None:
    """Add a message unless one with the same key exists (a replayed request adds nothing), and
    queue its delivery. In-app messages are delivered by being stored. Answers the new id."""
    stored = channel == "in_app"
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "channel": channel,
        "recipient": recipient,
        "template": template,
        "idempotency_key": idempotency_key,
        "payload": payload or {},
        "locale": locale,
        "recipient_user_id": recipient_user_id,
        "work_order_id": work_order_id,
        "subscription_id": subscription_id,
    }
    if now is not None:
        values.update(next_attempt_at=now, created_at=now)
    if stored:
        values.update(status="sent", sent_at=func.now())
    new_id = session.scalar(
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    if new_id is not None and not stored:
        notify_tasks.defer_delivery(session, message_id=new_id)
    return new_id


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


# --- the delivery log -------------------------------------------------------------------------


def list_messages(
    session: Session,
    *,
    page: int,
    page_size: int,
    channel: str | None = None,
    status: str | None = None,
    work_order_id: uuid.UUID | None = None,
    subscription_id: uuid.UUID | None = None,
) -> tuple[list[OutboxMessage], int]:
    stmt = select(OutboxMessage)
    if channel:
        stmt = stmt.where(OutboxMessage.channel == channel)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if work_order_id:
        stmt = stmt.where(OutboxMessage.work_order_id == work_order_id)
    if subscription_id:
        stmt = stmt.where(OutboxMessage.subscription_id == subscription_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    _attach_attempts(session, rows)
    return list(rows), total


def list_deliveries(
    session: Session, *, subscription_id: uuid.UUID, page: int, page_size: int
) -> tuple[list[OutboxMessage], int]:
    """A subscription's delivery log (404 for an unknown subscription)."""
    get_subscription(session, subscription_id=subscription_id)
    return list_messages(session, subscription_id=subscription_id, page=page, page_size=page_size)


def get_message(session: Session, *, message_id: uuid.UUID) -> OutboxMessage:
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound()
    _attach_attempts(session, [row])
    return row


def requeue_message(session: Session, *, message_id: uuid.UUID, now: datetime) -> OutboxMessage:
    """Send a failed or skipped message again (after a person checked, e.g., that an email whose
    delivery was interrupted never arrived). The attempt count goes on: past the retry budget,
    the message gets this one try."""
    row = session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    )
    if row is None:
        raise NotFound()
    if row.status not in ("failed", "skipped"):
        raise Conflict("message_not_failed", extra={"status_now": row.status})
    row.status, row.next_attempt_at, row.last_error = "pending", now, None
    notify_tasks.defer_delivery(session, message_id=row.id)
    _attach_attempts(session, [row])
    return row


def _attach_attempts(session: Session, rows: Any) -> None:
    ids = [row.id for row in rows]
    by_message: dict[uuid.UUID, list[DeliveryAttempt]] = {i: [] for i in ids}
    if ids:
        for attempt in session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.message_id.in_(ids))
            .order_by(DeliveryAttempt.message_id, DeliveryAttempt.attempt)
        ):
            by_message[attempt.message_id].append(attempt)
    for row in rows:
        row.attempt_log = by_message[row.id]


# --- webhook subscriptions --------------------------------------------------------------------


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(
        session.scalars(
            select(WebhookSubscription).order_by(
                WebhookSubscription.created_at, WebhookSubscription.id
            )
        )
    )


def get_subscription(session: Session, *, subscription_id: uuid.UUID) -> WebhookSubscription:
    row = session.get(WebhookSubscription, subscription_id)
    if row is None:
        raise NotFound()
    return row


def create_subscription(
    session: Session,
    *,
    url: str,
    event_types: list[str],
    secret: str | None = None,
    description: str | None = None,
    active: bool = True,
    created_by_id: uuid.UUID | None = None,
) -> WebhookSubscription:
    _check_event_types(event_types)
    row = WebhookSubscription(
        url=url,
        event_types=sorted(set(event_types)),
        secret=secret or new_secret(),
        description=description,
        active=active,
        created_by_id=created_by_id,
    )
    session.add(row)
    session.flush()  # the id goes back to the caller
    return row


def update_subscription(
    session: Session, *, subscription_id: uuid.UUID, changes: dict[str, Any]
) -> WebhookSubscription:
    row = get_subscription(session, subscription_id=subscription_id)
    changes = dict(changes)
    if "event_types" in changes:
        _check_event_types(changes["event_types"])
        changes = {**changes, "event_types": sorted(set(changes["event_types"]))}
    rotate = bool(changes.pop("rotate_secret", False))
    if rotate:
        changes["secret"] = new_secret()
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    row.secret_rotated = rotate  # type: ignore[attr-defined]
    return row


def delete_subscription(session: Session, *, subscription_id: uuid.UUID) -> None:
    """Messages still waiting for it are skipped; its delivery log stays (unlinked)."""
    row = get_subscription(session, subscription_id=subscription_id)
    session.delete(row)
    session.flush()


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _check_event_types(event_types: list[str]) -> None:
    unknown = sorted(set(event_types) - set(webhooks.EVENT_TYPES))
    if not event_types:
        raise ValidationFailed({"event_types": ["required"]})
    if unknown:
        raise ValidationFailed({"event_types": ["unknown_event_type"]}, "unknown_event_type")
