"""Delivering the outbox: claim one due message, send it, record how it went.

Exactly once, as far as the receiver lets us:

1. Claim, in its own committed transaction: the row is locked `FOR UPDATE SKIP LOCKED` (two
   workers never take the same message), marked `sending` with `claimed_at`, its attempt count
   raised, and the attempt written to `notification_attempts`. Only then is the external call
   made, with no transaction open.
2. Send, with the message's idempotency key travelling with it (email Message-ID, webhook
   `Idempotency-Key`, push data and collapse key).
3. Finish, in another transaction: `sent`, back to `pending` with a backed-off `next_attempt_at`,
   `failed` or `skipped`, and the attempt's outcome.

A worker killed between 1 and 3 leaves the row `sending`. After its lease the sweeper decides
what that means for the channel (see `policy`): never a blind resend of an email.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.notify import policy
from server.notify.models import DeliveryAttempt, OutboxMessage, PushToken, WebhookSubscription

log = logging.getLogger(__name__)

UnitOfWork = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    secret: str
    active: bool


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs, read while the message was claimed (no session while sending)."""

    id: uuid.UUID
    channel: str
    recipient: str
    recipient_user_id: uuid.UUID | None
    template: str
    locale: str
    payload: Mapping[str, Any]
    idempotency_key: str
    attempt: int
    work_order_id: uuid.UUID | None = None
    webhook: WebhookTarget | None = None
    push_tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class SendResult:
    outcome: str  # sent | retry | failed | skipped
    detail: str | None = None
    response_status: int | None = None
    # Device tokens the push service says are gone: removed when the attempt is recorded.
    stale_tokens: tuple[str, ...] = ()

    @staticmethod
    def sent(detail: str | None = None, status: int | None = None) -> SendResult:
        return SendResult("sent", detail, status)

    @staticmethod
    def retry(detail: str, status: int | None = None) -> SendResult:
        return SendResult("retry", detail, status)

    @staticmethod
    def failed(detail: str, status: int | None = None) -> SendResult:
        return SendResult("failed", detail, status)

    @staticmethod
    def skipped(detail: str) -> SendResult:
        return SendResult("skipped", detail)


class Sender(Protocol):
    def send(self, message: Outgoing) -> SendResult: ...


