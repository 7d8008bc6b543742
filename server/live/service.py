"""The live board's use cases: a short-lived stream token, who may hold a stream open, and the
snapshot a board reads on start and after any gap in the stream."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from server.actors import Actor
from server.auth import service as auth_service
from server.auth import tokens
from server.auth.models import User
from server.errors import DomainError, Forbidden, Unauthorized
from server.geo import from_geography
from server.live.emit import order_delta
from server.technicians import service as technicians_service
from server.workorders import service as workorders_service
from server.workorders.models import ON_THE_BOARD

# Who watches the board live (DESIGN §1: dispatchers; managers and admins look over them).
STREAM_ROLES = ("admin", "dispatcher", "manager")
# A stream token proves who opened the stream, nothing more: it cannot call the API.
TOKEN_AUDIENCE = "events"  # noqa: S105 - a JWT audience, not a secret
# More open work than this is no longer a board but a backlog report.
SNAPSHOT_MAX_ORDERS = 20_000


class StreamUnavailable(DomainError):
    """The stream process cannot listen to the database right now (the board retries)."""

    status_code = 503
    default_error = "service_unavailable"


def issue_stream_token(user: User, *, secret: str, ttl_s: int, now: datetime) -> dict[str, Any]:
    if user.role not in STREAM_ROLES:
        raise Forbidden()
    token = tokens.issue_access_token(
        user_id=user.id,
        role=user.role,
        secret=secret,
        ttl_s=ttl_s,
        now=now,
        audience=TOKEN_AUDIENCE,
    )
    return {"token": token, "expires_in": ttl_s}


def user_for_stream_token(session: Session, *, token: str, secret: str, now: datetime) -> User:
    """The active user a stream token names, if their role may watch the board (401 / 403)."""
    try:
        claims = tokens.decode_access_token(token, secret=secret, now=now, audience=TOKEN_AUDIENCE)
    except tokens.TokenExpired as exc:
        raise Unauthorized("token_expired") from exc
    except tokens.TokenInvalid as exc:
        raise Unauthorized("invalid_token") from exc
    user = auth_service.get_active_user(session, user_id=claims.user_id)
    if user is None:
        raise Unauthorized("invalid_token")
    if user.role not in STREAM_ROLES:
        raise Forbidden()
    return user


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def board_snapshot(session: Session, *, actor: Actor, now: datetime) -> dict[str, Any]:
    """Every open job and every active engineer, in the compact shape the board keeps (the
    same fields the stream's deltas change)."""
    orders, _ = workorders_service.list_work_orders(
        session,
        actor=actor,
        filters=workorders_service.Filters(status=ON_THE_BOARD),
        sort="created_at",
        page=1,
        page_size=SNAPSHOT_MAX_ORDERS,
    )
    crew, _ = technicians_service.list_technicians(session, active=True)
    return {
        "at": now.isoformat(),
        "jobs": [_job(order) for order in orders],
        "technicians": [_engineer(t) for t in crew],
    }


def _job(order: Any) -> dict[str, Any]:
    # The stream's delta, so that a board merging deltas into its snapshot finds the same
    # fields in the same shape; plus what only the snapshot carries.
    return {
        **order_delta(order, created=False),
        "type": order.type,
        "summary": order.summary,
        "customer": order.customer.name if order.customer else None,
        "address": order.site.address if order.site else None,
        "location": from_geography(order.location),
        "required_skills": order.required_skills or [],
        "duration_minutes": order.duration_minutes,
        "response_due_at": _iso(order.response_due_at),
        "resolve_due_at": _iso(order.resolve_due_at),
        "waiting_for_parts": order.waiting_for_parts,
        "created_at": _iso(order.created_at),
    }


def _engineer(technician: Any) -> dict[str, Any]:
    return {
        "id": str(technician.id),
        "name": technician.user.name,
        "status": technician.status,
        "skills": [{"code": s.skill_code, "level": s.level} for s in technician.skills],
        "home": from_geography(technician.home),
        "position": from_geography(technician.last_position),
        "position_at": _iso(technician.last_position_at),
        "max_jobs_per_day": technician.max_jobs_per_day,
    }
