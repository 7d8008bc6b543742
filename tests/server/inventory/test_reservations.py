"""Parts for work orders: request, reserve at the nearest warehouse, issue, consume, release,
return; waiting for parts; the work order's life cycle; what every role may do."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from server.inventory import service
from server.inventory.models import PartReservation, StockLevel
from server.workorders.models import WorkOrderEvent
from tests.factories import (
    actor_for,
    bearer,
    make_customer,
    make_part,
    make_site,
    make_technician,
    make_user,
    make_van,
    make_warehouse,
    make_work_order,
    stock,
)

INV = "/api/v1/inventory"
WO = "/api/v1/work-orders"
# The site is in Xuhui; one warehouse is next door, one is across the river.
SITE = {"lat": 31.1880, "lon": 121.4370}
NEAR = {"lat": 31.1950, "lon": 121.4400}
FAR = {"lat": 31.2646, "lon": 121.5945}


@pytest.fixture
def keeper(session):
    return make_user(session, role="warehouse")


@pytest.fixture
def world(session):
    customer = make_customer(session)
    site = make_site(session, customer=customer, location=SITE)
    order = make_work_order(session, customer=customer, site=site)
    part = make_part(session, unit_cost=Decimal("40.00"))
    near = make_warehouse(session, location=NEAR, code="WH-NEAR")
    far = make_warehouse(session, location=FAR, code="WH-FAR")
    return order, part, near, far


def level(session, part, location):
    row = session.get(StockLevel, (part.id, location.id), populate_existing=True)
    return (row.on_hand, row.reserved) if row else (Decimal(0), Decimal(0))


def _events(session, order):
    return [
        e.action
        for e in session.scalars(
            select(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == order.id)
            .order_by(WorkOrderEvent.id)
        )
    ]


def test_request_reserve_issue_consume(client, app, session, keeper, world):
    order, part, near, far = world
    stock(session, part=part, location=near, quantity=5)
    stock(session, part=part, location=far, quantity=5)
    tech = make_technician(session)
    van = make_van(session, technician=tech)
    order.assignee_id, order.status = tech.id, "assigned"
    session.flush()
    agent = make_user(session, role="agent")

    requested = client.post(
        f"{WO}/{order.id}/parts",
        json={"part_id": str(part.id), "quantity": 2},
        headers=bearer(app, agent),
    )
    assert requested.status_code == 201, requested.json
    assert requested.json["status"] == "requested"
    session.refresh(order)
    assert order.waiting_for_parts is True
    rid = requested.json["id"]

    reserved = client.post(
        f"{INV}/reservations/{rid}/reserve", json={}, headers=bearer(app, keeper)
    )
    assert reserved.status_code == 200, reserved.json
    assert reserved.json["location"]["code"] == "WH-NEAR"  # the nearest warehouse with stock
    assert reserved.json["allowed_actions"] == ["issue", "release"]
    assert level(session, part, near) == (Decimal(5), Decimal(2))
    session.refresh(order)
    assert order.waiting_for_parts is False

    issued = client.post(f"{INV}/reservations/{rid}/issue", json={}, headers=bearer(app, keeper))
    assert issued.status_code == 200, issued.json
    assert issued.json["location"]["code"] == van.code
    assert level(session, part, near) == (Decimal(3), Decimal(0))
    assert level(session, part, van) == (Decimal(2), Decimal(2))

    used = client.post(
        f"{INV}/reservations/{rid}/consume",
        json={"quantity_used": 1},
        headers=bearer(app, tech.user),
    )
    assert used.status_code == 200, used.json
    assert used.json["quantity_used"] == "1.000"
    # One used; the other stays in the van as free stock.
    assert level(session, part, van) == (Decimal(1), Decimal(0))
    parts = client.get(f"{WO}/{order.id}/parts", headers=bearer(app, agent)).json
    assert parts["consumed_cost"] == "40.00"
    history = client.get(f"{INV}/moves?work_order_id={order.id}", headers=bearer(app, keeper)).json
    assert [(m["kind"], m["work_order_number"]) for m in history] == [
        ("consume", order.number),
        ("issue", order.number),
    ]
    assert service.check_ledger(session) == []
    assert _events(session, order)[-6:] == [
        "parts_requested",
        "waiting_for_parts",
        "parts_reserved",
        "parts_ready",
        "parts_issued",
        "parts_consumed",
    ]


def test_insufficient_stock_says_where_there_is_some_nearest_first(
    client, app, session, keeper, world
):
    order, part, near, far = world
    stock(session, part=part, location=near, quantity=1)
    stock(session, part=part, location=far, quantity=2)
    response = client.post(
        f"{INV}/reservations",
        json={"work_order_id": str(order.id), "part_id": str(part.id), "quantity": 3},
        headers=bearer(app, keeper, **{"Accept-Language": "en"}),
    )
    assert response.status_code == 409
    assert response.json["error"] == "insufficient_stock"
    assert [(a["code"], a["available"]) for a in response.json["available"]] == [
        ("WH-NEAR", "1.000"),
        ("WH-FAR", "2.000"),
    ]
    assert (
        response.json["available"][0]["distance_km"] < response.json["available"][1]["distance_km"]
    )
    # Nothing was written: no reservation, no level change.
    assert session.scalars(select(PartReservation)).all() == []
    assert level(session, part, near) == (Decimal(1), Decimal(0))


def test_the_far_warehouse_is_used_when_the_near_one_lacks_the_quantity(
    client, app, session, keeper, world
):
    order, part, near, far = world
    stock(session, part=part, location=near, quantity=1)
    stock(session, part=part, location=far, quantity=4)
    response = client.post(
        f"{INV}/reservations",
        json={"work_order_id": str(order.id), "part_id": str(part.id), "quantity": 3},
        headers=bearer(app, keeper),
    )
    assert response.status_code == 201, response.json
    assert response.json["location"]["code"] == "WH-FAR"


def test_releasing_and_returning_restore_availability(client, app, session, keeper, world):
    order, part, near, _ = world
    stock(session, part=part, location=near, quantity=4)
    tech = make_technician(session)
    van = make_van(session, technician=tech)
    order.assignee_id, order.status = tech.id, "assigned"
    session.flush()
    headers = bearer(app, keeper)
    body = {"work_order_id": str(order.id), "part_id": str(part.id), "quantity": 2}
    first = client.post(f"{INV}/reservations", json=body, headers=headers).json
    second = client.post(f"{INV}/reservations", json=body, headers=headers).json
    assert level(session, part, near) == (Decimal(4), Decimal(4))
    released = client.post(f"{INV}/reservations/{first['id']}/release", json={}, headers=headers)
    assert released.json["status"] == "released"
    assert level(session, part, near) == (Decimal(4), Decimal(2))

    client.post(f"{INV}/reservations/{second['id']}/issue", json={}, headers=headers)
    assert level(session, part, van) == (Decimal(2), Decimal(2))
    returned = client.post(f"{INV}/reservations/{second['id']}/return", json={}, headers=headers)
    assert returned.status_code == 200, returned.json
    assert returned.json["location"]["code"] == "WH-NEAR"
    assert level(session, part, van) == (Decimal(0), Decimal(0))
    assert level(session, part, near) == (Decimal(4), Decimal(0))
    assert service.check_ledger(session) == []


@pytest.mark.parametrize(
    ("status", "action"),
    [("requested", "issue"), ("requested", "consume"), ("requested", "return"),
     ("reserved", "consume"), ("reserved", "return"), ("released", "reserve"),
     ("released", "release")],
)  # fmt: skip
def test_steps_that_do_not_exist_from_a_status_are_409(
    client, app, session, keeper, world, status, action
):
    order, part, near, _ = world
    stock(session, part=part, location=near, quantity=5)
    reservation = PartReservation(
        work_order_id=order.id, part_id=part.id, quantity=1, status=status,
        location_id=near.id if status == "reserved" else None, requested_by_name="t",
    )  # fmt: skip
    session.add(reservation)
    if status == "reserved":
        session.get(StockLevel, (part.id, near.id)).reserved += 1
    session.flush()
    response = client.post(
        f"{INV}/reservations/{reservation.id}/{action}", json={}, headers=bearer(app, keeper)
    )
    assert response.status_code == 409
    assert response.json["error"] == "invalid_transition"


@pytest.mark.parametrize("role", ["dispatcher", "agent", "technician", "manager"])
def test_only_the_warehouse_reserves_and_issues(client, app, session, world, role):
    order, part, near, _ = world
    stock(session, part=part, location=near, quantity=5)
    user = make_user(session, role=role)
    requested = PartReservation(work_order_id=order.id, part_id=part.id, quantity=1,
                                status="requested", requested_by_name="t")  # fmt: skip
    session.add(requested)
    session.flush()
    headers = bearer(app, user)
    if role == "technician":
        tech = make_technician(session, user=user)
        order.assignee_id = tech.id
        session.flush()
    assert (
        client.post(
            f"{INV}/reservations/{requested.id}/reserve", json={}, headers=headers
        ).status_code
        == 403
    )
    one_step = client.post(
        f"{INV}/reservations",
        json={"work_order_id": str(order.id), "part_id": str(part.id), "quantity": 1},
        headers=headers,
    )
    assert one_step.status_code == 403


def test_a_technician_requests_parts_only_for_their_own_orders(client, app, session, world):
    order, part, *_ = world
    stranger = make_technician(session)
    response = client.post(
        f"{WO}/{order.id}/parts",
        json={"part_id": str(part.id), "quantity": 1},
        headers=bearer(app, stranger.user),
    )
    assert response.status_code == 404


def test_waiting_for_parts_blocks_assignment_until_reserved(client, app, session, keeper, world):
    order, part, near, _ = world
    stock(session, part=part, location=near, quantity=1)
    dispatcher = make_user(session, role="dispatcher")
    tech = make_technician(session)
    requested = client.post(
        f"{WO}/{order.id}/parts",
        json={"part_id": str(part.id), "quantity": 1},
        headers=bearer(app, dispatcher),
    ).json
    assign = {"action": "assign", "technician_id": str(tech.id)}
    refused = client.post(
        f"{WO}/{order.id}/transitions", json=assign, headers=bearer(app, dispatcher)
    )
    assert refused.status_code == 409
    assert refused.json["error"] == "waiting_for_parts"
    client.post(
        f"{INV}/reservations/{requested['id']}/reserve", json={}, headers=bearer(app, keeper)
    )
    allowed = client.post(
        f"{WO}/{order.id}/transitions", json=assign, headers=bearer(app, dispatcher)
    )
    assert allowed.status_code == 200, allowed.json


def test_cancelling_the_order_releases_its_reservations(client, app, session, keeper, world):
    order, part, near, _ = world
    stock(session, part=part, location=near, quantity=3)
    headers = bearer(app, keeper)
    body = {"work_order_id": str(order.id), "part_id": str(part.id), "quantity": 2}
    assert client.post(f"{INV}/reservations", json=body, headers=headers).status_code == 201
    agent = make_user(session, role="agent")
    cancelled = client.post(
        f"{WO}/{order.id}/transitions",
        json={"action": "cancel", "reason": "客户取消 customer cancelled"},
        headers=bearer(app, agent),
    )
    assert cancelled.status_code == 200, cancelled.json
    assert level(session, part, near) == (Decimal(3), Decimal(0))
    statuses = [r.status for r in session.scalars(select(PartReservation))]
    assert statuses == ["released"]


def test_parts_from_the_van_are_recorded_and_limited_to_what_is_there(client, app, session, world):
    order, part, *_ = world
    tech = make_technician(session)
    van = make_van(session, technician=tech)
    stock(session, part=part, location=van, quantity=2)
    order.assignee_id, order.status = tech.id, "in_progress"
    session.flush()
    headers = bearer(app, tech.user)
    used = client.post(f"{WO}/{order.id}/parts/used", json={"part_id": str(part.id), "quantity": 2},
                       headers=headers)  # fmt: skip
    assert used.status_code == 201, used.json
    assert used.json["status"] == "consumed"
    assert level(session, part, van) == (Decimal(0), Decimal(0))
    more = client.post(f"{WO}/{order.id}/parts/used", json={"part_id": str(part.id), "quantity": 1},
                       headers=headers)  # fmt: skip
    assert more.status_code == 409
    assert service.check_ledger(session) == []


def test_consuming_more_than_was_issued_is_refused(client, app, session, keeper, world):
    order, part, near, _ = world
    stock(session, part=part, location=near, quantity=2)
    tech = make_technician(session)
    make_van(session, technician=tech)
    order.assignee_id, order.status = tech.id, "assigned"
    session.flush()
    headers = bearer(app, keeper)
    body = {"work_order_id": str(order.id), "part_id": str(part.id), "quantity": 1}
    rid = client.post(f"{INV}/reservations", json=body, headers=headers).json["id"]
    client.post(f"{INV}/reservations/{rid}/issue", json={}, headers=headers)
    too_many = client.post(
        f"{INV}/reservations/{rid}/consume",
        json={"quantity_used": 2},
        headers=bearer(app, tech.user),
    )
    assert too_many.status_code == 422
    wrong_field = client.post(
        f"{INV}/reservations/{rid}/consume", json={"van_id": str(near.id)}, headers=headers
    )
    assert wrong_field.status_code == 422


def test_issue_needs_an_engineer_with_a_van(client, app, session, keeper, world):
    order, part, near, _ = world
    stock(session, part=part, location=near, quantity=1)
    headers = bearer(app, keeper)
    body = {"work_order_id": str(order.id), "part_id": str(part.id), "quantity": 1}
    rid = client.post(f"{INV}/reservations", json=body, headers=headers).json["id"]
    response = client.post(f"{INV}/reservations/{rid}/issue", json={}, headers=headers)
    assert response.status_code == 409
    assert response.json["error"] == "no_van_to_issue_to"


def test_the_queue_puts_urgent_orders_first(client, app, session, keeper):
    part = make_part(session)
    low = make_work_order(session, priority="low")
    urgent = make_work_order(session, priority="urgent")
    for order in (low, urgent):
        session.add(PartReservation(work_order_id=order.id, part_id=part.id, quantity=1,
                                    status="requested", requested_by_name="t"))  # fmt: skip
    session.flush()
    rows = client.get(f"{INV}/reservations", headers=bearer(app, keeper)).json
    numbers = [r["work_order"]["number"] for r in rows if r["part"]["id"] == str(part.id)]
    assert numbers == [urgent.number, low.number]


def test_requests_validate_quantity_by_unit(client, app, session, world):
    order, _, *_ = world
    cable = make_part(session, unit="m")
    screws = make_part(session, unit="pcs")
    agent = make_user(session, role="agent")
    ok = client.post(f"{WO}/{order.id}/parts", json={"part_id": str(cable.id), "quantity": "2.5"},
                     headers=bearer(app, agent))  # fmt: skip
    assert ok.status_code == 201
    bad = client.post(f"{WO}/{order.id}/parts", json={"part_id": str(screws.id), "quantity": "2.5"},
                      headers=bearer(app, agent, **{"Accept-Language": "en"}))  # fmt: skip
    assert bad.status_code == 422
    assert "whole number" in bad.json["errors"]["json"]["quantity"][0]
    zero = client.post(f"{WO}/{order.id}/parts", json={"part_id": str(screws.id), "quantity": 0},
                       headers=bearer(app, agent))  # fmt: skip
    assert zero.status_code == 422


def test_requesting_parts_for_a_closed_order_is_refused(client, app, session, world):
    order, part, *_ = world
    order.status = "closed"
    session.flush()
    agent = make_user(session, role="agent")
    response = client.post(f"{WO}/{order.id}/parts", json={"part_id": str(part.id), "quantity": 1},
                           headers=bearer(app, agent))  # fmt: skip
    assert response.status_code == 409
    assert response.json["error"] == "work_order_closed"


def test_reserving_through_the_service_respects_an_explicit_location(session, keeper, world):
    from server.db import utcnow
    from server.inventory import reservations

    order, part, near, far = world
    stock(session, part=part, location=near, quantity=1)
    stock(session, part=part, location=far, quantity=1)
    actor = actor_for(keeper)
    requested = reservations.request_parts(
        session, work_order_id=order.id, part_id=part.id, quantity=Decimal(1), actor=actor,
        now=utcnow(),
    )  # fmt: skip
    reserved = reservations.reserve(
        session, reservation_id=requested.id, actor=actor, now=utcnow(), location_id=far.id
    )
    assert reserved.location_id == far.id


def test_parts_reserved_in_the_engineers_own_van_are_issued_where_they_are(
    client, app, session, keeper, world
):
    order, part, *_ = world
    tech = make_technician(session)
    van = make_van(session, technician=tech)
    stock(session, part=part, location=van, quantity=3)
    order.assignee_id, order.status = tech.id, "assigned"
    session.flush()
    headers = bearer(app, keeper)
    body = {"work_order_id": str(order.id), "part_id": str(part.id), "quantity": 2,
            "location_id": str(van.id)}  # fmt: skip
    rid = client.post(f"{INV}/reservations", json=body, headers=headers).json["id"]
    assert level(session, part, van) == (Decimal(3), Decimal(2))
    issued = client.post(f"{INV}/reservations/{rid}/issue", json={}, headers=headers)
    assert issued.json["status"] == "issued"
    assert level(session, part, van) == (Decimal(3), Decimal(2))
    assert service.check_ledger(session) == []
