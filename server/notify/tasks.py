"""Background jobs of notifications: deliver one message right after the commit that queued it,
sweep every minute (interrupted claims, due retries, anything a lost job left behind), and
recompute customers' ETAs when a plan or a position changed.

Delivery runs several short units of work per message (claim, then record the outcome) with the
external call in between, outside any transaction; it therefore opens them itself instead of
running inside one `unit_of_work_task`.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import procrastinate
from flask import Flask, current_app
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy.orm import Session

from server.db import db, utcnow
from server.notify import backends, delivery
from server.tasks import TRANSIENT_RETRY, defer, flask_app, queue_app, unit_of_work_task

SWEEP_LIMIT = 500


def run_delivery(
    app: Flask, *, message_id: uuid.UUID | None = None, limit: int = SWEEP_LIMIT
) -> delivery.Report:
    """Deliver one message, or what is due, with the app's senders and retry settings."""
    settings = app.config
    return delivery.deliver(
        lambda: db.unit_of_work(app),
        senders=backends.senders_from_settings(settings),
        retry=backends.retry_policy(settings),
        clock=utcnow,
        limit=limit,
        message_id=message_id,
        on_retry=lambda session, mid, at: defer_delivery(session, message_id=mid, at=at),
    )


def run_sweep(app: Flask, *, now: datetime | None = None) -> delivery.Report:
    settings = app.config
    with db.unit_of_work(app) as session:
        reclaimed = delivery.reclaim_expired(
            session,
            now=now or utcnow(),
            lease=backends.lease(settings),
            retry=backends.retry_policy(settings),
        )
    report = run_delivery(app)
    report.reclaimed += reclaimed.reclaimed
    report.needs_review += reclaimed.needs_review
    report.failed += reclaimed.failed
    return report


@queue_app.task(name="notify.deliver", pass_context=True, retry=TRANSIENT_RETRY)
def deliver_message(context: procrastinate.JobContext, *, message_id: str) -> dict[str, int]:
    """Deliver one outbox message (queued in the transaction that wrote it)."""
    app = flask_app(context, "notify.deliver")
    with app.app_context():
        return run_delivery(app, message_id=uuid.UUID(message_id)).as_dict()


@queue_app.periodic(cron="* * * * *", periodic_id="notify_sweep")
# A sweep waiting in the queue covers the next minute too.
@queue_app.task(
    name="notify.sweep", pass_context=True, retry=TRANSIENT_RETRY, queueing_lock="notify.sweep"
)
def sweep(context: procrastinate.JobContext, *, timestamp: int) -> dict[str, int]:
    """Settle interrupted deliveries, then deliver whatever is due."""
    app = flask_app(context, "notify.sweep")
    with app.app_context():
        return run_sweep(app, now=datetime.fromtimestamp(timestamp, tz=UTC)).as_dict()


@unit_of_work_task(name="notify.refresh_eta")
def refresh_eta(
    session: Session, *, technician_id: str | None = None, work_order_id: str | None = None
) -> dict[str, int]:
    """Recompute the ETA of an engineer's upcoming jobs (or of one job); tell customers whose
    ETA moved by more than the margin."""
    from server.notify import messages  # local: it builds on the service, which defers here

    sent = messages.refresh_eta(
        session,
        technician_id=uuid.UUID(technician_id) if technician_id else None,
        work_order_id=uuid.UUID(work_order_id) if work_order_id else None,
        settings=current_app.config,
        now=utcnow(),
    )
    return {"updates": sent}


def defer_delivery(session: Session, *, message_id: uuid.UUID, at: datetime | None = None) -> None:
    task: Any = deliver_message.configure(schedule_at=at) if at else deliver_message
    defer(session, task, message_id=str(message_id))


def defer_eta_refresh(
    session: Session,
    *,
    technician_id: uuid.UUID | None = None,
    work_order_id: uuid.UUID | None = None,
) -> None:
    """One waiting refresh per engineer (or job) is enough: a burst of pings queues one job."""
    subject = f"technician:{technician_id}" if technician_id else f"work_order:{work_order_id}"
    with contextlib.suppress(AlreadyEnqueued):
        defer(
            session,
            refresh_eta.configure(queueing_lock=f"notify.eta:{subject}"),
            technician_id=str(technician_id) if technician_id else None,
            work_order_id=str(work_order_id) if work_order_id else None,
        )
