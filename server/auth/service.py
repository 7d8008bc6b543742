"""Users and sessions: login, token refresh with rotation, logout, user administration."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from server import ratelimit
from server.auth import tokens
from server.auth.models import RefreshToken, User
from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.db import commit_even_if_refused
from server.errors import NotFound, Unauthorized, ValidationFailed
from server.queries import count_rows, flush_or_conflict, matches_any, one_page


@dataclass(frozen=True)
class AuthSettings:
    secret: str
    access_ttl_s: int
    refresh_ttl_s: int
    max_failures_per_account: int
    max_attempts_per_address: int
    rate_window_s: int


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


def normalise_login(login: str) -> str:
    value = login.strip()
    return value.lower() if "@" in value else value.replace(" ", "").replace("-", "")


def find_user_by_login(session: Session, *, login: str) -> User | None:
    value = normalise_login(login)
    return session.scalar(
        select(User).where(or_(func.lower(User.email) == value, User.phone == value))
    )


def login(
    session: Session,
    *,
    login: str,
    password: str,
    client_address: str,
    settings: AuthSettings,
    now: datetime,
) -> IssuedTokens:
    """Check the password (rate-limited per account and per address) and open a token family."""
    account_key = f"login:account:{normalise_login(login)}"
    ratelimit.enforce(
        session,
        key=f"login:address:{client_address}",
        limit=settings.max_attempts_per_address,
        window_s=settings.rate_window_s,
        now=now,
    )
    ratelimit.refuse_if_spent(
        session,
        key=account_key,
        limit=settings.max_failures_per_account,
        window_s=settings.rate_window_s,
        now=now,
    )
    user = find_user_by_login(session, login=login)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        ratelimit.count_hit(session, key=account_key, window_s=settings.rate_window_s, now=now)
        raise Unauthorized("invalid_credentials")
    if not user.active:
        raise Unauthorized("user_disabled")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    ratelimit.reset(session, key=account_key)
    user.last_login_at = now
    return _issue(session, user=user, family_id=uuid.uuid4(), settings=settings, now=now)


def _issue(
    session: Session, *, user: User, family_id: uuid.UUID, settings: AuthSettings, now: datetime
) -> IssuedTokens:
    refresh = tokens.new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=tokens.hash_refresh_token(refresh),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.refresh_ttl_s),
        )
    )
    access = tokens.issue_access_token(
        user_id=user.id,
        role=user.role,
        secret=settings.secret,
        ttl_s=settings.access_ttl_s,
        now=now,
    )
    return IssuedTokens(access, refresh, settings.access_ttl_s, user)


def refresh(
    session: Session, *, refresh_token: str, settings: AuthSettings, now: datetime
) -> IssuedTokens:
    """Rotate: the presented token is spent and a new one of the same family is issued."""
    row = session.scalar(
        select(RefreshToken)
        .where(RefreshToken.token_hash == tokens.hash_refresh_token(refresh_token))
        .with_for_update()
    )
    if row is None or (row.revoked_at is not None and row.used_at is None):
        raise Unauthorized("refresh_token_invalid")
    if row.used_at is not None:
        # A spent token came back: someone else holds the family. End the session everywhere.
        _revoke_family(session, family_id=row.family_id, now=now)
        commit_even_if_refused(session)
        raise Unauthorized("refresh_token_reused")
    if row.expires_at <= now:
        raise Unauthorized("refresh_token_expired")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("user_disabled")
    row.used_at = now
    return _issue(session, user=user, family_id=row.family_id, settings=settings, now=now)


def logout(session: Session, *, refresh_token: str, now: datetime) -> None:
    """Revoke the session the token belongs to. Unknown tokens are ignored (idempotent)."""
    row = session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == tokens.hash_refresh_token(refresh_token)
        )
    )
    if row is not None:
        _revoke_family(session, family_id=row.family_id, now=now)


def _revoke_family(session: Session, *, family_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def purge_expired_refresh_tokens(session: Session, *, now: datetime) -> int:
    """Delete refresh tokens that can no longer be used (expired, or revoked a day ago)."""
    stmt = RefreshToken.__table__.delete().where(
        or_(
            RefreshToken.expires_at < now,
            RefreshToken.revoked_at < now - timedelta(days=1),
        )
    )
    return int(session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def get_active_user(session: Session, *, user_id: uuid.UUID) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


# --- user administration ------------------------------------------------------------------


def get_user(session: Session, *, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def list_users(
    session: Session,
    *,
    role: str | None = None,
    active: bool | None = None,
    q: str | None = None,
    page: int,
    page_size: int,
) -> tuple[list[User], int]:
    stmt = select(User)
    if role:
        stmt = stmt.where(User.role == role)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if q:
        stmt = stmt.where(matches_any(q, User.name, User.email, User.phone))
    total = count_rows(session, stmt)
    rows = session.scalars(
        one_page(stmt.order_by(User.name, User.id), page=page, page_size=page_size)
    ).all()
    return list(rows), total


def create_user(
    session: Session,
    *,
    name: str,
    email: str,
    role: str,
    password: str | None = None,
    password_hash: str | None = None,
    phone: str | None = None,
    locale: str | None = None,
    active: bool = True,
) -> User:
    """`password_hash` instead of `password` lets a bulk import hash a shared password once."""
    if (password is None) == (password_hash is None):
        raise ValueError("give exactly one of password and password_hash")
    user = User(
        name=name.strip(),
        email=email.strip().lower(),
        phone=normalise_login(phone) if phone else None,
        password_hash=password_hash or hash_password(password or ""),
        role=role,
        locale=locale,
        active=active,
    )
    _check_unique(session, user)
    session.add(user)
    flush_or_conflict(session)
    return user


def update_user(session: Session, *, user_id: uuid.UUID, changes: dict[str, Any]) -> User:
    user = get_user(session, user_id=user_id)
    for key, value in changes.items():
        if key == "password":
            user.password_hash = hash_password(value)
        elif key == "email":
            user.email = value.strip().lower()
        elif key == "phone":
            user.phone = normalise_login(value) if value else None
        else:
            setattr(user, key, value)
    _check_unique(session, user)
    if changes.get("active") is False or "password" in changes:
        # A disabled account or a changed password ends every open session.
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )
    flush_or_conflict(session)
    return user


def _check_unique(session: Session, user: User) -> None:
    errors: dict[str, list[str]] = {}
    clash = session.scalar(
        select(User.id).where(func.lower(User.email) == user.email.lower(), User.id != user.id)
    )
    if clash is not None:
        errors["email"] = ["email_taken"]
    if user.phone:
        clash = session.scalar(select(User.id).where(User.phone == user.phone, User.id != user.id))
        if clash is not None:
            errors["phone"] = ["phone_taken"]
    if errors:
        raise ValidationFailed(errors)
