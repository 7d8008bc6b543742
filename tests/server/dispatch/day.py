"""A dispatch day on the database, shared by the run and pin tests: Monday 30 November 2026,
08:00 in Shanghai (before the default 09:00-18:00 shift), two places ~15 km apart, and orders at
customer sites there."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from server.dispatch.travel import GreatCircle
from server.workorders.models import WorkOrder
from tests.factories import make_customer, make_site, make_work_order

MONDAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
TRAVEL = GreatCircle()
WEST = {"lat": 31.20, "lon": 121.40}
EAST = {"lat": 31.22, "lon": 121.55}


def order_at(session: Session, where: dict[str, float], **fields: Any) -> WorkOrder:
    """An order at a new customer's site at `where`."""
    customer = make_customer(session)
    site = make_site(session, customer=customer, location=where)
    return make_work_order(session, customer=customer, site=site, **fields)
