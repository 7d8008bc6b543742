"""Users and their refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamps, UuidPk, utcnow


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    AGENT = "agent"
    TECHNICIAN = "technician"
    WAREHOUSE = "warehouse"
    MANAGER = "manager"


ROLE_VALUES = tuple(r.value for r in Role)


class User(UuidPk, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin','dispatcher','agent','technician','warehouse','manager')",
            name="role_known",
        ),
        CheckConstraint("locale IS NULL OR locale IN ('zh-CN','en')", name="locale_known"),
        # Logins are case-insensitive on email; one account per email and per phone.
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
        Index("uq_users_phone", "phone", unique=True, postgresql_where=text("phone IS NOT NULL")),
    )

    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    last_login_at: Mapped[datetime | None]


class RefreshToken(UuidPk, Base):
    """One refresh token, stored only as a hash. Tokens of one login share a family; reuse of a
    rotated token revokes the whole family (it means the token leaked)."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ApiKey(UuidPk, Base):
    """A key for a connected system: the REST API, the inbound-mail relay, or an IoT gateway.

    Only a hash of the key is stored; the key is shown once, when it is made. IoT gateways also
    sign each request with `signing_secret` (HMAC-SHA256), which must be kept to verify them.
    """

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("kind IN ('api','email','iot')", name="kind_known"),)

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    key_prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    signing_secret: Mapped[str | None] = mapped_column(String(128))
    # The customer whose equipment an IoT gateway reports on (until assets name their site).
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"))
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_used_at: Mapped[datetime | None]


class SeenSignature(Base):
    """Signatures of accepted signed requests, so a captured request cannot be replayed."""

    __tablename__ = "seen_signatures"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    api_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now(), index=True)
