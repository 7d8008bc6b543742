"""The task queue (procrastinate): the app, the task decorator, and deferring in a transaction.

Writing a task, in `server/<domain>/tasks.py` (and listed in TASK_MODULES). The function gets the
task's own unit of work as `session` plus the job's keyword arguments, which are JSON (ids as
strings). It never commits: a normal return commits, an exception rolls back (and a transient
database error is retried with backoff). Settings are in `current_app.config`.

    @unit_of_work_task(name="workorders.escalate")
    def escalate(session: Session, *, work_order_id: str) -> None:
        workorders_service.escalate(session, work_order_id=uuid.UUID(work_order_id), now=utcnow())

Deferring, from a service, a route or another task, inside the caller's transaction:

    from server import tasks
    from server.workorders import tasks as workorder_tasks

    tasks.defer(session, workorder_tasks.escalate, work_order_id=str(order.id))
    tasks.defer(session, workorder_tasks.escalate.configure(schedule_at=due_at), work_order_id=...)

Workers run with `python -m server.worker` (see there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import procrastinate
import psycopg
import sqlalchemy.exc
from flask import Flask
from procrastinate.jobs import Job, JobDeferrer
from procrastinate.manager import JobManager
from procrastinate.retry import RetryValue
from procrastinate.tasks import Task
from sqlalchemy.orm import Session

from server.db import db
from server.queue_connector import SessionConnector

R = TypeVar("R")

# Modules whose import registers tasks; the worker imports them all before it starts.
TASK_MODULES = [
    "server.auth.tasks",
    "server.workorders.tasks",
    "server.assets.tasks",
    "server.dispatch.tasks",
    "server.dispatch.auto",
    "server.notify.tasks",
]

DEFAULT_QUEUE = "default"

# Errors worth another try: the same work may well succeed in a moment.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    # Lost connection, deadlock, serialization failure, lock or statement timeout: psycopg2
    # raises all of them as OperationalError subclasses, and SQLAlchemy wraps them as this.
    sqlalchemy.exc.OperationalError,
    # No pooled connection came free in time.
    sqlalchemy.exc.TimeoutError,
    # The same failures from psycopg 3, should a task use it directly.
    psycopg.OperationalError,
)

# Waits of 3, 9, 27, 81 and 243 s: about six minutes, enough to ride out a database restart.
TRANSIENT_RETRY = procrastinate.RetryStrategy(
    max_attempts=5, exponential_wait=3, retry_exceptions=TRANSIENT_ERRORS
)

# Where a task finds the Flask app: the worker passes it in procrastinate's additional_context.
FLASK_APP_KEY = "flask_app"


def flask_app(context: procrastinate.JobContext, name: str) -> Flask:
    """The worker's Flask app, which task `name` needs: the worker puts it in the context."""
    app: Flask | None = context.additional_context.get(FLASK_APP_KEY)
    if app is None:
        raise RuntimeError(f"{name} needs the Flask app: start `python -m server.worker`")
    return app


# On the web side the app can only defer, through the caller's connection; the worker swaps in a
# psycopg 3 connector with `replace_connector`.
_connector = SessionConnector()
queue_app = procrastinate.App(connector=_connector, import_paths=TASK_MODULES)
_session_jobs = JobManager(connector=_connector)


def unit_of_work_task(
    *,
    name: str,
    retry: RetryValue = TRANSIENT_RETRY,
    queue: str = DEFAULT_QUEUE,
    **options: Any,
) -> Callable[[Callable[..., R]], Task[Any, R, Any]]:
    """Register `func(session, **kwargs)` as a procrastinate task that runs in its own unit of
    work. `name` is stored in the job rows, so it must outlive refactors: never derive it from
    the module path. Other options (`lock`, `queueing_lock`, `priority`) are procrastinate's."""

    def register(func: Callable[..., R]) -> Task[Any, R, Any]:
        def run(context: procrastinate.JobContext, **task_kwargs: Any) -> R:
            app = flask_app(context, name)
            with app.app_context(), db.unit_of_work(app) as session:
                return func(session, **task_kwargs)

        run.__doc__ = func.__doc__
        return queue_app.task(name=name, pass_context=True, retry=retry, queue=queue, **options)(
            run
        )

    return register


def defer(session: Session, task: Task[Any, Any, Any] | JobDeferrer, /, **task_kwargs: Any) -> int:
    """Queue a job inside the session's transaction and answer its id.

    The job exists (and a worker hears of it) only if that transaction commits. Pass a task, or
    `task.configure(schedule_at=..., queueing_lock=..., priority=...)` for options. Arguments
    must be JSON. A taken queueing lock raises `procrastinate.exceptions.AlreadyEnqueued` and
    leaves the transaction usable.
    """
    job = (task.configure() if isinstance(task, Task) else task).job
    if job.queueing_lock is None:
        return _defer(session, job, task_kwargs)
    # The refused insert would abort the whole transaction: confine it to a savepoint.
    with session.begin_nested():
        return _defer(session, job, task_kwargs)


def _defer(session: Session, job: Job, task_kwargs: dict[str, Any]) -> int:
    deferrer = JobDeferrer(job_manager=_session_jobs, job=job, connection=session.connection())
    return deferrer.defer(**task_kwargs)
