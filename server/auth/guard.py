"""Who is calling: the bearer token checked, the user loaded, the role enforced."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app, g, request
from sqlalchemy.orm import Session

from server import ratelimit
from server.actors import Actor
from server.auth import apikeys, tokens
from server.auth import service as auth_service
from server.auth.models import ApiKey, Role, User
from server.db import db, utcnow
from server.errors import Forbidden, Unauthorized
from server.i18n import negotiate
from server.technicians import service as technicians_service


def authenticate(roles: Iterable[str] = ()) -> User:
    """Load the caller from `Authorization: Bearer`; 401 without a valid token, 403 for a role."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("unauthorized", headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = tokens.decode_access_token(
            token.strip(), secret=current_app.config["SECRET_KEY"], now=utcnow()
        )
    except tokens.TokenExpired as exc:
        raise Unauthorized(
            "token_expired", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        ) from exc
    except tokens.TokenInvalid as exc:
        raise Unauthorized(
            "invalid_token", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        ) from exc
    user = auth_service.get_active_user(db.session, user_id=claims.user_id)
    if user is None:
        raise Unauthorized("invalid_token")
    g.user = user
    g.user_id = str(user.id)
    g.locale = negotiate(request.headers.get("Accept-Language"), user.locale)
    roles = tuple(roles)
    if roles and user.role not in roles:
        raise Forbidden()
    return user


def current_actor() -> Actor:
    """The signed-in caller as the services see them (with their technician id, if any)."""
    return actor_for(db.session, user=current_user(), locale=g.get("locale", "zh-CN"))


def actor_for(session: Session, *, user: User, locale: str) -> Actor:
    """`user` as the services see them: with their technician id for a technician (the id
    alone, asked on every request of the engineer app), None for anyone else."""
    technician_id = None
    if user.role == Role.TECHNICIAN:
        technician_id = technicians_service.technician_id_for_user(session, user_id=user.id)
    return Actor(
        kind="user",
        role=user.role,
        user_id=user.id,
        technician_id=technician_id,
        name=user.name,
        locale=locale,
    )


def current_user() -> User:
    user: User | None = g.get("user")
    if user is None:  # pragma: no cover - a route without @blp.auth asked for a user
        raise Unauthorized()
    return user


def auth_settings() -> auth_service.AuthSettings:
    config = current_app.config
    return auth_service.AuthSettings(
        secret=config["SECRET_KEY"],
        access_ttl_s=config["ACCESS_TOKEN_TTL_S"],
        refresh_ttl_s=config["REFRESH_TOKEN_TTL_S"],
        max_failures_per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        max_attempts_per_address=config["LOGIN_MAX_ATTEMPTS_PER_ADDRESS"],
        rate_window_s=config["LOGIN_RATE_WINDOW_S"],
    )


def throttle_public(scope: str) -> None:
    """Rate-limit an unauthenticated endpoint per client address (429 with Retry-After)."""
    ratelimit.enforce(
        db.session,
        key=f"{scope}:address:{request.remote_addr or 'unknown'}",
        limit=current_app.config["PUBLIC_RATE_LIMIT_PER_MINUTE"],
        window_s=60,
        now=utcnow(),
    )


def authenticate_integration(kind: str) -> ApiKey:
    """A connected system's key from `Authorization: Bearer fl_...` or `X-Api-Key` (401 else)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    key = token.strip() if scheme.lower() == "bearer" else request.headers.get("X-Api-Key", "")
    if not key:
        raise Unauthorized("invalid_api_key", headers={"WWW-Authenticate": "Bearer"})
    api_key = apikeys.authenticate_key(db.session, key=key.strip(), kind=kind, now=utcnow())
    g.user_id = f"api_key:{api_key.id}"
    return api_key


def authenticate_signed(kind: str, *, now: datetime) -> tuple[ApiKey, bytes]:
    """A gateway's key and its request body, signed with the key's secret: `X-Timestamp` and
    `X-Signature: sha256=HMAC(secret, timestamp.body)` (401 for a wrong or stale signature)."""
    api_key = authenticate_integration(kind)
    body = request.get_data()
    apikeys.verify_signature(
        db.session,
        api_key=api_key,
        signature_header=request.headers.get("X-Signature"),
        timestamp_header=request.headers.get("X-Timestamp"),
        body=body,
        now=now,
    )
    return api_key, body
