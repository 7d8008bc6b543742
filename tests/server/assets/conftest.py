"""Assets test data: templates, models, assets and plans made through the services."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from server.assets import maintenance
from server.assets import service as assets_service
from server.assets.models import Asset, AssetModel, ChecklistTemplate, MaintenancePlan
from server.customers.models import Customer, Site
from tests.factories import make_customer, make_site

_seq = itertools.count(1)

ITEMS: list[dict[str, Any]] = [
    {
        "key": "filter_clean",
        "label": {"zh-CN": "滤网已清洁", "en": "Filter cleaned"},
        "kind": "yes_no",
        "follow_up": True,
    },
    {
        "key": "supply_temp",
        "label": {"zh-CN": "出风温度", "en": "Supply air temperature"},
        "kind": "number",
        "min_value": Decimal(5),
        "max_value": Decimal(15),
        "unit": "°C",
        "follow_up": True,
        "follow_up_priority": "high",
    },
    {
        "key": "remarks",
        "label": {"zh-CN": "备注", "en": "Remarks"},
        "kind": "text",
        "required": False,
    },
]
HOURS = [{"code": "run_hours", "unit": "h", "counter": True}]
# Times the tests run "at": plans and assets are dated before them.
T0 = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
TZ = "Asia/Shanghai"


def make_template(
    session: Session, *, items: list[dict[str, Any]] | None = None
) -> ChecklistTemplate:
    n = next(_seq)
    return assets_service.create_checklist_template(
        session,
        code=f"tpl-{n}",
        name={"zh-CN": f"保养检查 {n}", "en": f"Service check {n}"},
        items=items or ITEMS,
    )


def make_model(
    session: Session, *, template: ChecklistTemplate | None = None, **fields: Any
) -> AssetModel:
    n = next(_seq)
    values: dict[str, Any] = {
        "manufacturer": "Gree",
        "model": f"GMV-{n}",
        "kind": "air_conditioner",
        "meters": HOURS,
        "checklist_template_id": template.id if template else None,
    }
    values.update(fields)
    return assets_service.create_asset_model(session, **values)


def make_asset(
    session: Session,
    *,
    model: AssetModel | None = None,
    site: Site | None = None,
    customer: Customer | None = None,
    created_at: datetime = T0,
    **fields: Any,
) -> Asset:
    if site is None:
        site = make_site(session, customer=customer or make_customer(session))
    asset = assets_service.create_asset(
        session,
        serial=fields.pop("serial", f"SN-{next(_seq):06d}"),
        model_id=(model or make_model(session)).id,
        site_id=site.id,
        **fields,
    )
    asset.created_at = created_at
    session.flush()
    return asset


def make_plan(session: Session, *, created_at: datetime = T0, **fields: Any) -> MaintenancePlan:
    values: dict[str, Any] = {
        "name": "季度保养 Quarterly service",
        "kind": "time",
        "interval_count": 1,
        "interval_unit": "month",
        "anchor": "fixed",
        "start_on": date(2026, 1, 20),
        "lead_days": 7,
        "window_start": time(9),
        "window_end": time(12),
    }
    values.update(fields)
    plan = maintenance.create_plan(session, **values)
    plan.created_at = created_at
    session.flush()
    return plan


@pytest.fixture
def template(session):
    return make_template(session)


@pytest.fixture
def ac_model(session, template):
    return make_model(session, template=template)


@pytest.fixture
def asset(session, ac_model):
    return make_asset(session, model=ac_model, warranty_until=date(2027, 12, 31))
