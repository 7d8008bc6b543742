"""`flask assets generate`"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.workorders.models import WorkOrder
from tests.server.assets.conftest import make_plan


def test_generate_creates_the_orders_due_now_and_only_once(app, session, asset):
    now = datetime.now(UTC)
    make_plan(
        session,
        asset_id=asset.id,
        start_on=(now + timedelta(days=3)).date(),
        created_at=now - timedelta(days=1),
    )
    runner = app.test_cli_runner()
    first = runner.invoke(args=["assets", "generate"])
    assert first.exit_code == 0, first.output
    assert "1 orders created, 0 refused" in first.output
    assert runner.invoke(args=["assets", "generate"]).output.startswith(
        "maintenance: 0 orders created"
    )
    orders = session.scalars(select(WorkOrder).where(WorkOrder.asset_id == asset.id)).all()
    assert [o.type for o in orders] == ["maintenance"]
