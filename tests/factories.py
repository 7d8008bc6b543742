"""Test data. Factories flush (so ids exist), never commit."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from server.auth import tokens
from server.auth.models import User
from server.auth.passwords import hash_password
from server.db import utcnow

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


@cache
def _password_hash() -> str:
    # argon2 is slow on purpose; one hash serves every factory user.
    return hash_password(PASSWORD)


def make_user(session: Session, *, role: str = "dispatcher", **fields: Any) -> User:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"User {n}",
        "email": f"user{n}@example.test",
        "phone": None,
        "role": role,
        "password_hash": _password_hash(),
        "active": True,
    }
    values.update(fields)
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def bearer(app: Flask, user: User, *, ttl_s: int | None = None, **headers: str) -> dict[str, str]:
    token = tokens.issue_access_token(
        user_id=user.id,
        role=user.role,
        secret=app.config["SECRET_KEY"],
        ttl_s=app.config["ACCESS_TOKEN_TTL_S"] if ttl_s is None else ttl_s,
        now=utcnow(),
    )
    return {"Authorization": f"Bearer {token}", **headers}
