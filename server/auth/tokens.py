"""Access tokens (short-lived signed JWTs) and refresh tokens (random, stored hashed). Pure."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

ALGORITHM = "HS256"
ISSUER = "fieldline"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    expires_at: datetime


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def issue_access_token(
    *, user_id: uuid.UUID, role: str, secret: str, ttl_s: int, now: datetime, audience: str = "api"
) -> str:
    claims = {
        "sub": str(user_id),
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl_s)).timestamp()),
        "iss": ISSUER,
        "aud": audience,
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(
    token: str, *, secret: str, now: datetime, audience: str = "api"
) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iat"], "verify_exp": False},
        )
    except jwt.PyJWTError as exc:
        raise TokenInvalid(str(exc)) from exc
    # Expiry checked against our clock (not PyJWT's) so tests can move time.
    if int(claims["exp"]) <= int(now.timestamp()):
        raise TokenExpired
    try:
        user_id = uuid.UUID(claims["sub"])
    except ValueError as exc:
        raise TokenInvalid("bad subject") from exc
    return AccessClaims(
        user_id=user_id,
        role=str(claims.get("role", "")),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo),
    )


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
