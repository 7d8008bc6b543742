"""API keys for connected systems, and HMAC verification of signed requests (IoT gateways)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.auth.models import ApiKey, SeenSignature
from server.errors import NotFound, Unauthorized

KEY_PREFIX = "fl_"
# A signed request older (or newer) than this is refused; its signature is remembered as long.
SIGNATURE_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class NewKey:
    api_key: ApiKey
    key: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    session: Session, *, name: str, kind: str, customer_id: uuid.UUID | None = None
) -> NewKey:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name.strip(),
        kind=kind,
        key_prefix=key[:10],
        key_hash=_hash(key),
        signing_secret=secrets.token_hex(32) if kind == "iot" else None,
        customer_id=customer_id,
        active=True,
    )
    session.add(row)
    session.flush()  # the id for the response
    return NewKey(row, key)


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


def revoke_api_key(session: Session, *, api_key_id: uuid.UUID) -> None:
    row = session.get(ApiKey, api_key_id)
    if row is None:
        raise NotFound()
    row.active = False


def authenticate_key(session: Session, *, key: str, kind: str, now: datetime) -> ApiKey:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(key)))
    if row is None or not row.active or row.kind != kind:
        raise Unauthorized("invalid_api_key")
    row.last_used_at = now
    return row


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<raw body>", hex: what a gateway sends as X-Signature."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_signature(
    session: Session,
    *,
    api_key: ApiKey,
    signature_header: str | None,
    timestamp_header: str | None,
    body: bytes,
    now: datetime,
) -> None:
    """Refuse a missing or wrong signature, a stale timestamp, or a replayed request (401)."""
    if not api_key.signing_secret or not signature_header or not timestamp_header:
        raise Unauthorized("request_signature_required")
    scheme, _, given = signature_header.partition("=")
    if scheme != "sha256" or not given:
        raise Unauthorized("bad_signature")
    try:
        sent_at = datetime.fromtimestamp(int(timestamp_header), tz=now.tzinfo)
    except (ValueError, OverflowError) as exc:
        raise Unauthorized("stale_request") from exc
    if abs(now - sent_at) > SIGNATURE_WINDOW:
        raise Unauthorized("stale_request")
    expected = sign(api_key.signing_secret, timestamp_header, body)
    if not hmac.compare_digest(expected, given.strip().lower()):
        raise Unauthorized("bad_signature")
    session.add(SeenSignature(signature=expected, api_key_id=api_key.id, at=now))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Unauthorized("replayed_request") from exc


def purge_seen_signatures(session: Session, *, now: datetime) -> int:
    result = session.execute(
        delete(SeenSignature).where(SeenSignature.at < now - 2 * SIGNATURE_WINDOW)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
