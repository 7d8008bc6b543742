"""The demo city: deterministic, believable, idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from server.auth.models import User
from server.auth.passwords import verify_password
from server.customers.models import Customer, Site
from server.demo.city import DISTRICTS, generate
from server.demo.seed import seed_demo
from server.geo import from_geography
from server.inventory.models import StockLocation
from server.technicians.models import Technician, TechnicianSkill


def test_generation_is_deterministic_and_seed_dependent():
    assert generate(7) == generate(7)
    assert generate(7) != generate(8)


def test_generated_city_is_believable():
    techs, customers = generate()
    assert len(techs) == 40
    assert len(customers) == 400
    vip_share = sum(c.tier == "vip" for c in customers) / len(customers)
    assert 0.05 <= vip_share <= 0.15
    # Homes spread over the districts, every trade covered at a senior level by several people.
    assert len({t.district for t in techs}) >= 12
    senior = Counter(code for t in techs for code, level in t.skills if level >= 3)
    assert set(senior) == {"hvac", "electrical", "plumbing", "appliance", "network", "elevator"}
    assert min(senior.values()) >= 4
    # Inside Shanghai's bounding box.
    for site in (s for c in customers for s in c.sites):
        assert 30.6 < site.lat < 31.9
        assert 120.85 < site.lon < 122.0
    assert {d.name_zh for d in DISTRICTS} >= {s.district for c in customers for s in c.sites}


def test_seed_creates_the_demo_operation_and_a_second_run_changes_nothing(session):
    first = seed_demo(session, password="demo-pass-123")
    assert first.technicians == 40
    assert first.customers == 400
    assert first.warehouses == 3
    assert first.vans == 40
    assert first.users == 5

    def counts():
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (User, Technician, TechnicianSkill, Customer, Site, StockLocation)
        }

    before = counts()
    second = seed_demo(session, password="demo-pass-123")
    assert (second.users, second.technicians, second.customers, second.sites) == (0, 0, 0, 0)
    assert counts() == before

    roles = Counter(session.scalars(select(User.role)))
    assert roles["technician"] == 40
    for role in ("admin", "dispatcher", "agent", "warehouse", "manager"):
        assert roles[role] == 1
    tech1 = session.scalar(select(User).where(User.email == "tech1@fieldline.demo"))
    assert verify_password(tech1.password_hash, "demo-pass-123")
    warehouse = session.scalar(select(StockLocation).where(StockLocation.code == "WH-PD"))
    point = from_geography(warehouse.location)
    assert 31.0 < point["lat"] < 31.5


def test_demo_logins_work_over_http(client, session):
    seed_demo(session, password="fieldline-demo")
    for login in ("admin@fieldline.demo", "dispatcher@fieldline.demo", "tech40@fieldline.demo"):
        response = client.post(
            "/api/v1/auth/login", json={"login": login, "password": "fieldline-demo"}
        )
        assert response.status_code == 200, login


def test_seed_cli_if_empty_skips_a_populated_database(app, session):
    from tests.factories import make_user

    make_user(session)
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "not seeding" in result.output


def test_demo_orders_fill_every_open_state_and_history_once(session):
    from server.db import utcnow
    from server.demo.orders import seed_orders
    from server.workorders.models import WorkOrder, WorkOrderEvent

    seed_demo(session, password="demo-pass-123")
    report = seed_orders(
        session, now=utcnow(), timezone="Asia/Shanghai", open_orders=21, history_days=2, per_day=2
    )
    assert report.open == 21
    assert 2 <= report.closed <= 4
    statuses = Counter(session.scalars(select(WorkOrder.status)))
    for status in ("new", "assigned", "accepted", "en_route", "in_progress", "on_hold",
                   "completed", "closed"):  # fmt: skip
        assert statuses[status] >= 1, status
    # Every step went through the life cycle, so the timeline explains each order.
    closed = session.scalars(select(WorkOrder).where(WorkOrder.status == "closed")).first()
    actions = session.scalars(
        select(WorkOrderEvent.action)
        .where(WorkOrderEvent.work_order_id == closed.id)
        .order_by(WorkOrderEvent.id)
    ).all()
    assert actions == ["create", "assign", "accept", "start_travel", "arrive", "complete",
                       "sign_off"]  # fmt: skip
    again = seed_orders(session, now=utcnow(), timezone="Asia/Shanghai", open_orders=21)
    assert (again.open, again.closed) == (0, 0)


def test_demo_parts_come_through_the_ledger_and_requests_wait_or_are_held(session):
    from server.db import utcnow
    from server.demo.orders import seed_orders
    from server.demo.parts import seed_parts
    from server.inventory import service as inventory_service
    from server.inventory.models import Part, PartReservation, StockMove

    seed_demo(session, password="demo-pass-123")
    seed_orders(session, now=utcnow(), timezone="Asia/Shanghai", open_orders=60, history_days=0)
    report = seed_parts(session, now=utcnow())
    assert 150 <= report.parts <= 220
    assert session.scalar(select(func.count()).select_from(Part)) == report.parts
    kinds = set(session.scalars(select(StockMove.kind)))
    assert {"receipt", "transfer"} <= kinds
    assert report.requests > 0
    statuses = set(session.scalars(select(PartReservation.status)))
    assert "requested" in statuses or "reserved" in statuses
    assert inventory_service.check_ledger(session) == []
    assert seed_parts(session, now=utcnow()).parts == 0


def test_demo_territories_cover_every_engineer_home(session):
    from server.demo.territories import seed_territories
    from server.dispatch import territories
    from server.technicians.models import Technician

    seed_demo(session, password="demo-pass-123")
    assert seed_territories(session) == 5
    covered = territories.technician_territories(session)
    technicians = session.scalars(select(Technician)).all()
    assert {t.id for t in technicians} <= set(covered)
    assert seed_territories(session) == 0
