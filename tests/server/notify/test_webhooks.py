"""Outbound webhooks: subscriptions over HTTP (admin only), events written on work-order steps,
signed delivery to a real local HTTP receiver, retries, and the delivery log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.notify import delivery, webhooks
from server.notify.models import OutboxMessage
from server.workorders import service as workorders_service
from tests.factories import actor_for, bearer, make_technician, make_user, make_work_order
from tests.server.notify.conftest import FAST, commit, webhook_sender

URL = "/api/v1/webhooks"


@pytest.fixture
def admin(session):
    return make_user(session, role="admin")


def subscribe(client, app, admin, url: str, **fields) -> dict:
    body = {"url": url, "event_types": ["work_order.assigned", "work_order.created"], **fields}
    response = client.post(URL, json=body, headers=bearer(app, admin))
    assert response.status_code == 201, response.json
    return response.json


def assign(app, session, order, tech) -> None:
    dispatcher = make_user(session, role="dispatcher")
    commit(
        app,
        lambda s: workorders_service.apply_transition(
            s,
            work_order_id=order.id,
            actor=actor_for(dispatcher),
            change=workorders_service.TransitionInput(action="assign", technician_id=tech.id),
            now=order.created_at,
            timezone="Asia/Shanghai",
        ),
    )


def test_admin_manages_subscriptions_and_sees_the_secret_once(client, app, admin):
    created = subscribe(client, app, admin, "https://crm.example.test/hooks", description="CRM")
    assert created["secret"].startswith("whsec_")
    assert created["secret_hint"] == "..." + created["secret"][-4:]
    assert created["event_types"] == ["work_order.assigned", "work_order.created"]
    one = client.get(f"{URL}/{created['id']}", headers=bearer(app, admin)).json
    assert "secret" not in one
    listed = client.get(URL, headers=bearer(app, admin)).json
    assert [s["id"] for s in listed] == [created["id"]]

    changed = client.patch(
        f"{URL}/{created['id']}",
        json={"active": False, "event_types": ["work_order.closed"]},
        headers=bearer(app, admin),
    )
    assert changed.status_code == 200
    assert (changed.json["active"], changed.json["event_types"]) == (False, ["work_order.closed"])
    assert "secret" not in changed.json
    rotated = client.patch(
        f"{URL}/{created['id']}", json={"rotate_secret": True}, headers=bearer(app, admin)
    )
    assert rotated.json["secret"] not in (None, created["secret"])

    types = client.get(f"{URL}/event-types", headers=bearer(app, admin)).json["event_types"]
    assert "work_order.completed" in types
    assert "work_order.eta_changed" in types

    assert client.delete(f"{URL}/{created['id']}", headers=bearer(app, admin)).status_code == 204
    assert client.get(f"{URL}/{created['id']}", headers=bearer(app, admin)).status_code == 404


@pytest.mark.parametrize("role", ["dispatcher", "agent", "manager", "technician", "warehouse"])
def test_only_admins_touch_webhooks(client, app, session, admin, role):
    created = subscribe(client, app, admin, "https://crm.example.test/hooks")
    user = make_user(session, role=role)
    headers = bearer(app, user)
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json={"url": "https://x.test", "event_types": []},
                       headers=headers).status_code == 403  # fmt: skip
    assert client.delete(f"{URL}/{created['id']}", headers=headers).status_code == 403
    assert client.get(f"{URL}/{created['id']}/deliveries", headers=headers).status_code == 403
    assert client.get(URL).status_code == 401


def test_malformed_subscriptions_are_refused_field_by_field_in_the_callers_language(
    client, app, admin
):
    bad = {"url": "ftp://crm.example.test", "event_types": ["work_order.exploded"], "secret": "x"}
    en = client.post(URL, json=bad, headers=bearer(app, admin, **{"Accept-Language": "en"}))
    assert en.status_code == 422
    fields = en.json["errors"]["json"]
    assert fields["url"] == ["Enter a valid URL starting with http:// or https://."]
    assert fields["event_types"] == {"0": ["Unknown event type."]}
    assert "secret" in fields
    zh = client.post(URL, json=bad, headers=bearer(app, admin))
    assert zh.json["errors"]["json"]["url"] == ["请输入以 http:// 或 https:// 开头的有效网址。"]
    assert zh.json["message"] == "提交的数据有误，请检查标出的字段。"
    empty = client.post(URL, json={"url": "https://a.test", "event_types": []},
                        headers=bearer(app, admin))  # fmt: skip
    assert empty.status_code == 422
    assert client.post(URL, data="{", headers=bearer(app, admin, **{"Content-Type":
                       "application/json"})).status_code == 400  # fmt: skip
    unknown = client.patch(f"{URL}/00000000-0000-0000-0000-000000000000", json={"active": False},
                           headers=bearer(app, admin))  # fmt: skip
    assert unknown.status_code == 404


def test_subscribed_events_are_signed_delivered_once_and_logged(
    client, app, session, admin, receiver, deliver
):
    subscription = subscribe(client, app, admin, receiver.url)
    other = subscribe(client, app, admin, receiver.url + "/closed-only",
                      event_types=["work_order.closed"])  # fmt: skip
    order = make_work_order(session)
    tech = make_technician(session)
    assign(app, session, order, tech)

    report = deliver({"webhook": webhook_sender()})

    assert report.sent == 1
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/fieldline"
    assert webhooks.verify(
        subscription["secret"], headers["X-Fieldline-Timestamp"], body,
        headers["X-Fieldline-Signature"],
    )  # fmt: skip
    assert not webhooks.verify("wrong-secret", headers["X-Fieldline-Timestamp"], body,
                               headers["X-Fieldline-Signature"])  # fmt: skip
    assert headers["X-Fieldline-Event"] == "work_order.assigned"
    event = json.loads(body)
    assert event["type"] == "work_order.assigned"
    assert event["data"]["action"] == "assign"
    assert event["data"]["work_order"]["number"] == order.number
    assert event["data"]["work_order"]["assignee_id"] == str(tech.id)
    row = session.scalar(
        select(OutboxMessage).where(OutboxMessage.subscription_id == subscription["id"])
    )
    assert headers["Idempotency-Key"] == row.idempotency_key
    assert deliver({"webhook": webhook_sender()}).sent == 0  # no resend after success
    assert len(receiver.requests) == 1

    log = client.get(f"{URL}/{subscription['id']}/deliveries", headers=bearer(app, admin))
    assert log.status_code == 200
    [entry] = log.json
    assert (entry["status"], entry["template"]) == ("sent", "work_order.assigned")
    assert [(a["outcome"], a["response_status"]) for a in entry["attempt_log"]] == [("sent", 200)]
    assert client.get(f"{URL}/{other['id']}/deliveries", headers=bearer(app, admin)).json == []


def test_a_500_is_retried_with_the_same_key_until_it_succeeds(
    client, app, session, admin, receiver, deliver, clock
):
    subscribe(client, app, admin, receiver.url)
    receiver.statuses.extend([500, 503])
    assign(app, session, make_work_order(session), make_technician(session))
    clock.advance(seconds=1)

    assert deliver({"webhook": webhook_sender()}).retried == 1
    clock.advance(seconds=FAST.base_s + 1)
    assert deliver({"webhook": webhook_sender()}).retried == 1
    clock.advance(seconds=2 * FAST.base_s + 1)
    assert deliver({"webhook": webhook_sender()}).sent == 1
    clock.advance(hours=3)
    assert deliver({"webhook": webhook_sender()}).sent == 0

    keys = {r["headers"]["Idempotency-Key"] for r in receiver.requests}
    bodies = {r["body"] for r in receiver.requests}
    assert len(receiver.requests) == 3
    assert len(keys) == 1
    assert len(bodies) == 1
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "webhook"))
    session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 3)


def test_a_4xx_is_a_refusal_and_is_not_repeated(client, app, session, admin, receiver, deliver):
    subscribe(client, app, admin, receiver.url)
    receiver.statuses.append(410)
    assign(app, session, make_work_order(session), make_technician(session))

    assert deliver({"webhook": webhook_sender()}).failed == 1
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "webhook"))
    session.refresh(row)
    assert (row.status, row.last_error) == ("failed", "HTTP 410")


def test_inactive_or_deleted_subscriptions_get_nothing(
    client, app, session, admin, receiver, deliver
):
    live = subscribe(client, app, admin, receiver.url)
    subscribe(client, app, admin, receiver.url + "/off", active=False)
    assign(app, session, make_work_order(session), make_technician(session))
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).all()
    assert [str(r.subscription_id) for r in rows] == [live["id"]]
    assert client.delete(f"{URL}/{live['id']}", headers=bearer(app, admin)).status_code == 204

    deliver({"webhook": webhook_sender()})

    [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).all()
    session.refresh(row)
    assert (row.status, row.last_error, row.subscription_id) == (
        "skipped",
        "subscription deleted",
        None,
    )
    assert receiver.requests == []


def test_a_webhook_interrupted_mid_delivery_is_resent_with_the_same_key(
    client, app, session, admin, receiver, deliver, clock
):
    subscribe(client, app, admin, receiver.url)
    assign(app, session, make_work_order(session), make_technician(session))
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "webhook"))
    clock.advance(seconds=1)
    # A worker claimed it, then died: the receiver may or may not have it.
    commit(app, lambda s: delivery.claim(s, now=clock.now, message_id=row.id))
    clock.advance(minutes=10)

    report = commit(
        app,
        lambda s: delivery.reclaim_expired(
            s, now=clock.now, lease=timedelta(minutes=5), retry=FAST
        ),
    )
    assert report.reclaimed == 1
    assert deliver({"webhook": webhook_sender()}).sent == 1

    [request] = receiver.requests
    assert request["headers"]["Idempotency-Key"] == row.idempotency_key
    session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 2)
