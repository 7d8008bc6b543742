"""The engineer app's API (`/mobile/v1`), with its own OpenAPI document at
`/mobile/openapi.json`. It calls the domain services; they never call it."""

from __future__ import annotations

from flask import Flask

from server.api import Api, register_security_scheme

SPEC = {
    "MOBILE_API_TITLE": "Fieldline engineer app API",
    "MOBILE_API_VERSION": "v1",
    "MOBILE_OPENAPI_VERSION": "3.0.3",
    "MOBILE_OPENAPI_URL_PREFIX": "/mobile",
    "MOBILE_OPENAPI_JSON_PATH": "openapi.json",
}


def init_app(app: Flask) -> Api:
    from mobile_api.routes import blp

    for key, value in SPEC.items():
        app.config.setdefault(key, value)
    api = Api(app, config_prefix="MOBILE_")
    register_security_scheme(api, app)
    api.register_blueprint(blp)
    return api
