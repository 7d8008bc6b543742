"""Domain errors and the one error shape: {code, status, message, error, errors}.

Domain code raises a `DomainError` subclass with a stable slug; `error_payload` turns it, or any
HTTP exception, into the response body with `message` (and field messages) in the caller's
language. A 500 never shows internals.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from server.i18n import translate, translate_errors

SLUG_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


class DomainError(Exception):
    """A refusal the caller can act on. `error` is the stable slug; `params` fill the message."""

    status_code = 400
    default_error = "bad_request"

    def __init__(
        self,
        error: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        self.error = error or self.default_error
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}
        self.params = params
        super().__init__(self.error)


class Unauthorized(DomainError):
    status_code = 401
    default_error = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    default_error = "forbidden"


class NotFound(DomainError):
    status_code = 404
    default_error = "not_found"


class Conflict(DomainError):
    status_code = 409
    default_error = "conflict"


class InvalidTransition(Conflict):
    default_error = "invalid_transition"


class VersionConflict(DomainError):
    status_code = 412
    default_error = "version_conflict"


class PreconditionRequired(DomainError):
    status_code = 428
    default_error = "precondition_required"


class ValidationFailed(DomainError):
    """A field-level refusal found by the service (e.g. an email already taken)."""

    status_code = 422
    default_error = "validation_failed"

    def __init__(
        self,
        field_errors: dict[str, list[str]],
        error: str | None = None,
        *,
        location: str = "json",
    ) -> None:
        # Same nesting as request validation: errors by location, then by field.
        super().__init__(error, errors={location: field_errors})


class RateLimited(DomainError):
    status_code = 429
    default_error = "rate_limited"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(headers={"Retry-After": str(retry_after_s)}, retry_after=retry_after_s)


def error_payload(
    status: int,
    locale: str,
    *,
    error: str | None = None,
    errors: Any = None,
    params: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    slug = error or SLUG_BY_STATUS.get(status, "error")
    message_key = slug if slug in _known_keys() else SLUG_BY_STATUS.get(status, "bad_request")
    payload: dict[str, Any] = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "error": slug,
        "message": translate(message_key, locale, **(params or {})),
    }
    if errors:
        payload["errors"] = translate_errors(errors, locale)
    if extra:
        payload.update(extra)
    return payload


def _known_keys() -> dict[str, dict[str, str]]:
    from server.i18n import MESSAGES

    return MESSAGES
