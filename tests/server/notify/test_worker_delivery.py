"""The delivery job on a real worker (psycopg 3, committed data): a message queued in a
committed transaction is mailed once; one queued in a rolled-back transaction never is.

Like tests/server/test_worker.py, this module works in a database of its own and commits."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from procrastinate.periodic import PeriodicRegistry
from sqlalchemy import make_url, select

from server import tasks as queue
from server import worker
from server.config import PROJECT_ROOT
from server.db import db, utcnow
from server.notify import policy
from server.notify import service as notify_service
from server.notify import tasks as notify_tasks
from server.notify.models import DeliveryAttempt, OutboxMessage
from tests.conftest import TEST_CONFIG, create_test_app
from tests.dbutil import throwaway_database


@pytest.fixture(scope="module")
def notify_db_url(database_url: str) -> Iterator[str]:
    with throwaway_database(database_url, f"{make_url(database_url).database}_notify") as url:
        yield url


@pytest.fixture
def mail_app(notify_db_url: str, smtp_server) -> Iterator[tuple[Flask, object]]:
    mailbox, port = smtp_server
    app = create_test_app(notify_db_url, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none")
    yield app, mailbox
    app.extensions["db"].engine.dispose()


def work_until_empty(app: Flask) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(queue.queue_app, "periodic_registry", PeriodicRegistry())
        worker.run(app, concurrency=1, wait=False, install_signal_handlers=False)


class Refused(Exception):
    pass


def test_the_delivery_job_mails_a_committed_message_once(mail_app):
    app, mailbox = mail_app
    kept, dropped = f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"

    def queue_ack(key: str) -> None:
        with app.app_context(), db.unit_of_work(app) as session:
            notify_service.enqueue(
                session,
                channel="email",
                recipient="ops@example.test",
                template="intake_acknowledgement",
                idempotency_key=key,
                locale="en",
                payload={"number": "WO-261201-0099", "summary": "Boiler", "tracking_url": None},
            )
            if key == dropped:
                raise Refused

    queue_ack(kept)
    with pytest.raises(Refused):
        queue_ack(dropped)
    queue_ack(kept)  # a replay of the same change adds nothing

    work_until_empty(app)
    work_until_empty(app)

    assert [m["message"]["Subject"] for m in mailbox.messages] == [
        "We have received your request (WO-261201-0099)"
    ]
    with db.unit_of_work(app) as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.in_([kept, dropped]))
        ).all()
        assert [(r.idempotency_key, r.status, r.attempts) for r in rows] == [(kept, "sent", 1)]


def queue_one(app: Flask, key: str) -> uuid.UUID:
    with app.app_context(), db.unit_of_work(app) as session:
        message_id = notify_service.enqueue(
            session,
            channel="email",
            recipient="ops@example.test",
            template="work_order_closed",
            idempotency_key=key,
            locale="en",
            payload={"number": "WO-261201-0100", "rating_url": "https://x.test/track/a"},
        )
    assert message_id is not None
    return message_id


def test_a_worker_killed_mid_send_never_leads_to_a_second_email(
    mail_app, notify_db_url, tmp_path: Path
):
    """The worst case: the mail server took the message, the worker died before recording it.
    The sweeper must not send it again; it fails it for a person to check."""
    app, mailbox = mail_app
    mailbox.hold = True
    message_id = queue_one(app, f"test:{uuid.uuid4()}")
    port = app.config["SMTP_PORT"]
    env = {
        **os.environ,
        "DATABASE_URL": notify_db_url,
        "SECRET_KEY": TEST_CONFIG["SECRET_KEY"],
        "FIELDLINE_LOG_JSON": "false",
        "FIELDLINE_SMTP_HOST": "127.0.0.1",
        "FIELDLINE_SMTP_PORT": str(port),
        "FIELDLINE_SMTP_TLS": "none",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.worker", "--concurrency", "1"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # The worker is inside the SMTP conversation, past its committed claim.
        assert mailbox.data_started.wait(60), log_path.read_text()
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    mailbox.release.set()
    assert len(mailbox.messages) == 1  # the mail did leave; the worker never heard so

    with db.unit_of_work(app) as session:
        row = session.get(OutboxMessage, message_id)
        assert (row.status, row.attempts) == ("sending", 1)

    lease = timedelta(seconds=app.config["NOTIFY_LEASE_S"])
    with app.app_context():
        report = notify_tasks.run_sweep(app, now=utcnow() + lease + timedelta(seconds=1))
        again = notify_tasks.run_delivery(app)

    assert report.needs_review == 1
    assert again.sent == 0
    assert len(mailbox.messages) == 1
    with db.unit_of_work(app) as session:
        row = session.get(OutboxMessage, message_id)
        assert (row.status, row.last_error) == ("failed", policy.OUTCOME_UNKNOWN)
        outcomes = session.scalars(
            select(DeliveryAttempt.outcome).where(DeliveryAttempt.message_id == message_id)
        ).all()
        assert outcomes == ["interrupted"]


def test_a_message_claimed_by_one_worker_is_skipped_by_another(mail_app):
    app, mailbox = mail_app
    message_id = queue_one(app, f"test:{uuid.uuid4()}")
    holder = db.sessionmaker_for(app)()
    try:
        # Another worker's claim, its transaction still open: the row is locked.
        locked = holder.scalar(
            select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
        )
        assert locked is not None
        with app.app_context():
            report = notify_tasks.run_delivery(app, message_id=message_id)
        assert report.sent == 0
        assert mailbox.messages == []
    finally:
        holder.rollback()
        holder.close()
    with app.app_context():
        assert notify_tasks.run_delivery(app, message_id=message_id).sent == 1
    assert len(mailbox.messages) == 1
