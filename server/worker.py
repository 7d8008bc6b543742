"""The task worker's entry point: `python -m server.worker`.

It creates the Flask app (settings, and the engine every task's unit of work uses) and runs
procrastinate on psycopg 3, with its own small async pool on the same database. Each job runs in
a thread, inside its own unit of work (`server.tasks.unit_of_work_task`). Every worker also
defers the periodic jobs; the database keeps them from being queued twice. Ctrl-C or SIGTERM
lets the running jobs finish, then stops.

    python -m server.worker                    the default queue, until stopped
    python -m server.worker --until-empty      run what is due now, then exit
    python -m server.worker --queue optimizer  another queue (the optimizer's, later)

Run it from here, never by running a task module as `__main__` (its tasks would be registered
under the wrong module).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import procrastinate
from flask import Flask
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

from server.app import create_app
from server.tasks import DEFAULT_QUEUE, FLASK_APP_KEY, queue_app

DEFAULT_CONCURRENCY = 4


def libpq_conninfo(url: str | URL) -> str:
    """SQLAlchemy's `postgresql+psycopg2://user:pw@host:port/db?opts` as a libpq conninfo."""
    url = make_url(url)
    params: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    # Query options are libpq's own (sslmode, a socket directory as host, ...).
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    return make_conninfo(**{key: value for key, value in params.items() if value is not None})


def build_connector(app: Flask, *, concurrency: int) -> procrastinate.PsycopgConnector:
    return procrastinate.PsycopgConnector(
        conninfo=libpq_conninfo(app.extensions["db"].engine.url),
        kwargs={"application_name": "fieldline-worker"},
        min_size=1,
        # Beside the jobs' own fetches and status updates: the LISTEN connection, the heartbeat,
        # abort polling and the periodic deferrer.
        max_size=concurrency + 3,
        name="fieldline-worker",
    )


def run(
    app: Flask,
    *,
    queues: Sequence[str] = (DEFAULT_QUEUE,),
    concurrency: int = DEFAULT_CONCURRENCY,
    wait: bool = True,
    **options: Any,
) -> None:
    """Work the queues until stopped, or with `wait=False` until nothing is due. `options` are
    procrastinate's worker options (`install_signal_handlers`, `listen_notify`, ...)."""
    connector = build_connector(app, concurrency=concurrency)
    with queue_app.replace_connector(connector):
        queue_app.run_worker(
            queues=list(queues),
            concurrency=concurrency,
            wait=wait,
            name="worker",
            additional_context={FLASK_APP_KEY: app},
            **options,
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.worker", description=__doc__)
    parser.add_argument(
        "--queue",
        dest="queues",
        action="append",
        help=f"a queue to work (repeatable; default: {DEFAULT_QUEUE})",
    )
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument(
        "--until-empty", action="store_true", help="exit once no job is due (scripts, tests)"
    )
    args = parser.parse_args(argv)

    app = create_app()
    try:
        run(
            app,
            queues=args.queues or [DEFAULT_QUEUE],
            concurrency=args.concurrency,
            wait=not args.until_empty,
        )
    except KeyboardInterrupt:  # a second Ctrl-C while jobs were finishing
        return 130
    finally:
        app.extensions["db"].engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
