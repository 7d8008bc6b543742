"""The application factory: `create_app(config=None)`."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request

import mobile_api
from server import storage
from server.api import Api, register_security_scheme
from server.config import load_config, resolve_database_url
from server.db import db
from server.i18n import negotiate
from server.logs import configure_logging
from server.notify import backends as notify_backends

OPENAPI = {
    "API_TITLE": "Fieldline API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    # Served from our own build (pwa/dist/swagger-ui), so the docs work without the internet.
    "OPENAPI_SWAGGER_UI_URL": "/swagger-ui/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Work orders, dispatch, assets and spare parts. Errors have one shape "
            "`{code, status, message, error, errors}`; `message` follows Accept-Language "
            "(zh-CN by default, or en). Lists are paged with `page` and `page_size` (max 200); "
            "the totals are in the `X-Pagination` header."
        }
    },
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app, api = create_base_app(__name__, config)
    storage.init_app(app)
    _register_blueprints(app, api)
    notify_backends.log_configuration(app.config)
    mobile_api.init_app(app)
    _register_cli(app)
    return app


def create_base_app(import_name: str, config: dict[str, Any] | None = None) -> tuple[Flask, Api]:
    """What every Fieldline process shares (the API and the stream process): settings, logging,
    database, the caller's language and the one error shape; no blueprints yet."""
    settings = load_config(config)
    app = Flask(import_name, static_folder=None)
    app.config.update(settings.as_flask_mapping())
    app.config.update(OPENAPI)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    configure_logging(app)
    db.init_app(app, resolve_database_url(settings))

    @app.before_request
    def _locale() -> None:
        g.locale = negotiate(request.headers.get("Accept-Language"))

    api = Api(app)
    register_security_scheme(api, app)
    return app, api


def _register_blueprints(app: Flask, api: Api) -> None:
    from server import health, web
    from server.assets.routes import alarms_blp, assets_blp, models_blp, templates_blp
    from server.assets.routes_plans import checklist_blp, plans_blp, readings_feed_blp
    from server.auth.routes import blp as auth_blp
    from server.customers.routes import blp as customers_blp
    from server.dispatch.routes import dispatch_blp, territories_blp
    from server.inventory.routes import blp as inventory_blp
    from server.inventory.routes import work_order_parts_blp
    from server.live.routes import blp as live_blp
    from server.live.routes import stream_blp as live_stream_blp
    from server.notify.routes import notifications_blp, webhooks_blp
    from server.technicians.routes import blp as technicians_blp
    from server.workorders.routes import blp as workorders_blp
    from server.workorders.routes_public import intake_blp, tracking_blp
    from server.workorders.routes_settings import categories_blp, rules_blp, sla_blp

    for blp in (
        auth_blp,
        customers_blp,
        technicians_blp,
        workorders_blp,
        tracking_blp,
        categories_blp,
        intake_blp,
        rules_blp,
        sla_blp,
        inventory_blp,
        work_order_parts_blp,
        territories_blp,
        dispatch_blp,
        models_blp,
        assets_blp,
        templates_blp,
        alarms_blp,
        plans_blp,
        checklist_blp,
        readings_feed_blp,
        live_blp,
        live_stream_blp,
        webhooks_blp,
        notifications_blp,
    ):
        api.register_blueprint(blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(web.blp)


def _register_cli(app: Flask) -> None:
    from server.assets.cli import cli as assets_cli
    from server.auth.cli import cli as users_cli
    from server.demo.cli import cli as demo_cli
    from server.inventory.cli import cli as inventory_cli
    from server.workorders.cli import cli as workorders_cli

    app.register_blueprint(users_cli)
    app.register_blueprint(demo_cli)
    app.register_blueprint(assets_cli)
    app.register_blueprint(workorders_cli)
    app.register_blueprint(inventory_cli)
