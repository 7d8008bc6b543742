"""Structured JSON logs with a request id on every line, echoed as X-Request-Id."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
access_log = logging.getLogger("fieldline.access")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Only plain values from g: ORM objects may be expired or detached by the time a
        # late log line (the access log, after the unit of work ended) is written.
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            user_id = g.get("user_id")
            if user_id is not None and not hasattr(record, "user_id"):
                record.user_id = user_id
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
    )


def configure_logging(app: Flask) -> None:
    root = logging.getLogger()
    if not any(getattr(h, "_fieldline", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._fieldline = True  # type: ignore[attr-defined]
        if app.config["LOG_JSON"]:
            handler.setFormatter(json_formatter())
        handler.addFilter(RequestContextFilter())
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    # Alembic narrates every plugin it loads at INFO; readiness checks would flood the log.
    logging.getLogger("alembic").setLevel(logging.WARNING)

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-Id"] = request_id
            started = g.get("request_started", time.perf_counter())
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "remote_addr": request.remote_addr,
                    "user_id": g.get("user_id"),
                },
            )
        return response
