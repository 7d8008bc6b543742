"""The stream process's app: `gunicorn 'server.live.app:create_stream_app()'`.

Only the event stream (and health checks), on a gthread worker with many threads: each open
stream holds a thread for as long as the board stays open, which the API's workers must never
do. Same settings, database and error shape as the API.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from server.app import create_base_app


def create_stream_app(config: dict[str, Any] | None = None) -> Flask:
    app, api = create_base_app(__name__, {**(config or {}), "EVENTS_STREAM_PROCESS": True})

    from server import health
    from server.live.routes import stream_blp

    api.register_blueprint(stream_blp)
    app.register_blueprint(health.blp)
    return app
