"""Real workers on psycopg 3: committed jobs run, rolled-back ones never do, failures retry.

A worker works in its own connections, so it sees only committed data. This module therefore
uses a database of its own (same server as the session's, built by the real migrations, dropped
at the end) and commits for real. Workers run in-process until the queue is empty, except one
test that starts `python -m server.worker` and stops it with SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from procrastinate.periodic import PeriodicDeferrer, PeriodicRegistry
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import make_url, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server import tasks, worker
from server.auth.models import RefreshToken
from server.auth.tasks import purge_expired_tokens
from server.config import PROJECT_ROOT
from server.db import db, utcnow
from server.ratelimit import RateLimitCounter
from tests.conftest import TEST_CONFIG, create_test_app
from tests.dbutil import throwaway_database
from tests.factories import make_user

# --- test-only tasks (registered on the real queue app; only this module queues them) --------


@tasks.unit_of_work_task(name="tests.worker.record")
def record(session: Session, *, marker: str) -> None:
    """Leave a trace that this job ran (and that its unit of work committed)."""
    session.add(RateLimitCounter(key=f"test:{marker}", window_start=utcnow(), count=1))


@tasks.unit_of_work_task(name="tests.worker.relay")
def relay(session: Session, *, marker: str) -> None:
    """Queue a follow-up from inside a task: it exists once this task's unit of work commits."""
    tasks.defer(session, record, marker=marker)


RUNS: Counter[str] = Counter()


@tasks.unit_of_work_task(name="tests.worker.flaky")
def flaky(session: Session, *, marker: str, failures: int, error: str) -> None:
    """Write a trace, then fail `failures` times: with a transient error or with a bug."""
    RUNS[marker] += 1
    session.add(RateLimitCounter(key=f"test:{marker}", window_start=utcnow(), count=RUNS[marker]))
    session.flush()  # the trace is in the database when the failure rolls it back
    if RUNS[marker] <= failures:
        if error == "transient":
            raise OperationalError("UPDATE ...", {}, Exception("deadlock detected"))
        raise ValueError("a bug")


class Refused(Exception):
    pass


def defer_then_roll_back(app: Flask, task: Any, **task_kwargs: Any) -> None:
    with db.unit_of_work(app) as session:
        tasks.defer(session, task, **task_kwargs)
        raise Refused


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def queue_db_url(database_url: str) -> Iterator[str]:
    with throwaway_database(database_url, f"{make_url(database_url).database}_queue") as url:
        yield url


@pytest.fixture(scope="module")
def worker_app(queue_db_url: str) -> Iterator[Flask]:
    app = create_test_app(queue_db_url)
    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture
def work_until_empty(worker_app: Flask) -> Callable[[], None]:
    """Run a real worker in this process until no job is due."""

    def work() -> None:
        # A starting worker also queues the periodic purge for the last :17 tick when that was
        # less than ten minutes ago; these runs work only what the test queued. The periodic
        # test drives the deferrer itself.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tasks.queue_app, "periodic_registry", PeriodicRegistry())
            worker.run(worker_app, concurrency=1, wait=False, install_signal_handlers=False)

    return work


def job(app: Flask, job_id: int) -> Any:
    with db.unit_of_work(app) as session:
        return session.execute(
            text(
                "SELECT status, attempts, scheduled_at, args FROM procrastinate_jobs WHERE id = :id"
            ),
            {"id": job_id},
        ).one()


def traces(app: Flask, marker: str) -> list[int]:
    with db.unit_of_work(app) as session:
        return list(
            session.scalars(
                select(RateLimitCounter.count).where(RateLimitCounter.key == f"test:{marker}")
            )
        )


# --- tests --------------------------------------------------------------------------------------


def test_committed_job_runs_and_rolled_back_job_never_does(worker_app, work_until_empty):
    kept, dropped = uuid.uuid4().hex, uuid.uuid4().hex
    with pytest.raises(Refused):
        defer_then_roll_back(worker_app, record, marker=dropped)
    with db.unit_of_work(worker_app) as session:
        job_id = tasks.defer(session, record, marker=kept)

    work_until_empty()

    assert job(worker_app, job_id).status == "succeeded"
    assert traces(worker_app, kept) == [1]
    assert traces(worker_app, dropped) == []
    with db.unit_of_work(worker_app) as session:
        rows = session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE args->>'marker' = :m"),
            {"m": dropped},
        )
    assert rows == 0


def test_task_queues_a_follow_up_in_its_own_unit_of_work(worker_app, work_until_empty):
    marker = uuid.uuid4().hex
    with db.unit_of_work(worker_app) as session:
        job_id = tasks.defer(session, relay, marker=marker)

    work_until_empty()  # runs the relay, then the record it queued

    assert job(worker_app, job_id).status == "succeeded"
    assert traces(worker_app, marker) == [1]


def test_transient_error_rolls_back_and_retries_later(worker_app, work_until_empty):
    marker = uuid.uuid4().hex
    with db.unit_of_work(worker_app) as session:
        job_id = tasks.defer(session, flaky, marker=marker, failures=1, error="transient")
    started = datetime.now(UTC)

    work_until_empty()

    failed_once = job(worker_app, job_id)
    assert failed_once.status == "todo"
    assert failed_once.attempts == 1
    # The first wait of TRANSIENT_RETRY is 3 s: the worker stopped instead of running it again.
    assert failed_once.scheduled_at >= started + timedelta(seconds=3)
    assert traces(worker_app, marker) == []  # the failed attempt's unit of work was rolled back

    # Stand-in for the backoff running out (rather than sleeping through it).
    with db.unit_of_work(worker_app) as session:
        session.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = :id"),
            {"id": job_id},
        )
    work_until_empty()

    succeeded = job(worker_app, job_id)
    assert succeeded.status == "succeeded"
    assert succeeded.attempts == 2
    assert traces(worker_app, marker) == [2]


