"""Customers hear of a new ETA when the plan or the engineer's position moves it by more than
the margin, and only then."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text

from server.db import utcnow
from server.notify import messages
from server.notify.models import OutboxMessage
from server.technicians import service as technicians_service
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder
from tests.factories import (
    SHANGHAI,
    actor_for,
    make_customer,
    make_site,
    make_technician,
    make_user,
    make_work_order,
)
from tests.server.notify.conftest import commit

FAR = {"lat": 31.40, "lon": 121.60}  # ~20 km from the site: an hour or so by road


def jobs(connection, task: str) -> list[dict]:
    rows = connection.execute(
        text("SELECT args FROM procrastinate_jobs WHERE task_name = :t ORDER BY id"), {"t": task}
    )
    return [dict(args) for (args,) in rows]


def emails(session, order) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.work_order_id == order.id, OutboxMessage.channel == "email")
            .order_by(OutboxMessage.created_at)
        )
    )


def setup_trip(app, session):
    customer = make_customer(session, email="wang@example.test")
    site = make_site(session, customer=customer, location=SHANGHAI)
    order = make_work_order(session, customer=customer, site=site)
    user = make_user(session, role="technician")
    tech = make_technician(session, user=user)
    order.status, order.assignee_id = "accepted", tech.id
    order.eta_at = utcnow() + timedelta(hours=2)
    session.flush()
    here = {"lat": SHANGHAI["lat"] + 0.01, "lon": SHANGHAI["lon"]}  # ~1 km away
    commit(app, lambda s: technicians_service.record_position(
        s, technician_id=tech.id, lat=here["lat"], lon=here["lon"], at=utcnow(),
        min_interval_s=0))  # fmt: skip
    commit(
        app,
        lambda s: workorders_service.apply_transition(
            s,
            work_order_id=order.id,
            actor=actor_for(user, tech),
            change=workorders_service.TransitionInput(action="start_travel"),
            now=utcnow(),
            timezone="Asia/Shanghai",
        ),
    )
    return order, tech


def refresh(app, **subject):
    return commit(
        app,
        lambda s: messages.refresh_eta(
            s,
            settings=app.config,
            now=utcnow(),
            technician_id=subject.get("technician_id"),
            work_order_id=subject.get("work_order_id"),
        ),
    )


def test_on_the_way_email_carries_the_position_based_eta(app, session):
    order, _tech = setup_trip(app, session)
    [on_the_way] = emails(session, order)
    assert on_the_way.template == "engineer_on_the_way"
    told = messages.told_eta(session, order)
    # About a kilometre away: minutes, not the plan's two hours.
    assert told is not None
    assert told - utcnow() < timedelta(minutes=20)


def test_a_position_that_moves_the_eta_past_the_margin_sends_one_update(app, session, connection):
    order, tech = setup_trip(app, session)
    before = len(jobs(connection, "notify.refresh_eta"))

    commit(app, lambda s: technicians_service.record_position(
        s, technician_id=tech.id, lat=FAR["lat"], lon=FAR["lon"], at=utcnow(),
        min_interval_s=0))  # fmt: skip

    queued = jobs(connection, "notify.refresh_eta")
    assert len(queued) == before + 1
    assert queued[-1]["technician_id"] == str(tech.id)
    assert refresh(app, technician_id=tech.id) == 1
    assert refresh(app, technician_id=tech.id) == 0  # told already: same ETA, no repeat
    update = emails(session, order)[-1]
    assert update.template == "eta_update"
    assert update.recipient == "wang@example.test"
    assert messages.told_eta(session, order) - utcnow() > timedelta(minutes=30)


def test_small_moves_send_nothing(app, session):
    order, tech = setup_trip(app, session)
    nearby = {"lat": SHANGHAI["lat"] + 0.012, "lon": SHANGHAI["lon"]}
    commit(app, lambda s: technicians_service.record_position(
        s, technician_id=tech.id, lat=nearby["lat"], lon=nearby["lon"], at=utcnow(),
        min_interval_s=0))  # fmt: skip

    assert refresh(app, technician_id=tech.id) == 0
    assert [m.template for m in emails(session, order)] == ["engineer_on_the_way"]


def test_a_margin_set_wider_keeps_quiet(app, session, monkeypatch):
    _order, tech = setup_trip(app, session)
    monkeypatch.setitem(app.config, "ETA_NOTIFY_MARGIN_MINUTES", 600)
    commit(app, lambda s: technicians_service.record_position(
        s, technician_id=tech.id, lat=FAR["lat"], lon=FAR["lon"], at=utcnow(),
        min_interval_s=0))  # fmt: skip
    assert refresh(app, technician_id=tech.id) == 0


def test_a_new_plan_queues_a_refresh_and_tells_the_customer_of_a_big_move(app, session, connection):
    customer = make_customer(session, email="zhao@example.test")
    order = make_work_order(session, customer=customer)
    tech = make_technician(session)
    dispatcher = make_user(session, role="dispatcher")
    planned = utcnow() + timedelta(hours=2)

    def assign(s):
        workorders_service.apply_transition(
            s,
            work_order_id=order.id,
            actor=actor_for(dispatcher),
            change=workorders_service.TransitionInput(action="assign", technician_id=tech.id),
            now=utcnow(),
            timezone="Asia/Shanghai",
        )
        s.get(WorkOrder, order.id).eta_at = planned

    commit(app, assign)
    assert [m.template for m in emails(session, order)] == ["work_order_assigned"]
    assert jobs(connection, "notify.refresh_eta") == []  # the assignment told the ETA itself

    def replan(s, minutes):
        row = s.get(WorkOrder, order.id)
        row.eta_at = planned + timedelta(minutes=minutes)
        row.version += 1

    commit(app, lambda s: replan(s, 10))
    assert jobs(connection, "notify.refresh_eta")[-1]["work_order_id"] == str(order.id)
    assert refresh(app, work_order_id=order.id) == 0  # ten minutes: within the margin
    connection.execute(
        text("DELETE FROM procrastinate_jobs WHERE task_name = 'notify.refresh_eta'")
    )
    commit(app, lambda s: replan(s, 50))
    assert refresh(app, work_order_id=order.id) == 1
    assert [m.template for m in emails(session, order)] == ["work_order_assigned", "eta_update"]


def test_pings_of_an_engineer_with_nothing_on_the_way_queue_nothing(app, session, connection):
    tech = make_technician(session)
    commit(app, lambda s: technicians_service.record_position(
        s, technician_id=tech.id, lat=FAR["lat"], lon=FAR["lon"], at=utcnow(),
        min_interval_s=0))  # fmt: skip
    assert jobs(connection, "notify.refresh_eta") == []
