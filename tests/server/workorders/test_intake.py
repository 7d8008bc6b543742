"""Intake: the public web form through the one pipeline (customer, site, dedupe, receipt)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.actors import customer_request
from server.customers.models import Customer, Site
from server.db import utcnow
from server.notify.models import OutboxMessage
from server.workorders import intake
from server.workorders.models import WorkOrder, WorkOrderEvent
from tests.factories import make_customer, make_site

URL = "/api/v1/intake/web"
FORM = {
    "name": "陈女士",
    "phone": "139 1234 5678",
    "email": "chen@example.test",
    "address": "上海市徐汇区衡山路100号3楼",
    "location": {"lat": 31.2050, "lon": 121.4430},
    "summary": "卫生间漏水",
    "description": "水管接头一直在滴水，地板都湿了",
    "website": "",
}


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_a_new_caller_gets_a_number_tracking_link_and_acknowledgement(client, session, app):
    response = client.post(URL, json=FORM)
    assert response.status_code == 201, response.json
    receipt = response.json
    assert receipt["number"].startswith("WO-")
    assert (
        receipt["tracking_url"]
        == f"{app.config['PUBLIC_BASE_URL']}/track/{receipt['tracking_code']}"
    )
    assert receipt["duplicate_of"] is None
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == receipt["number"]))
    assert order.channel == "web"
    customer = session.get(Customer, order.customer_id)
    assert (customer.name, customer.phone, customer.tier) == ("陈女士", "13912345678", "standard")
    assert session.get(Site, order.site_id).address == FORM["address"]
    acks = session.scalars(select(OutboxMessage).where(OutboxMessage.work_order_id == order.id))
    assert sorted((m.channel, m.template) for m in acks) == [
        ("email", "intake_acknowledgement"),
        ("sms", "intake_acknowledgement"),
    ]
    # The tracking link works.
    assert client.get(f"/api/v1/track/{receipt['tracking_code']}").status_code == 200


def test_a_known_caller_is_matched_by_phone_and_site_by_proximity(client, session):
    customer = make_customer(session, phone="13912345678", name="陈女士", tier="vip")
    site = make_site(session, customer=customer, location={"lat": 31.2051, "lon": 121.4431})
    response = client.post(URL, json={**FORM, "address": "衡山路100号"})
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == response.json["number"]))
    assert order.customer_id == customer.id
    assert order.site_id == site.id
    # A leak is urgent by the shipped rules; a VIP customer cannot go above that.
    assert order.priority == "urgent"
    assert order.triage["priority_from"] == "leak"
    assert order.triage["vip_raised"] is False


def test_a_repeat_request_for_the_same_site_joins_the_open_order(client, session):
    first = client.post(URL, json=FORM).json
    before = _count(session, WorkOrder)
    again = client.post(
        URL, json={**FORM, "summary": "卫生间漏水了", "description": "还在漏水，地板湿了"}
    )
    assert again.status_code == 201
    assert again.json["duplicate_of"] == first["number"]
    assert again.json["number"] == first["number"]
    assert _count(session, WorkOrder) == before
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == first["number"]))
    actions = session.scalars(
        select(WorkOrderEvent.action).where(WorkOrderEvent.work_order_id == order.id)
    ).all()
    assert actions == ["create", "duplicate_request"]


def test_a_different_problem_at_the_same_site_is_a_new_order(client, session):
    first = client.post(URL, json=FORM).json
    other = client.post(
        URL, json={**FORM, "summary": "空调不制冷", "description": "客厅空调只吹热风"}
    ).json
    assert other["duplicate_of"] is None
    assert other["number"] != first["number"]


def test_an_old_or_closed_order_does_not_absorb_a_new_request(session):
    customer = make_customer(session)
    site = make_site(session, customer=customer)
    request = intake.IntakeRequest(channel="web", summary="卫生间漏水", customer_id=customer.id,
                                   site_id=site.id)  # fmt: skip

    def submit(now):
        return intake.intake(session, request=request, actor=customer_request("x"), now=now,
                             timezone="Asia/Shanghai", public_base_url="http://x")  # fmt: skip

    first = submit(utcnow() - timedelta(hours=73))
    assert submit(utcnow()).duplicate_of is None  # outside the 72-hour window
    recent = submit(utcnow())
    assert recent.duplicate_of is not None
    recent.duplicate_of.status = "closed"
    session.flush()
    assert submit(utcnow()).duplicate_of is None
    assert first.duplicate_of is None


def test_the_honeypot_refuses_bots_and_writes_nothing(client, session):
    before = _count(session, WorkOrder)
    response = client.post(URL, json={**FORM, "website": "http://spam.example"})
    assert response.status_code == 422
    assert response.json["errors"]["json"]["website"] == ["提交被拒绝，请直接致电客服。"]
    assert _count(session, WorkOrder) == before
    assert session.scalar(select(Customer).where(Customer.phone == "13912345678")) is None


def test_web_form_validation_is_per_field_in_the_callers_language(client):
    response = client.post(
        URL,
        json={"name": "", "phone": "abc", "address": "x", "summary": "",
              "location": {"lat": 91, "lon": 0}},
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert response.status_code == 422
    fields = response.json["errors"]["json"]
    assert {"name", "phone", "address", "summary", "location"} <= set(fields)


def test_web_intake_is_rate_limited_per_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_RATE_LIMIT_PER_MINUTE", 2)
    env = {"REMOTE_ADDR": "192.0.2.44"}
    for _ in range(2):
        assert client.post(URL, json=FORM, environ_base=env).status_code == 201
    assert client.post(URL, json=FORM, environ_base=env).status_code == 429
