"""Work orders over HTTP: create, list, read, edit (If-Match), transitions, timeline, comments."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import select

from server.notify.models import OutboxMessage
from server.workorders.models import WorkOrderEvent
from tests.factories import (
    bearer,
    make_customer,
    make_site,
    make_skill,
    make_technician,
    make_user,
    make_work_order,
)

BASE = "/api/v1/work-orders"


@pytest.fixture
def dispatcher(session):
    return make_user(session, role="dispatcher")


@pytest.fixture
def tech(session):
    return make_technician(session, skills={"hvac": 3})


def test_agent_creates_a_work_order_with_number_tracking_code_and_event(client, session, app):
    agent = make_user(session, role="agent")
    make_skill(session, code="hvac")
    customer = make_customer(session)
    site = make_site(session, customer=customer)
    response = client.post(
        BASE,
        json={
            "customer_id": str(customer.id),
            "site_id": str(site.id),
            "summary": "空调不制冷",
            "description": "三楼会议室的空调吹热风",
            "priority": "high",
            "required_skills": [{"code": "hvac", "level": 2}],
            "appointment": {
                "start_at": "2026-11-24T09:00:00+08:00",
                "end_at": "2026-11-24T12:00:00+08:00",
            },
        },
        headers=bearer(app, agent),
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert re.fullmatch(r"WO-\d{6}-\d{4}", body["number"])
    assert len(body["tracking_code"]) >= 10
    assert body["status"] == "new"
    assert body["channel"] == "phone"
    assert body["site"]["id"] == str(site.id)
    assert body["location"] is not None
    assert body["appointment"]["start_at"].startswith("2026-11-24T01:00:00")
    assert body["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert "cancel" in body["allowed_actions"]
    events = client.get(f"{BASE}/{body['id']}/events", headers=bearer(app, agent)).json
    assert [e["action"] for e in events] == ["create"]


def test_create_validates_references_per_field(client, session, app, dispatcher):
    customer = make_customer(session)
    other_site = make_site(session, customer=make_customer(session))
    response = client.post(
        BASE,
        json={
            "customer_id": str(customer.id),
            "site_id": str(other_site.id),
            "summary": "x",
        },
        headers=bearer(app, dispatcher, **{"Accept-Language": "en"}),
    )
    assert response.status_code == 422
    assert "site_id" in response.json["errors"]["json"]
    unknown = client.post(
        BASE,
        json={"customer_id": str(uuid.uuid4()), "summary": "x", "priority": "whenever"},
        headers=bearer(app, dispatcher),
    )
    assert unknown.status_code == 422
    assert "priority" in unknown.json["errors"]["json"]


@pytest.mark.parametrize("role", ["technician", "warehouse", "manager"])
def test_roles_that_cannot_create(client, session, app, role):
    user = make_user(session, role=role)
    response = client.post(
        BASE, json={"customer_id": str(uuid.uuid4()), "summary": "x"}, headers=bearer(app, user)
    )
    assert response.status_code == 403


def test_list_filters_and_paging(client, session, app, dispatcher):
    customer = make_customer(session)
    make_work_order(session, customer=customer, priority="urgent", summary="漏水 leak in basement")
    make_work_order(session, customer=customer, priority="low", summary="咨询 question")
    make_work_order(session, status="assigned", priority="urgent")
    headers = bearer(app, dispatcher)
    urgent_new = client.get(f"{BASE}?priority=urgent&status=new", headers=headers)
    assert [o["summary"] for o in urgent_new.json] == ["漏水 leak in basement"]
    by_text_zh = client.get(f"{BASE}?q=漏水", headers=headers).json
    by_text_en = client.get(f"{BASE}?q=LEAK", headers=headers).json
    assert len(by_text_zh) == len(by_text_en) == 1
    mine = client.get(
        f"{BASE}?customer_id={customer.id}&page_size=1&sort=priority", headers=headers
    )
    assert json.loads(mine.headers["X-Pagination"])["total"] == 2
    assert mine.json[0]["priority"] == "urgent"
    inside = client.get(f"{BASE}?bbox=121.0,30.9,122.0,31.5", headers=headers).json
    outside = client.get(f"{BASE}?bbox=100.0,20.0,101.0,21.0", headers=headers).json
    assert len(inside) == 3
    assert outside == []


def test_technician_sees_only_their_own_jobs(client, session, app, tech):
    own = make_work_order(session, status="assigned", assignee_id=tech.id)
    other = make_work_order(session)
    headers = bearer(app, tech.user)
    listed = client.get(BASE, headers=headers).json
    assert [o["id"] for o in listed] == [str(own.id)]
    assert client.get(f"{BASE}/{other.id}", headers=headers).status_code == 404
    detail = client.get(f"{BASE}/{own.id}", headers=headers).json
    assert set(detail["allowed_actions"]) == {"accept", "decline"}


def test_patch_needs_if_match_and_refuses_a_stale_version(client, session, app, dispatcher):
    order = make_work_order(session)
    url = f"{BASE}/{order.id}"
    headers = bearer(app, dispatcher)
    assert client.patch(url, json={"priority": "high"}, headers=headers).status_code == 428
    ok = client.patch(url, json={"priority": "high"}, headers={**headers, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.json["version"] == 2
    assert ok.headers["ETag"] == '"2"'
    stale = client.patch(url, json={"summary": "late"}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json["error"] == "version_conflict"
    assert stale.json["current_version"] == 2
    events = client.get(f"{url}/events", headers=headers).json
    assert events[-1]["action"] == "update"
    assert events[-1]["payload"]["changes"]["priority"] == {"from": "medium", "to": "high"}


def test_full_life_cycle_over_http(client, session, app, dispatcher, tech):
    order = make_work_order(session, required_skills=[{"code": "hvac", "level": 2}])
    url = f"{BASE}/{order.id}/transitions"
    office, engineer = bearer(app, dispatcher), bearer(app, tech.user)

    def act(headers, **body):
        return client.post(url, json=body, headers=headers)

    assert act(office, action="assign", technician_id=str(tech.id)).json["status"] == "assigned"
    assert act(engineer, action="accept").json["status"] == "accepted"
    assert act(engineer, action="start_travel").json["status"] == "en_route"
    assert act(engineer, action="arrive").json["status"] == "in_progress"
    refused = act(engineer, action="complete")
    assert refused.status_code == 409
    assert refused.json["error"] == "resolution_required"
    done = act(engineer, action="complete", resolution="清洗滤网，补充冷媒")
    assert done.json["status"] == "completed"
    unsigned = act(engineer, action="sign_off", signer_name="王先生")
    assert unsigned.json["error"] == "signature_required"
    closed = act(engineer, action="sign_off", signer_name="王先生", signature_sha256="a" * 64)
    assert closed.json["status"] == "closed"
    assert closed.json["version"] == 7  # one per applied action; refusals change nothing
    timeline = client.get(f"{BASE}/{order.id}/events", headers=office).json
    assert [e["action"] for e in timeline] == [
        "create", "assign", "accept", "start_travel", "arrive", "complete", "sign_off"
    ]  # fmt: skip


def test_the_answer_to_an_assignment_names_the_engineer_now_assigned(
    client, session, app, dispatcher, tech
):
    order = make_work_order(session)
    other = make_technician(session)
    url = f"{BASE}/{order.id}/transitions"
    office = bearer(app, dispatcher)
    assert client.get(f"{BASE}/{order.id}", headers=office).json["assignee"] is None

    first = client.post(
        url, json={"action": "assign", "technician_id": str(tech.id)}, headers=office
    )
    assert first.json["assignee"]["id"] == str(tech.id)
    moved = client.post(
        url, json={"action": "assign", "technician_id": str(other.id)}, headers=office
    )
    assert moved.json["assignee"]["id"] == str(other.id)
    taken_off = client.post(url, json={"action": "unassign"}, headers=office)
    assert taken_off.json["assignee"] is None


def test_assign_refuses_an_engineer_without_the_skill(client, session, app, dispatcher):
    order = make_work_order(session, required_skills=[{"code": "elevator", "level": 3}])
    novice = make_technician(session, skills={"elevator": 1})
    response = client.post(
        f"{BASE}/{order.id}/transitions",
        json={"action": "assign", "technician_id": str(novice.id)},
        headers=bearer(app, dispatcher, **{"Accept-Language": "en"}),
    )
    assert response.status_code == 409
    assert response.json["error"] == "skill_mismatch"
    assert "skill" in response.json["message"].lower()


def test_technician_cannot_act_on_someone_elses_job(client, session, app, tech):
    other = make_technician(session)
    order = make_work_order(session, status="assigned", assignee_id=other.id)
    response = client.post(
        f"{BASE}/{order.id}/transitions", json={"action": "accept"}, headers=bearer(app, tech.user)
    )
    assert response.status_code == 404


def test_warehouse_cannot_reassign(client, session, app, tech):
    user = make_user(session, role="warehouse")
    order = make_work_order(session)
    response = client.post(
        f"{BASE}/{order.id}/transitions",
        json={"action": "assign", "technician_id": str(tech.id)},
        headers=bearer(app, user),
    )
    assert response.status_code == 403


def test_an_op_id_applies_once(client, session, app, tech):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    headers = bearer(app, tech.user)
    body = {"action": "accept", "op_id": "op-0001-accept"}
    first = client.post(f"{BASE}/{order.id}/transitions", json=body, headers=headers)
    again = client.post(f"{BASE}/{order.id}/transitions", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json["version"] == again.json["version"] == 2
    count = session.scalars(
        select(WorkOrderEvent).where(WorkOrderEvent.op_id == "op-0001-accept")
    ).all()
    assert len(count) == 1


def test_transition_with_stale_if_match_is_412(client, session, app, dispatcher, tech):
    order = make_work_order(session)
    response = client.post(
        f"{BASE}/{order.id}/transitions",
        json={"action": "assign", "technician_id": str(tech.id)},
        headers={**bearer(app, dispatcher), "If-Match": '"7"'},
    )
    assert response.status_code == 412


def test_invalid_transition_names_the_current_status(client, session, app, dispatcher):
    order = make_work_order(session)
    response = client.post(
        f"{BASE}/{order.id}/transitions",
        json={"action": "arrive"},
        headers=bearer(app, dispatcher),
    )
    assert response.status_code in (403, 409)
    cancel = client.post(
        f"{BASE}/{order.id}/transitions", json={"action": "cancel"}, headers=bearer(app, dispatcher)
    )
    assert cancel.status_code == 409
    assert cancel.json["error"] == "reason_required"
    assert cancel.json["status_now"] == "new"


def test_comment_mentions_notify_through_the_outbox(client, session, app, dispatcher):
    colleague = make_user(session, role="agent", email="li.na@example.test")
    order = make_work_order(session)
    response = client.post(
        f"{BASE}/{order.id}/comments",
        json={"body": "@li.na@example.test 请回电客户", "public": False},
        headers=bearer(app, dispatcher),
    )
    assert response.status_code == 201
    assert response.json["payload"]["mentions"] == [str(colleague.id)]
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.work_order_id == order.id)
    ).all()
    assert [(m.template, m.recipient_user_id) for m in messages] == [
        ("comment_mention", colleague.id)
    ]


def test_unknown_work_order_is_404(client, session, app, dispatcher):
    response = client.get(f"{BASE}/{uuid.uuid4()}", headers=bearer(app, dispatcher))
    assert response.status_code == 404


def test_agent_merges_a_duplicate_and_can_undo_it(client, session, app):
    agent = make_user(session, role="agent")
    headers = bearer(app, agent)
    original = make_work_order(session, summary="漏水")
    duplicate = make_work_order(session, summary="漏水 again")
    url = f"{BASE}/{duplicate.id}/transitions"
    merged = client.post(
        url, json={"action": "merge", "into_work_order_id": str(original.id)}, headers=headers
    )
    assert merged.status_code == 200
    assert merged.json["status"] == "cancelled"
    assert merged.json["duplicate_of"] == {"id": str(original.id), "number": original.number}
    assert "unmerge" in merged.json["allowed_actions"]
    timeline = client.get(f"{BASE}/{original.id}/events", headers=headers).json
    assert timeline[-1]["action"] == "duplicate_merged"
    assert timeline[-1]["payload"]["number"] == duplicate.number
    undone = client.post(url, json={"action": "unmerge"}, headers=headers)
    assert undone.json["status"] == "new"
    assert undone.json["duplicate_of"] is None


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("self", "merge_into_self"),
        ("none", "merge_target_required"),
        ("missing", "merge_target_not_found"),
        ("closed", "merge_target_closed"),
    ],
)
def test_merge_refusals(client, session, app, target, error):
    headers = bearer(app, make_user(session, role="agent"))
    order = make_work_order(session)
    into = {
        "self": str(order.id),
        "none": None,
        "missing": str(uuid.uuid4()),
        "closed": str(make_work_order(session, status="closed").id),
    }[target]
    body = {"action": "merge", **({"into_work_order_id": into} if into else {})}
    response = client.post(f"{BASE}/{order.id}/transitions", json=body, headers=headers)
    assert response.status_code == 409
    assert response.json["error"] == error
