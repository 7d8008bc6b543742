"""The customer's tracking page: read by code, confirm or reject, rate once; nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.workorders.models import WorkOrderEvent
from server.workorders.tracking import display_name
from tests.factories import bearer, make_technician, make_user, make_work_order

TRACK = "/api/v1/track"


@pytest.fixture
def tech(session):
    return make_technician(session, user=make_user(session, role="technician", name="王伟"))


def test_tracking_shows_status_engineer_and_public_timeline_only(client, session, app, tech):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    staff = make_user(session, role="dispatcher")
    for body, public in (("明天上午到 / arriving tomorrow", True), ("客户难沟通", False)):
        client.post(
            f"/api/v1/work-orders/{order.id}/comments",
            json={"body": body, "public": public},
            headers=bearer(app, staff),
        )
    response = client.get(f"{TRACK}/{order.tracking_code}")
    assert response.status_code == 200
    body = response.json
    assert body["number"] == order.number
    assert body["step"] == "assigned"
    assert body["engineer_name"] == "王师傅"
    comments = [e["comment"] for e in body["timeline"] if e["comment"]]
    assert comments == ["明天上午到 / arriving tomorrow"]
    assert "客户难沟通" not in response.get_data(as_text=True)
    assert "tracking_code" not in body
    assert body["can_confirm"] is False


def test_unknown_code_is_a_plain_404(client):
    response = client.get(f"{TRACK}/NoSuchCode1234")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"
    assert client.get(f"{TRACK}/short").status_code == 404


def test_customer_confirms_a_completed_job_and_rates_it_once(client, session, app, tech):
    order = make_work_order(session, status="completed", assignee_id=tech.id, resolution="ok")
    code = order.tracking_code
    early = client.post(f"{TRACK}/{code}/rating", json={"score": 5})
    assert early.status_code == 409
    assert early.json["error"] == "rating_not_open"
    confirmed = client.post(f"{TRACK}/{code}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json["status"] == "closed"
    assert confirmed.json["can_rate"] is True
    rated = client.post(f"{TRACK}/{code}/rating", json={"score": 5, "comment": "师傅很专业"})
    assert rated.status_code == 200
    assert rated.json["rating"] == {"score": 5, "comment": "师傅很专业"}
    again = client.post(f"{TRACK}/{code}/rating", json={"score": 1})
    assert again.status_code == 409
    assert again.json["error"] == "already_rated"
    actors = session.scalars(
        select(WorkOrderEvent.actor_kind).where(
            WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == "customer_confirm"
        )
    ).all()
    assert actors == ["customer"]


def test_customer_rejects_with_a_reason_and_the_job_goes_back(client, session, tech):
    order = make_work_order(session, status="completed", assignee_id=tech.id, resolution="ok")
    code = order.tracking_code
    missing = client.post(f"{TRACK}/{code}/reject", json={})
    assert missing.status_code == 422
    rejected = client.post(f"{TRACK}/{code}/reject", json={"reason": "还是漏水 still leaking"})
    assert rejected.status_code == 200
    assert rejected.json["status"] == "in_progress"


def test_customer_cannot_confirm_what_is_not_completed(client, session):
    order = make_work_order(session, status="in_progress")
    response = client.post(f"{TRACK}/{order.tracking_code}/confirm")
    assert response.status_code == 409
    assert response.json["error"] == "invalid_transition"


@pytest.mark.parametrize("score", [0, 6, "five"])
def test_rating_score_is_validated(client, session, score):
    order = make_work_order(session, status="closed")
    response = client.post(f"{TRACK}/{order.tracking_code}/rating", json={"score": score})
    assert response.status_code == 422


def test_tracking_is_rate_limited_per_address(client, session, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_RATE_LIMIT_PER_MINUTE", 3)
    order = make_work_order(session)
    env = {"REMOTE_ADDR": "198.51.100.7"}
    for _ in range(3):
        assert client.get(f"{TRACK}/{order.tracking_code}", environ_base=env).status_code == 200
    limited = client.get(f"{TRACK}/{order.tracking_code}", environ_base=env)
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


@pytest.mark.parametrize(
    ("name", "shown"), [("王伟", "王师傅"), ("Alex Chen", "Alex"), ("  李 娜 ", "李师傅"), ("", "")]
)
def test_engineer_display_name(name, shown):
    assert display_name(name) == shown
