"""The stream process's app: `gunicorn 'server.live.app:create_stream_app()'`.

Only the event stream (and health checks), on a gthread worker with many threads: each open
stream holds a thread for as long as the board stays open, which the API's workers must never
do. Same settings, database and error shape as the API.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request

from server.api import Api, register_security_scheme
from server.app import OPENAPI
from server.config import load_config, resolve_database_url
from server.db import db
from server.i18n import negotiate
from server.logs import configure_logging


def create_stream_app(config: dict[str, Any] | None = None) -> Flask:
    settings = load_config({**(config or {}), "EVENTS_STREAM_PROCESS": True})
    app = Flask(__name__, static_folder=None)
    app.config.update(settings.as_flask_mapping())
    app.config.update(OPENAPI)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    configure_logging(app)
    db.init_app(app, resolve_database_url(settings))

    @app.before_request
    def _locale() -> None:
        g.locale = negotiate(request.headers.get("Accept-Language"))

    from server import health
    from server.live.routes import stream_blp

    api = Api(app)
    register_security_scheme(api, app)
    api.register_blueprint(stream_blp)
    app.register_blueprint(health.blp)
    return app
