"""Customers, their contacts, and their sites."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from server.db import Base, Timestamps, UuidPk


class CustomerTier(StrEnum):
    VIP = "vip"
    STANDARD = "standard"


TIER_VALUES = tuple(t.value for t in CustomerTier)


class Customer(UuidPk, Timestamps, Base):
    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("tier IN ('vip','standard')", name="tier_known"),)

    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(
        String(16), default=CustomerTier.STANDARD, server_default=CustomerTier.STANDARD.value
    )
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True, server_default="true")

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer",
        cascade="all, delete-orphan",
        order_by="(Contact.is_primary.desc(), Contact.name, Contact.id)",
        lazy="selectin",
    )
    # Filled by the service's queries (`with_expression`), never stored.
    sites_count: Mapped[int | None] = query_expression()


class Contact(UuidPk, Timestamps, Base):
    """A person at the customer to call: the one who reports, signs or lets the engineer in."""

    __tablename__ = "contacts"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    title: Mapped[str | None] = mapped_column(String(120))
    is_primary: Mapped[bool] = mapped_column(default=False, server_default="false")

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Site(UuidPk, Timestamps, Base):
    """A place where work is done: an address and a point on the map."""

    __tablename__ = "sites"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    # GeoAlchemy2 adds the GiST index idx_sites_location (spatial_index defaults to True).
    location: Mapped[Any] = mapped_column(Geography("POINT", srid=4326), nullable=False)
    district: Mapped[str | None] = mapped_column(String(64))
    access_notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True, server_default="true")
