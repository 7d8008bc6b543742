"""Maintenance plans against the database: generation within the lead time, once; completion
moves the plan on; pause, skip, model plans, meter plans, and the forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from server.assets import generation, jobs, maintenance, readings
from server.assets.models import MaintenanceOccurrence
from server.customers.models import Customer
from server.errors import Conflict, ValidationFailed
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder
from tests.factories import actor_for, make_technician
from tests.server.assets.conftest import TZ, make_asset, make_plan

# 2026-01-14 10:00 in Shanghai: six days before the first due date (20 January).
NOW = datetime(2026, 1, 14, 2, 0, tzinfo=UTC)


def _generate(session, now=NOW):
    return generation.generate_due(session, now=now, timezone=TZ)


def _occurrences(session, plan):
    return list(
        session.scalars(
            select(MaintenanceOccurrence)
            .where(MaintenanceOccurrence.plan_id == plan.id)
            .order_by(MaintenanceOccurrence.due_on)
        )
    )


def _finish(session, order, *, now, timezone="Asia/Shanghai"):
    """The engineer answers every required item and completes the job."""
    tech = make_technician(session)
    order.status, order.assignee_id = "in_progress", tech.id
    session.flush()
    actor = actor_for(tech.user, tech)
    answers = {"yes_no": True, "number": "10", "text": "ok"}
    for item in jobs.checklists_for(session, [order.id])[order.id]:
        if item.required:
            jobs.answer_item(
                session, work_order_id=order.id, item_id=item.id, value=answers[item.kind],
                actor=actor, now=now, timezone=TZ,
            )  # fmt: skip
    return workorders_service.apply_transition(
        session,
        work_order_id=order.id,
        actor=actor,
        change=workorders_service.TransitionInput(action="complete", resolution="保养完成"),
        now=now,
        timezone=timezone,
    )


def test_an_occurrence_in_its_lead_time_becomes_a_maintenance_order_once(session, asset, template):
    plan = make_plan(session, asset_id=asset.id, checklist_template_id=template.id)
    result = _generate(session)
    assert len(result.created) == 1
    order = session.get(WorkOrder, result.created[0])
    assert (order.type, order.channel, order.asset_id) == ("maintenance", "maintenance", asset.id)
    assert order.site_id == asset.site_id
    # The plan's preferred window on the due date, in Shanghai.
    assert order.appointment_start_at == datetime(2026, 1, 20, 1, 0, tzinfo=UTC)
    assert order.appointment_end_at == datetime(2026, 1, 20, 4, 0, tzinfo=UTC)
    assert [i.key for i in jobs.checklists_for(session, [order.id])[order.id]] == [
        "filter_clean", "supply_temp", "remarks",
    ]  # fmt: skip
    # Under warranty: no charge.
    assert order.billable is False
    # Again, and again a day later: nothing new while the first is open.
    assert _generate(session).created == []
    assert _generate(session, NOW + timedelta(days=1)).created == []
    (occurrence,) = _occurrences(session, plan)
    assert (occurrence.due_on, occurrence.status, occurrence.work_order_id) == (
        date(2026, 1, 20), "open", order.id,
    )  # fmt: skip


def test_an_occurrence_is_done_on_the_organisations_calendar_day(session, asset):
    # 03:00 UTC on 23 January is still the 22nd in Los Angeles.
    plan = make_plan(session, asset_id=asset.id)
    (order_id,) = _generate(session).created
    done_at = datetime(2026, 1, 23, 3, tzinfo=UTC)
    _finish(session, session.get(WorkOrder, order_id), now=done_at, timezone="America/Los_Angeles")
    assert _occurrences(session, plan)[0].done_on == date(2026, 1, 22)


def test_nothing_is_generated_before_the_lead_time(session, asset):
    make_plan(session, asset_id=asset.id, lead_days=3)
    assert _generate(session).created == []
    assert len(_generate(session, NOW + timedelta(days=3)).created) == 1


def test_completing_the_order_moves_the_plan_to_its_next_due_date(session, asset):
    plan = make_plan(session, asset_id=asset.id)
    (order_id,) = _generate(session).created
    _finish(session, session.get(WorkOrder, order_id), now=datetime(2026, 1, 23, 3, tzinfo=UTC))
    first = _occurrences(session, plan)[0]
    assert (first.status, first.done_on) == ("completed", date(2026, 1, 23))
    upcoming = maintenance.forecast(session, days=70, now=NOW, timezone=TZ, plan_id=plan.id)
    assert [e["due_on"] for e in upcoming] == [date(2026, 2, 20), date(2026, 3, 20)]
    # The next one is generated within its own lead time.
    (second,) = _generate(session, datetime(2026, 2, 14, 2, tzinfo=UTC)).created
    assert session.get(WorkOrder, second).appointment_start_at.date() == date(2026, 2, 20)


def test_a_completion_plan_counts_from_the_day_the_work_was_done(session, asset):
    plan = make_plan(session, asset_id=asset.id, anchor="completion", interval_count=2)
    (order_id,) = _generate(session).created
    _finish(session, session.get(WorkOrder, order_id), now=datetime(2026, 1, 31, 3, tzinfo=UTC))
    upcoming = maintenance.forecast(session, days=90, now=NOW, timezone=TZ, plan_id=plan.id)
    assert upcoming[0]["due_on"] == date(2026, 3, 31)


def test_a_cancelled_order_gives_up_its_occurrence(session, asset):
    plan = make_plan(session, asset_id=asset.id)
    (order_id,) = _generate(session).created
    office = workorders_service.Actor(kind="user", role="dispatcher", name="调度")
    workorders_service.apply_transition(
        session,
        work_order_id=order_id,
        actor=office,
        change=workorders_service.TransitionInput(action="cancel", reason="客户停业"),
        now=NOW,
        timezone="Asia/Shanghai",
    )
    assert _occurrences(session, plan)[0].status == "cancelled"
    assert len(_generate(session, datetime(2026, 2, 14, 2, tzinfo=UTC)).created) == 1


def test_a_paused_plan_generates_nothing_until_resumed(session, asset):
    plan = make_plan(session, asset_id=asset.id)
    maintenance.set_paused(session, plan_id=plan.id, paused=True)
    assert _generate(session).created == []
    assert maintenance.forecast(session, days=90, now=NOW, timezone=TZ, plan_id=plan.id) == []
    maintenance.set_paused(session, plan_id=plan.id, paused=False)
    assert len(_generate(session).created) == 1


def test_skipping_the_next_occurrence(session, asset):
    plan = make_plan(session, asset_id=asset.id)
    with pytest.raises(Conflict) as wrong:
        maintenance.skip_occurrence(
            session, plan_id=plan.id, asset_id=None, due_on=date(2026, 1, 21), now=NOW, timezone=TZ
        )
    assert wrong.value.error == "not_next_occurrence"
    assert wrong.value.extra == {"next_due_on": "2026-01-20"}
    skipped = maintenance.skip_occurrence(
        session, plan_id=plan.id, asset_id=None, due_on=date(2026, 1, 20), now=NOW, timezone=TZ
    )
    assert skipped.status == "skipped"
    assert _generate(session).created == []
    upcoming = maintenance.forecast(session, days=40, now=NOW, timezone=TZ, plan_id=plan.id)
    assert [e["due_on"] for e in upcoming] == [date(2026, 2, 20)]
    # Once the next one is generated it can no longer be skipped.
    _generate(session, datetime(2026, 2, 14, 2, tzinfo=UTC))
    with pytest.raises(Conflict) as open_one:
        maintenance.skip_occurrence(
            session, plan_id=plan.id, asset_id=None, due_on=date(2026, 2, 20), now=NOW, timezone=TZ
        )
    assert open_one.value.error == "occurrence_open"


def test_a_model_plan_applies_to_each_active_asset_of_the_model(session, ac_model):
    first, second = make_asset(session, model=ac_model), make_asset(session, model=ac_model)
    make_asset(session, model=ac_model, status="retired")
    make_plan(session, model_id=ac_model.id)
    created = _generate(session).created
    assert sorted(session.get(WorkOrder, i).asset_id for i in created) == sorted(
        [first.id, second.id]
    )
    # Out of warranty (none recorded): billable.
    assert all(session.get(WorkOrder, i).billable for i in created)


def test_a_meter_plan_falls_due_from_the_reading_rate(session, asset):
    plan = make_plan(
        session, asset_id=asset.id, kind="meter", meter="run_hours", meter_interval=Decimal(500),
        lead_days=2,
    )  # fmt: skip
    start = datetime(2025, 12, 1, tzinfo=UTC)
    for day in range(0, 40, 4):  # 10 hours a day from 1,000
        readings.record_reading(
            session, asset_id=asset.id, meter="run_hours", value=Decimal(1000 + 10 * day),
            at=start + timedelta(days=day), now=NOW,
        )  # fmt: skip
    # Last reading 1,360 on 6 January; due at 1,500: 14 days later, 20 January.
    (entry,) = maintenance.forecast(session, days=30, now=NOW, timezone=TZ, plan_id=plan.id)
    assert (entry["due_on"], entry["due_value"]) == (date(2026, 1, 20), Decimal(1500))
    assert _generate(session).created == []
    (order_id,) = _generate(session, datetime(2026, 1, 18, 2, tzinfo=UTC)).created
    readings.record_reading(
        session, asset_id=asset.id, meter="run_hours", value=Decimal(1520),
        at=datetime(2026, 1, 20, 2, tzinfo=UTC), now=NOW + timedelta(days=10),
    )  # fmt: skip
    _finish(session, session.get(WorkOrder, order_id), now=datetime(2026, 1, 20, 3, tzinfo=UTC))
    done = _occurrences(session, plan)[0]
    assert (done.due_value, done.done_value) == (Decimal(1500), Decimal(1520))
    (following,) = maintenance.forecast(
        session, days=90, now=datetime(2026, 1, 20, 3, tzinfo=UTC), timezone=TZ, plan_id=plan.id
    )
    assert following["due_value"] == Decimal(2020)


def test_one_plan_that_cannot_make_its_order_stops_no_other(session, ac_model):
    broken, fine = make_asset(session, model=ac_model), make_asset(session, model=ac_model)
    session.get(Customer, broken.customer_id).active = False
    make_plan(session, model_id=ac_model.id)
    result = _generate(session)
    assert [session.get(WorkOrder, i).asset_id for i in result.created] == [fine.id]
    assert [f["asset_id"] for f in result.failed] == [str(broken.id)]
    # The refused occurrence left nothing behind: it is tried again next time.
    assert (
        session.scalar(
            select(func.count())
            .select_from(MaintenanceOccurrence)
            .where(MaintenanceOccurrence.asset_id == broken.id)
        )
        == 0
    )


@pytest.mark.parametrize(
    ("fields", "field", "slug"),
    [
        ({"interval_count": None}, "interval_count", "required_for_time_plans"),
        ({"kind": "meter", "meter": "odometer", "meter_interval": Decimal(5)}, "meter",
         "unknown_meter"),
        ({"kind": "meter", "meter_interval": Decimal(5)}, "meter", "required_for_meter_plans"),
        ({"window_start": time(9), "window_end": None}, "window_end", "window_incomplete"),
        ({"window_start": time(12), "window_end": time(9)}, "window_end",
         "window_end_before_start"),
    ],
)  # fmt: skip
def test_a_plan_must_be_complete(session, asset, fields, field, slug):
    with pytest.raises(ValidationFailed) as refused:
        make_plan(session, asset_id=asset.id, **fields)
    assert refused.value.errors == {"json": {field: [slug]}}