def test_bug_fails_the_job_without_retry(worker_app, work_until_empty):
    marker = uuid.uuid4().hex
    with db.unit_of_work(worker_app) as session:
        job_id = tasks.defer(session, flaky, marker=marker, failures=1, error="bug")

    work_until_empty()

    assert job(worker_app, job_id).status == "failed"
    assert RUNS[marker] == 1
    assert traces(worker_app, marker) == []


def commit_tokens_and_counters(app: Flask, now: datetime) -> dict[str, uuid.UUID]:
    """Refresh tokens and rate-limit counters on both sides of the purge's lines."""
    with db.unit_of_work(app) as session:
        user = make_user(session)

        def token(*, expires_at: datetime, revoked_at: datetime | None = None) -> uuid.UUID:
            row = RefreshToken(
                user_id=user.id,
                family_id=uuid.uuid4(),
                token_hash=uuid.uuid4().hex * 2,
                created_at=now - timedelta(days=40),
                expires_at=expires_at,
                revoked_at=revoked_at,
            )
            session.add(row)
            session.flush()
            return row.id

        ids = {
            "expired": token(expires_at=now - timedelta(hours=2)),
            "revoked_days_ago": token(
                expires_at=now + timedelta(days=20), revoked_at=now - timedelta(days=3)
            ),
            "revoked_just_now": token(
                expires_at=now + timedelta(days=20), revoked_at=now - timedelta(hours=1)
            ),
            "live": token(expires_at=now + timedelta(days=30)),
        }
        session.add_all(
            [
                RateLimitCounter(key="purge:old", window_start=now - timedelta(days=3), count=1),
                RateLimitCounter(key="purge:current", window_start=now, count=1),
            ]
        )
    return ids


def test_hourly_purge_is_queued_by_the_periodic_deferrer_and_worked(worker_app, work_until_empty):
    now = utcnow()
    ids = commit_tokens_and_counters(worker_app, now)

    async def defer_the_last_tick() -> None:
        # What a starting worker does, with enough allowed delay to catch the last :17 tick.
        deferrer = PeriodicDeferrer(registry=tasks.queue_app.periodic_registry, max_delay=3600)
        async with tasks.queue_app.open_async():
            await deferrer.defer_jobs(deferrer.get_previous_tasks(at=time.time()))

    with tasks.queue_app.replace_connector(worker.build_connector(worker_app, concurrency=1)):
        asyncio.run(defer_the_last_tick())
    deferred_at = utcnow()
    with db.unit_of_work(worker_app) as session:
        job_id = session.scalar(
            text(
                "SELECT id FROM procrastinate_jobs "
                "WHERE task_name = 'auth.purge_expired_tokens' AND status = 'todo'"
            )
        )
    assert job_id is not None

    work_until_empty()

    done = job(worker_app, job_id)
    assert done.status == "succeeded"
    tick = datetime.fromtimestamp(done.args["timestamp"], tz=UTC)
    assert tick.minute == 17
    assert deferred_at - timedelta(hours=1) <= tick <= deferred_at
    with db.unit_of_work(worker_app) as session:
        left = set(
            session.scalars(select(RefreshToken.id).where(RefreshToken.id.in_(ids.values())))
        )
        counters = set(
            session.scalars(
                select(RateLimitCounter.key).where(RateLimitCounter.key.like("purge:%"))
            )
        )
    assert left == {ids["live"], ids["revoked_just_now"]}
    assert counters == {"purge:current"}


def test_worker_entry_point_works_the_queue_and_stops_on_sigterm(
    worker_app, queue_db_url, tmp_path: Path
):
    now = utcnow()
    ids = commit_tokens_and_counters(worker_app, now)
    with db.unit_of_work(worker_app) as session:
        job_id = tasks.defer(session, purge_expired_tokens, timestamp=int(now.timestamp()))

    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": queue_db_url,
        "SECRET_KEY": TEST_CONFIG["SECRET_KEY"],
        "FIELDLINE_LOG_JSON": "false",
    }
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.worker", "--concurrency", "1"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # Wait for our job, and for any periodic purge the worker queued itself at start.
        deadline = time.monotonic() + 30
        while True:
            with db.unit_of_work(worker_app) as session:
                pending = session.scalar(
                    text(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                    )
                )
            if job(worker_app, job_id).status == "succeeded" and pending == 0:
                break
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, log_path.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    output = log_path.read_text()
    assert "Stopped worker" in output
    with db.unit_of_work(worker_app) as session:
        left = set(
            session.scalars(select(RefreshToken.id).where(RefreshToken.id.in_(ids.values())))
        )
        workers = session.scalar(text("SELECT count(*) FROM procrastinate_workers"))
    assert ids["expired"] not in left
    assert ids["live"] in left
    assert workers == 0  # it unregistered itself: a clean stop, not a kill


def test_database_url_becomes_a_libpq_conninfo():
    conninfo = worker.libpq_conninfo(
        "postgresql+psycopg2://fl:p%40ss%20word@db.example:6543/fieldline?sslmode=require"
    )
    assert conninfo_to_dict(conninfo) == {
        "host": "db.example",
        "port": "6543",
        "user": "fl",
        "password": "p@ss word",
        "dbname": "fieldline",
        "sslmode": "require",
    }
    socket = worker.libpq_conninfo("postgresql+psycopg2://fl@/fieldline?host=/run/postgresql")
    assert conninfo_to_dict(socket) == {
        "host": "/run/postgresql",
        "user": "fl",
        "dbname": "fieldline",
    }
