"""Liveness (/healthz: the process answers) and readiness (/readyz: database up, schema at head)."""

from __future__ import annotations

from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from server.db import db
from server.migrate import alembic_config

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks: dict[str, Any] = {}
    ready = True
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
        heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == heads else "pending"
        ready = current == heads
    except Exception as exc:  # any failure to reach the database means "not ready"
        current_app.logger.warning("readiness check failed: %s", exc.__class__.__name__)
        checks["database"] = "unreachable"
        ready = False
    response = jsonify(status="ready" if ready else "unavailable", checks=checks)
    response.status_code = 200 if ready else 503
    return response
