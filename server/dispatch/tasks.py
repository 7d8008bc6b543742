"""Background jobs of dispatch: an optimizer run, in the worker's `optimizer` queue.

Unlike most tasks, a run is three short units of work around a long computation: take the
snapshot (and mark the run running), solve with no transaction open (minutes of OR-Tools must
not hold locks or a connection), then store the plan and, if asked, apply it.
"""

from __future__ import annotations

import uuid
from typing import Any

import procrastinate
from flask import Flask

from server.actors import Actor
from server.db import db, utcnow
from server.dispatch import runs
from server.dispatch.travel import provider_from_settings
from server.tasks import flask_app, queue_app

OPTIMIZER_QUEUE = "optimizer"
AUTO_DISPATCH = Actor(kind="system", role="system", name="自动调度 auto-dispatch")


@queue_app.task(name="dispatch.solve_run", queue=OPTIMIZER_QUEUE, pass_context=True)
def solve_run(context: procrastinate.JobContext, *, run_id: str) -> dict[str, Any]:
    return execute(flask_app(context, "dispatch.solve_run"), uuid.UUID(run_id))


def execute(app: Flask, run_id: uuid.UUID) -> dict[str, Any]:
    """The whole run; also called directly by tests and tools."""
    with app.app_context():
        travel = provider_from_settings(app.config)
        timezone = app.config["ORG_TIMEZONE"]
        with db.unit_of_work(app) as session:
            snap = runs.take_snapshot(
                session, run_id=run_id, travel=travel, now=utcnow(), timezone=timezone
            )
            options = dict(runs.get_run(session, run_id=run_id).options)
        if snap is None:
            return {"skipped": True}
        try:
            plan = runs.solve_snapshot(snap, time_limit_s=options["time_limit_s"])
        except Exception as exc:
            with db.unit_of_work(app) as session:
                runs.fail(
                    session, run_id=run_id, error=f"{type(exc).__name__}: {exc}", now=utcnow()
                )
            raise
        with db.unit_of_work(app) as session:
            run = runs.store_plan(session, run_id=run_id, snap=snap, plan=plan, now=utcnow())
            if options["apply"]:
                run = runs.apply_run(
                    session, run_id=run_id, actor=AUTO_DISPATCH, now=utcnow(), timezone=timezone
                )
            return {"status": run.status, **(run.stats or {})}
