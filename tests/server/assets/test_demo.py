"""The demo installed base: about 1,500 assets of every kind, plans on most, readings on the
metered ones; seeded once, and its plans generate orders like any others."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from server.assets import generation, maintenance
from server.assets.models import AlarmCode, Asset, AssetModel, MaintenancePlan, MeterReading
from server.db import utcnow
from server.demo.assets import seed_assets
from server.demo.seed import seed_demo
from server.workorders.models import WorkOrder


def test_the_demo_installed_base(session):
    seed_demo(session, password="demo-pass-123")
    now = utcnow()
    report = seed_assets(session, now=now)
    assert report.assets == 1500
    kinds = Counter(
        session.scalars(select(AssetModel.kind).join(Asset, Asset.model_id == AssetModel.id))
    )
    assert set(kinds) == {
        "air_conditioner", "boiler", "lift", "switchgear", "router", "appliance",
    }  # fmt: skip
    planned = session.scalar(select(func.count(func.distinct(MaintenancePlan.asset_id))))
    assert planned >= 0.7 * report.assets
    assert report.readings == session.scalar(select(func.count()).select_from(MeterReading)) > 0
    assert session.scalar(select(func.count()).select_from(AlarmCode)) >= 5
    # Spread over the demo's customers, each at one of its own sites.
    assert len(set(session.scalars(select(Asset.customer_id)))) > 200
    # Once only.
    assert seed_assets(session, now=now).assets == 0
    # The plans are well-formed: generation makes orders and refuses none.
    result = generation.generate_due(session, now=now, timezone="Asia/Shanghai")
    assert result.failed == []
    assert len(result.created) > 0
    made = session.scalars(select(WorkOrder).where(WorkOrder.id.in_(result.created))).all()
    assert {o.type for o in made} == {"maintenance"}
    forecast = maintenance.forecast(session, days=90, now=now, timezone="Asia/Shanghai")
    assert len(forecast) > 1000
