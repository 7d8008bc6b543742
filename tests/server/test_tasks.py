"""Deferring jobs inside a unit of work, the task registry and the retry policy.

Everything here runs in the test's rolled-back transaction; no worker runs (see test_worker.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server import tasks
from server.auth.tasks import purge_expired_tokens
from server.config import PROJECT_ROOT
from server.db import db
from server.queue_connector import SessionRequired
from tests.conftest import create_test_app


@tasks.unit_of_work_task(name="tests.tasks.noop")
def noop(session: Session, *, marker: str) -> None:
    """Never run here: these tests only queue it."""


class Refused(Exception):
    pass


def defer_then_roll_back(app: Flask, *, marker: str) -> None:
    with db.unit_of_work(app) as session:
        tasks.defer(session, noop, marker=marker)
        raise Refused


def job_statuses(connection: Connection, marker: str) -> list[str]:
    rows = connection.execute(
        text("SELECT status FROM procrastinate_jobs WHERE args->>'marker' = :marker"),
        {"marker": marker},
    )
    return [str(status) for (status,) in rows]


# --- in a request ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def defer_app(database_url: str) -> Iterator[Flask]:
    """An app with one extra route that queues a job, then answers 201, or 409 when asked to."""
    app = create_test_app(database_url)

    @app.post("/test/jobs")
    def queue_a_job() -> tuple[dict[str, int], int]:
        job_id = tasks.defer(db.session, noop, marker=request.args["marker"])
        return {"job_id": job_id}, 409 if "refuse" in request.args else 201

    yield app
    app.extensions["db"].engine.dispose()


@pytest.fixture
def defer_connection(defer_app: Flask) -> Iterator[Connection]:
    with defer_app.extensions["db"].engine.connect() as conn:
        outer = conn.begin()
        db.bind_to(defer_app, conn)
        try:
            yield conn
        finally:
            outer.rollback()
            db.bind_to(defer_app, None)


@pytest.fixture
def defer_client(defer_app: Flask, defer_connection: Connection) -> FlaskClient:
    return defer_app.test_client()


def test_job_queued_by_a_successful_request_exists(defer_client, defer_connection):
    marker = uuid.uuid4().hex
    response = defer_client.post(f"/test/jobs?marker={marker}")
    assert response.status_code == 201
    assert job_statuses(defer_connection, marker) == ["todo"]


def test_job_queued_by_a_refused_request_is_rolled_back_with_it(defer_client, defer_connection):
    marker = uuid.uuid4().hex
    response = defer_client.post(f"/test/jobs?marker={marker}&refuse=1")
    assert response.status_code == 409
    assert response.json["job_id"] > 0  # the row was inserted, then went with the transaction
    assert job_statuses(defer_connection, marker) == []


# --- in a unit of work (task, CLI) ------------------------------------------------------------


def test_unit_of_work_keeps_its_job_on_commit_and_drops_it_on_error(app, connection):
    kept, dropped = uuid.uuid4().hex, uuid.uuid4().hex
    with db.unit_of_work(app) as session:
        tasks.defer(session, noop, marker=kept)
    with pytest.raises(Refused):
        defer_then_roll_back(app, marker=dropped)
    assert job_statuses(connection, kept) == ["todo"]
    assert job_statuses(connection, dropped) == []


def test_job_rows_carry_the_task_and_its_options(session, connection):
    marker = uuid.uuid4().hex
    due = datetime.now(UTC) + timedelta(hours=2)
    job_id = tasks.defer(session, noop.configure(schedule_at=due, priority=5), marker=marker)
    row = connection.execute(
        text(
            "SELECT task_name, queue_name, priority, scheduled_at FROM procrastinate_jobs "
            "WHERE id = :id"
        ),
        {"id": job_id},
    ).one()
    assert row.task_name == "tests.tasks.noop"
    assert row.queue_name == tasks.DEFAULT_QUEUE
    assert row.priority == 5
    assert row.scheduled_at == due


def test_taken_queueing_lock_is_refused_and_the_transaction_goes_on(session, connection):
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    lock = f"test-lock-{first}"
    tasks.defer(session, noop.configure(queueing_lock=lock), marker=first)
    with pytest.raises(AlreadyEnqueued):
        tasks.defer(session, noop.configure(queueing_lock=lock), marker=second)
    assert session.scalar(text("SELECT 1")) == 1  # not "current transaction is aborted"
    assert job_statuses(connection, first) == ["todo"]
    assert job_statuses(connection, second) == []


def test_deferring_without_a_unit_of_work_is_refused():
    with pytest.raises(SessionRequired):
        noop.defer(marker="no session")


# --- registry and retry policy ------------------------------------------------------------


def test_purge_is_registered_to_run_hourly_on_the_default_queue():
    tasks.queue_app.perform_import_paths()
    assert tasks.queue_app.tasks["auth.purge_expired_tokens"] is purge_expired_tokens
    periodic = tasks.queue_app.periodic_registry.periodic_tasks[
        ("auth.purge_expired_tokens", "hourly")
    ]
    assert periodic.cron == "17 * * * *"
    assert purge_expired_tokens.queue == tasks.DEFAULT_QUEUE
    # While one purge waits in the queue, the periodic deferrer adds no more.
    assert purge_expired_tokens.queueing_lock == "auth.purge_expired_tokens"
    assert purge_expired_tokens.retry_strategy is tasks.TRANSIENT_RETRY


def test_every_domain_tasks_module_is_listed_for_the_worker():
    modules = {
        ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
        for path in (PROJECT_ROOT / "server").rglob("tasks.py")
    }
    # A module the worker never imports means jobs that fail with "task not found".
    assert modules - {"server.tasks"} <= set(tasks.TASK_MODULES)


def _job(attempts: int) -> Job:
    return Job(queue="default", lock=None, queueing_lock=None, task_name="t", attempts=attempts)


def _transient() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("deadlock detected"))


@pytest.mark.parametrize(("attempts", "wait_s"), [(0, 3), (1, 9), (4, 243)])
def test_transient_database_errors_are_retried_with_growing_waits(attempts, wait_s):
    before = datetime.now(UTC)
    decision = tasks.TRANSIENT_RETRY.get_retry_decision(exception=_transient(), job=_job(attempts))
    assert decision is not None
    assert decision.retry_at is not None
    waited = (decision.retry_at - before).total_seconds()
    assert wait_s <= waited < wait_s + 5


def test_retries_stop_after_five_and_bugs_are_never_retried():
    policy = tasks.TRANSIENT_RETRY
    assert policy.get_retry_decision(exception=_transient(), job=_job(5)) is None
    assert policy.get_retry_decision(exception=ValueError("a bug"), job=_job(0)) is None
