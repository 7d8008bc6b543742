"""Who is acting on the platform: a signed-in user, a customer holding a tracking code, an
integration, or the platform itself. Services take an `Actor` instead of reading Flask's `g`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    kind: str  # user | customer | integration | system
    role: str  # a user's role, or "customer" / "integration" / "system"
    user_id: uuid.UUID | None = None
    # Set when the user is a field engineer: object checks compare it with the assignee.
    technician_id: uuid.UUID | None = None
    name: str | None = None
    locale: str = "zh-CN"
    # A customer holding a tracking code acts on that one work order only.
    work_order_id: uuid.UUID | None = None


SYSTEM = Actor(kind="system", role="system", name="Fieldline")


def customer(work_order_id: uuid.UUID, *, name: str | None = None, locale: str = "zh-CN") -> Actor:
    return Actor(
        kind="customer", role="customer", name=name, locale=locale, work_order_id=work_order_id
    )


def integration(name: str) -> Actor:
    return Actor(kind="integration", role="integration", name=name)


def customer_request(name: str | None) -> Actor:
    """Someone submitting a request (the public form, an email): a customer with no order yet."""
    return Actor(kind="customer", role="customer", name=name)