class Skip:
    """A channel with nothing to send it with: every message is marked skipped, with why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send(self, message: Outgoing) -> SendResult:
        return SendResult.skipped(self.reason)


class Stored:
    """In-app messages are read from the outbox itself: delivering one is recording it."""

    def send(self, message: Outgoing) -> SendResult:
        return SendResult.sent("stored for the in-app inbox")


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    reclaimed: int = 0
    needs_review: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "skipped": self.skipped,
            "reclaimed": self.reclaimed,
            "needs_review": self.needs_review,
        }


# --- the three steps ----------------------------------------------------------------------


def claim(
    session: Session, *, now: datetime, message_id: uuid.UUID | None = None
) -> Outgoing | None:
    """Lock the next due message (or the one named), mark it `sending` and record the attempt.
    None when nothing is due or another worker holds it."""
    stmt = select(OutboxMessage).where(
        OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now
    )
    if message_id is not None:
        stmt = stmt.where(OutboxMessage.id == message_id)
    row = session.scalar(
        stmt.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if row is None:
        return None
    row.status = "sending"
    row.attempts += 1
    row.claimed_at = now
    session.add(DeliveryAttempt(message_id=row.id, attempt=row.attempts, started_at=now))
    webhook = None
    if row.channel == "webhook" and row.subscription_id is not None:
        subscription = session.get(WebhookSubscription, row.subscription_id)
        if subscription is not None:
            webhook = WebhookTarget(subscription.url, subscription.secret, subscription.active)
    tokens: tuple[str, ...] = ()
    if row.channel == "push" and row.recipient_user_id is not None:
        tokens = tuple(
            session.scalars(
                select(PushToken.token)
                .where(PushToken.user_id == row.recipient_user_id)
                .order_by(PushToken.updated_at.desc())
            )
        )
    return Outgoing(
        id=row.id,
        channel=row.channel,
        recipient=row.recipient,
        recipient_user_id=row.recipient_user_id,
        template=row.template,
        locale=row.locale,
        payload=dict(row.payload or {}),
        idempotency_key=row.idempotency_key,
        attempt=row.attempts,
        work_order_id=row.work_order_id,
        webhook=webhook,
        push_tokens=tokens,
    )


def send(senders: Mapping[str, Sender], message: Outgoing) -> SendResult:
    sender = senders.get(message.channel)
    if sender is None:
        return SendResult.skipped(f"no sender for channel {message.channel}")
    try:
        return sender.send(message)
    except Exception as exc:  # a bug in one sender must not stop the batch: log, retry later
        log.exception("notification sender failed", extra={"message_id": str(message.id)})
        return SendResult.retry(f"{type(exc).__name__}: {exc}"[:500])


def finish(
    session: Session,
    message: Outgoing,
    result: SendResult,
    *,
    now: datetime,
    retry: policy.RetryPolicy,
) -> datetime | None:
    """Record the outcome. Answers when to try again, if it should be tried again."""
    attempt = session.scalar(
        select(DeliveryAttempt).where(
            DeliveryAttempt.message_id == message.id, DeliveryAttempt.attempt == message.attempt
        )
    )
    if result.stale_tokens:
        session.execute(delete(PushToken).where(PushToken.token.in_(result.stale_tokens)))
    row = session.scalar(
        select(OutboxMessage).where(OutboxMessage.id == message.id).with_for_update()
    )
    if row is None or row.status != "sending" or row.attempts != message.attempt:
        # The sweeper took it over while we were sending (a lease far too short): what it
        # decided stands; this attempt's own outcome is still recorded.
        _record_attempt(attempt, result, outcome=result.outcome, now=now)
        return None
    next_at: datetime | None = None
    outcome = result.outcome
    row.claimed_at = None
    if outcome == "sent":
        row.status, row.sent_at, row.last_error = "sent", now, None
    elif outcome == "skipped":
        row.status, row.last_error = "skipped", _clip(result.detail)
    else:
        verdict = policy.after_failure(retry, attempts=row.attempts, permanent=outcome == "failed")
        row.last_error = _clip(result.detail)
        if verdict == policy.AfterFailure.RETRY:
            next_at = now + policy.retry_delay(retry, row.attempts)
            row.status, row.next_attempt_at = "pending", next_at
            outcome = "retry"
        else:
            row.status = "failed"
            outcome = "failed"
    _record_attempt(attempt, result, outcome=outcome, now=now)
    return next_at


def _record_attempt(
    attempt: DeliveryAttempt | None, result: SendResult, *, outcome: str, now: datetime
) -> None:
    if attempt is not None:
        attempt.outcome = outcome
        attempt.finished_at = now
        attempt.detail = _clip(result.detail)
        attempt.response_status = result.response_status


def reclaim_expired(
    session: Session, *, now: datetime, lease: timedelta, retry: policy.RetryPolicy
) -> Report:
    """Messages left `sending` past their lease (their worker died): resend where the receiver
    dedupes by key, otherwise fail them for review."""
    report = Report()
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - lease)
        .order_by(OutboxMessage.claimed_at)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        attempt = session.scalar(
            select(DeliveryAttempt).where(
                DeliveryAttempt.message_id == row.id, DeliveryAttempt.attempt == row.attempts
            )
        )
        if attempt is not None and attempt.outcome == "started":
            attempt.outcome = "interrupted"
            attempt.finished_at = now
        decision = policy.after_lease_expired(retry, channel=row.channel, attempts=row.attempts)
        row.claimed_at = None
        if decision == policy.AfterLease.RESEND:
            row.status, row.next_attempt_at = "pending", now
            row.last_error = "interrupted; resent under the same idempotency key"
            report.reclaimed += 1
        elif decision == policy.AfterLease.NEEDS_REVIEW:
            row.status, row.last_error = "failed", policy.OUTCOME_UNKNOWN
            report.needs_review += 1
        else:
            row.status, row.last_error = "failed", "interrupted; out of attempts"
            report.failed += 1
    return report


# --- the loop -------------------------------------------------------------------------------


def deliver(
    unit_of_work: UnitOfWork,
    *,
    senders: Mapping[str, Sender],
    retry: policy.RetryPolicy,
    clock: Callable[[], datetime],
    limit: int = 100,
    message_id: uuid.UUID | None = None,
    on_retry: Callable[[Session, uuid.UUID, datetime], None] | None = None,
) -> Report:
    """Send due messages one at a time (at most `limit`), each in claim-send-finish order.
    With `message_id`, only that message, if it is due and nobody holds it."""
    report = Report()
    for _ in range(1 if message_id is not None else limit):
        with unit_of_work() as session:
            message = claim(session, now=clock(), message_id=message_id)
        if message is None:
            break
        result = send(senders, message)
        with unit_of_work() as session:
            next_at = finish(session, message, result, now=clock(), retry=retry)
            if next_at is not None and on_retry is not None:
                on_retry(session, message.id, next_at)
        _count(report, result, next_at)
    return report


def _count(report: Report, result: SendResult, next_at: datetime | None) -> None:
    if result.outcome == "sent":
        report.sent += 1
    elif result.outcome == "skipped":
        report.skipped += 1
    elif next_at is not None:
        report.retried += 1
    else:
        report.failed += 1


def _clip(text: str | None) -> str | None:
    return None if text is None else text[:500]
