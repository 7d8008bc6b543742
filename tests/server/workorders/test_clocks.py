"""SLA clocks on work orders: due times at creation, pauses on hold, escalation exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, make_url, select

from server.db import db
from server.notify.models import OutboxMessage
from server.workorders import clocks
from server.workorders import service as workorders_service
from server.workorders.models import SlaCalendar, SlaPolicy, WorkOrder, WorkOrderEvent
from tests.conftest import create_test_app
from tests.dbutil import throwaway_database
from tests.factories import (
    actor_for,
    bearer,
    make_customer,
    make_technician,
    make_user,
    make_work_order,
)

MONDAY_10 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
OFFICE = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def make_policies(session, *, calendar_hours=None, holidays=()) -> None:
    always = SlaCalendar(name="24x7", timezone="Asia/Shanghai", working_hours=None)
    office = SlaCalendar(
        name="business",
        timezone="Asia/Shanghai",
        working_hours=calendar_hours or OFFICE,
        holidays=list(holidays),
    )
    session.add_all([always, office])
    session.flush()
    session.add_all(
        [
            SlaPolicy(priority="urgent", tier=None, response_minutes=60, resolve_minutes=240,
                      calendar_id=always.id),
            SlaPolicy(priority="urgent", tier="vip", response_minutes=30, resolve_minutes=120,
                      calendar_id=always.id),
            SlaPolicy(priority="medium", tier=None, response_minutes=8 * 60,
                      resolve_minutes=24 * 60, calendar_id=office.id),
        ]
    )  # fmt: skip
    session.flush()


def events(session, order, action):
    return session.scalars(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == action)
        .order_by(WorkOrderEvent.id)
    ).all()


def test_due_times_come_from_the_policy_for_priority_and_tier(session):
    make_policies(session)
    standard = make_work_order(session, priority="urgent", now=MONDAY_10)
    clocks.start(session, standard, tier="standard", now=MONDAY_10)
    assert standard.response_due_at == MONDAY_10 + timedelta(minutes=60)
    assert standard.resolve_due_at == MONDAY_10 + timedelta(minutes=240)
    assert standard.sla_next_check_at == MONDAY_10 + timedelta(minutes=45)

    vip = make_work_order(session, customer=make_customer(session, tier="vip"), now=MONDAY_10)
    vip.priority = "urgent"
    clocks.start(session, vip, tier="vip", now=MONDAY_10)
    assert vip.response_due_at == MONDAY_10 + timedelta(minutes=30)

    low = make_work_order(session, priority="low", now=MONDAY_10)
    clocks.start(session, low, tier="standard", now=MONDAY_10)
    assert (low.response_due_at, low.sla_terms, low.sla_next_check_at) == (None, None, None)


def test_a_new_order_gets_its_clocks_counted_in_business_hours(session):
    make_policies(session)
    friday_17 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Friday 17:00 in Shanghai
    order = make_work_order(session, now=friday_17)  # medium: 8 business hours
    # 1 h on Friday, then Monday 09:00-12:00 and 13:00-17:00.
    assert order.response_due_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Mon 17:00
    assert order.sla_state == "ok"


def test_holidays_are_skipped(session):
    make_policies(session, holidays=["2026-11-30"])
    friday_17 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    order = make_work_order(session, now=friday_17)
    assert order.response_due_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tue 17:00


def _tech_on(session, order, status="in_progress"):
    tech = make_technician(session)
    order.assignee_id = tech.id
    order.status = status
    session.flush()
    return tech


def _act(session, order, tech, action, at, **kw):
    return workorders_service.apply_transition(
        session,
        work_order_id=order.id,
        actor=actor_for(tech.user, tech),
        change=workorders_service.TransitionInput(action=action, **kw),
        now=at,
        timezone="Asia/Shanghai",
    )


def test_on_hold_for_the_customer_pauses_the_clocks_and_for_parts_does_not(session):
    make_policies(session)
    order = make_work_order(session, priority="urgent", now=MONDAY_10)
    clocks.start(session, order, tier="standard", now=MONDAY_10)
    tech = _tech_on(session, order)
    due = order.resolve_due_at

    _act(session, order, tech, "hold", MONDAY_10 + timedelta(minutes=30), reason="客户不在家")
    assert order.sla_next_check_at is None
    body = workorders_service.present(order, actor_for(tech.user, tech))
    assert body.sla_pauses[-1][1] is None
    _act(session, order, tech, "resume", MONDAY_10 + timedelta(minutes=90))
    assert order.resolve_due_at == due + timedelta(minutes=60)

    _act(session, order, tech, "hold", MONDAY_10 + timedelta(minutes=100), reason="等配件",
         hold_for="parts")  # fmt: skip
    _act(session, order, tech, "resume", MONDAY_10 + timedelta(minutes=160))
    assert order.resolve_due_at == due + timedelta(minutes=60)
    assert events(session, order, "hold")[-1].payload["hold_for"] == "parts"


def test_the_api_shows_the_clock_and_whether_it_is_paused(client, app, session):
    make_policies(session)
    agent = make_user(session, role="agent")
    response = client.post(
        "/api/v1/work-orders",
        json={
            "customer_id": str(make_customer(session).id),
            "summary": "漏水",
            "priority": "urgent",
        },
        headers=bearer(app, agent),
    )
    assert response.status_code == 201, response.json
    sla = response.json["sla"]
    assert sla["state"] == "ok"
    assert sla["paused"] is False
    created = datetime.fromisoformat(response.json["created_at"])
    assert datetime.fromisoformat(sla["response_due_at"]) == created + timedelta(minutes=60)


def test_escalation_warns_then_breaches_once_and_sends_the_job_back(session):
    make_policies(session)
    manager = make_user(session, role="manager")
    order = make_work_order(session, priority="medium", now=MONDAY_10)
    order.priority = "urgent"
    clocks.start(session, order, tier="standard", now=MONDAY_10)
    tech = _tech_on(session, order, status="assigned")

    assert clocks.check_clocks(session, now=MONDAY_10 + timedelta(minutes=44)).steps == []
    warned = clocks.check_clocks(session, now=MONDAY_10 + timedelta(minutes=46))
    assert (order.number, "response", "at_risk") in warned.steps
    assert order.sla_state == "at_risk"
    assert clocks.check_clocks(session, now=MONDAY_10 + timedelta(minutes=50)).steps == []

    breached = clocks.check_clocks(session, now=MONDAY_10 + timedelta(minutes=61))
    assert (order.number, "response", "breached") in breached.steps
    assert order.sla_state == "breached"
    assert order.priority == "urgent"  # already the top: never above
    assert (order.status, order.assignee_id) == ("new", None)
    [event] = events(session, order, "sla_breached")
    assert event.payload["unassigned_technician_id"] == str(tech.id)
    assert (event.from_status, event.to_status) == ("assigned", "new")
    assert len(events(session, order, "sla_at_risk")) == 1
    notes = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_user_id == manager.id)
    ).all()
    assert sorted(n.template for n in notes) == ["sla_at_risk", "sla_breached"]
    # Nothing more to do on the response clock; the resolution clock still runs.
    assert clocks.check_clocks(session, now=MONDAY_10 + timedelta(minutes=70)).steps == []
    assert order.sla_next_check_at == MONDAY_10 + timedelta(minutes=180)


def test_a_breach_raises_priority_one_level(session):
    make_policies(session)
    order = make_work_order(session, now=MONDAY_10)  # medium, 8 business hours
    clocks.check_clocks(session, now=MONDAY_10 + timedelta(days=1, hours=1))
    assert order.priority == "high"
    assert order.sla_state == "breached"
    [event] = events(session, order, "sla_breached")
    assert event.payload["priority"] == {"from": "medium", "to": "high"}


def test_an_accepted_job_stops_the_response_clock(session):
    make_policies(session)
    order = make_work_order(session, priority="urgent", now=MONDAY_10)
    clocks.start(session, order, tier="standard", now=MONDAY_10)
    tech = _tech_on(session, order, status="assigned")
    _act(session, order, tech, "accept", MONDAY_10 + timedelta(minutes=20))
    assert order.sla_next_check_at == MONDAY_10 + timedelta(minutes=180)  # resolve at 75%
    assert clocks.check_clocks(session, now=MONDAY_10 + timedelta(minutes=90)).steps == []
    assert order.sla_state == "ok"


def test_changing_priority_moves_the_promise(client, app, session):
    make_policies(session)
    order = make_work_order(session, now=MONDAY_10)
    medium_due = order.response_due_at
    agent = make_user(session, role="agent")
    response = client.patch(
        f"/api/v1/work-orders/{order.id}",
        json={"priority": "urgent"},
        headers=bearer(app, agent, **{"If-Match": f'"{order.version}"'}),
    )
    assert response.status_code == 200, response.json
    session.refresh(order)
    assert order.response_due_at == MONDAY_10 + timedelta(minutes=60) != medium_due


# --- two workers at the same moment ---------------------------------------------------------


@pytest.fixture(scope="module")
def live_app(database_url: str) -> Iterator[Flask]:
    name = f"{make_url(database_url).database}_sla"
    with throwaway_database(database_url, name) as url:
        app = create_test_app(url)
        yield app
        app.extensions["db"].engine.dispose()


def test_two_workers_checking_together_take_each_step_once(live_app):
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        make_policies(session)
        make_user(session, role="manager")
        ids = []
        for _ in range(30):
            order = make_work_order(session, now=MONDAY_10)
            order.priority = "urgent"
            clocks.start(session, order, tier="standard", now=MONDAY_10)
            ids.append(order.id)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with live_app.app_context(), db.unit_of_work(live_app) as session:
                barrier.wait()
                clocks.check_clocks(session, now=MONDAY_10 + timedelta(minutes=61), limit=1000)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert errors == []
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        counts = dict(
            session.execute(
                select(WorkOrderEvent.action, func.count())
                .where(WorkOrderEvent.work_order_id.in_(ids))
                .where(WorkOrderEvent.action.in_(["sla_at_risk", "sla_breached"]))
                .group_by(WorkOrderEvent.action)
            ).all()
        )
        assert counts == {"sla_at_risk": 30, "sla_breached": 30}
        states = session.scalars(select(WorkOrder.sla_state).where(WorkOrder.id.in_(ids))).all()
        assert set(states) == {"breached"}
