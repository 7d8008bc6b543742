"""A procrastinate connector that works on the caller's SQLAlchemy connection, never its own.

Deferring a job inserts a row in `procrastinate_jobs`. Done on the connection of the current unit
of work (a request's `db.session`, or a task's session), that row belongs to the same transaction
as the change that caused it: a rollback takes the job with it, and workers are woken (NOTIFY)
only at commit. This connector therefore has no pool: every query needs the connection, passed
the way procrastinate passes an external connection. `server.tasks.defer` does that for you.

The worker does not use this connector; it runs on psycopg 3 (`server.worker`).
"""

from __future__ import annotations

import re
from typing import Any

import psycopg2.errors
from procrastinate import connector, exceptions, manager
from psycopg2.extras import Json
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

# procrastinate writes its SQL with pyformat parameters (`%(name)s`); with parameters, psycopg2
# reads any other `%` as a placeholder, so literal ones are doubled.
_LONE_PERCENT = re.compile(r"%(?![(s%])")
_QUEUEING_LOCK_KEY = re.compile(r"Key \((.*?)\)=\((.*?)\)")


class SessionRequired(exceptions.ConnectorException):
    """Deferring needs a unit of work: use server.tasks.defer(session, task, **kwargs)."""


class SessionConnector(connector.BaseConnector):
    def get_sync_connector(self) -> connector.BaseConnector:
        return self

    def open(self, pool: connector.Pool | None = None) -> None:
        """Nothing to open: the connector borrows the caller's connection."""

    def close(self) -> None:
        """Nothing to close."""

    def execute_query(self, query: str, **arguments: Any) -> None:
        raise SessionRequired()

    def execute_query_one(self, query: str, **arguments: Any) -> dict[str, Any]:
        raise SessionRequired()

    def execute_query_all(self, query: str, **arguments: Any) -> list[dict[str, Any]]:
        raise SessionRequired()

    def execute_query_one_with_connection(
        self, connection: Any, query: str, **arguments: Any
    ) -> dict[str, Any]:
        rows = self._execute(connection, query, arguments)
        if not rows:
            raise exceptions.NoResult()
        return rows[0]

    def execute_query_all_with_connection(
        self, connection: Any, query: str, **arguments: Any
    ) -> list[dict[str, Any]]:
        return self._execute(connection, query, arguments)

    def _execute(
        self, connection: Any, query: str, arguments: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not isinstance(connection, Connection):
            raise SessionRequired()
        params = {key: self._adapt(value) for key, value in arguments.items()}
        try:
            result = connection.exec_driver_sql(_LONE_PERCENT.sub("%%", query), params)
        except IntegrityError as exc:
            violation = _unique_violation(exc)
            if violation is None:
                raise
            raise violation from exc
        # Other database errors go up unchanged, so the unit of work (and a task's retry
        # strategy, which retries OperationalError) sees what really happened.
        if not result.returns_rows:
            return []
        return [dict(row) for row in result.mappings()]

    def _adapt(self, value: Any) -> Any:
        if isinstance(value, dict):
            return Json(value)
        if isinstance(value, list):
            return [self._adapt(item) for item in value]
        if isinstance(value, tuple):  # a job row (procrastinate_job_to_defer_v1)
            return tuple(self._adapt(item) for item in value)
        return value


def _unique_violation(exc: IntegrityError) -> exceptions.UniqueViolation | None:
    """procrastinate's own exception for a taken queueing lock (it answers AlreadyEnqueued)."""
    orig = exc.orig
    if not isinstance(orig, psycopg2.errors.UniqueViolation):
        return None
    constraint = orig.diag.constraint_name
    queueing_lock = None
    if constraint == manager.QUEUEING_LOCK_CONSTRAINT:
        match = _QUEUEING_LOCK_KEY.search(orig.diag.message_detail or "")
        queueing_lock = match.group(2) if match else None
    return exceptions.UniqueViolation(constraint_name=constraint, queueing_lock=queueing_lock)
