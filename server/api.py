"""The API kernel: flask-smorest's `Api` with our error shape, and the domains' `Blueprint`."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import flask_smorest
import marshmallow as ma
from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from server.errors import (
    DomainError,
    PreconditionRequired,
    VersionConflict,
    error_payload,
)

log = logging.getLogger(__name__)

PAGINATION = {"page": 1, "page_size": 50, "max_page_size": 200}


def request_locale() -> str:
    """Negotiated once per request by the app (user setting, then Accept-Language)."""
    return getattr(g, "locale", None) or "zh-CN"


class Api(flask_smorest.Api):
    """flask-smorest's Api, answering every error in our one shape and the caller's language."""

    def _register_error_handlers(self) -> None:
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(DomainError, self.handle_domain_error)
        self._app.register_error_handler(ma.ValidationError, self.handle_validation_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        slug = None
        if status == 400 and _is_malformed_json(errors):
            slug, errors = "malformed_json", None
        if status == 422:
            slug = "validation_failed"
        headers = dict(data.get("headers") or {})
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            # flask-smorest drops Allow; HTTP requires it on a 405.
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        if isinstance(error, InternalServerError):
            original = getattr(error, "original_exception", None)
            if original is not None:
                log.error("unhandled error", exc_info=original)
        body = error_payload(status, request_locale(), error=slug, errors=errors)
        response = jsonify(body)
        response.status_code = status
        response.headers.update(headers)
        return response

    def handle_domain_error(self, error: DomainError) -> Response:
        body = error_payload(
            error.status_code,
            request_locale(),
            error=error.error,
            errors=error.errors,
            params=error.params,
            extra=error.extra,
        )
        response = jsonify(body)
        response.status_code = error.status_code
        response.headers.update(error.headers)
        return response

    def handle_validation_error(self, error: ma.ValidationError) -> Response:
        """A schema loaded inside a view (a signed body, verified before it is parsed)."""
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        errors = messages if set(messages) <= {"json", "query", "form"} else {"json": messages}
        response = jsonify(error_payload(422, request_locale(), errors=errors))
        response.status_code = 422
        return response

    def handle_unexpected(self, error: Exception) -> Response:
        if isinstance(error, HTTPException):  # pragma: no cover - routed above
            return self.handle_http_exception(error)
        log.error("unhandled error", exc_info=error)
        response = jsonify(error_payload(500, request_locale()))
        response.status_code = 500
        return response


def _is_malformed_json(errors: Any) -> bool:
    if not isinstance(errors, dict):
        return False
    return any("Invalid JSON body." in (v if isinstance(v, list) else []) for v in errors.values())


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint with our pagination defaults and an `auth` guard."""

    DEFAULT_PAGINATION_PARAMETERS = PAGINATION

    def auth(self, *roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Require a valid access token and, when given, one of `roles` (401 / 403 otherwise)."""
        from server.auth.guard import authenticate  # local: auth builds on this module

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                authenticate(roles)
                return view(*args, **kwargs)

            wrapper._fieldline_auth = roles or ("*",)  # type: ignore[attr-defined]
            documented = self.doc(security=[{"bearerAuth": []}])(wrapper)
            documented = self.alt_response(401, description="Not authenticated")(documented)
            if roles:
                documented = self.alt_response(403, description="Role not allowed")(documented)
            return documented

        return decorator

    def integration(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Mark a route as authenticated by an API key inside the view (checked by a test)."""
        view._fieldline_auth = ("integration",)  # type: ignore[attr-defined]
        documented = self.doc(security=[{"bearerAuth": []}])(view)
        return self.alt_response(401, description="Missing, revoked or wrong API key")(documented)

    def public(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Mark a route as deliberately open to anyone (checked by the route-guard test)."""
        view._fieldline_auth = ("public",)  # type: ignore[attr-defined]
        return view


def register_security_scheme(api: Api, app: Flask) -> None:
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )


def is_api_request() -> bool:
    return request.path.startswith(("/api/", "/mobile/"))


def if_match_version(*, required: bool) -> int | None:
    """The version in `If-Match` ("3", W/"3" or 3). Missing: 428 when required; unreadable: 412."""
    raw = request.headers.get("If-Match")
    if raw is None or not raw.strip():
        if required:
            raise PreconditionRequired()
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise VersionConflict()
    return int(value)


def etag_headers(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


def parse_json_object(body: bytes) -> dict[str, Any]:
    """A raw body that must be a JSON object (signed requests are verified before parsing)."""
    try:
        value = json.loads(body)
    except ValueError as exc:
        raise ma.ValidationError({"json": ["Invalid JSON body."]}) from exc
    if not isinstance(value, dict):
        raise ma.ValidationError({"json": ["Not a valid mapping type."]})
    return value
