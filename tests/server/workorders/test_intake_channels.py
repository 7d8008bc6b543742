"""Email and IoT intake: keys, signatures, replies, repeated alarms."""

from __future__ import annotations

import io
import time
import uuid
from email.message import EmailMessage

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.auth import apikeys
from server.workorders.mail import html_to_text, parse_mail
from server.workorders.models import Attachment, WorkOrder, WorkOrderEvent
from tests.factories import bearer, make_customer, make_site, make_user, make_work_order, signed

EMAIL = "/api/v1/intake/email"
IOT = "/api/v1/intake/iot"


def _mail(sender, subject, body, *, html=None, in_reply_to=None, attachment=None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "service@fieldline.demo"
    message["Subject"] = subject
    message["Message-ID"] = "<abc123@mail.example>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    if attachment:
        message.add_attachment(attachment, maintype="image", subtype="jpeg", filename="leak.jpg")
    return message.as_bytes()


@pytest.fixture
def mail_key(session):
    return apikeys.create_api_key(session, name="mail relay", kind="email").key


def _post_mail(client, key, raw):
    return client.post(
        EMAIL, data=raw, content_type="message/rfc822", headers={"Authorization": f"Bearer {key}"}
    )


def test_mail_from_a_known_customer_opens_an_order(client, session, mail_key):
    customer = make_customer(session, email="ops@hotel.example", name="申城酒店")
    make_site(session, customer=customer)
    raw = _mail("王经理 <OPS@hotel.example>", "3楼客房空调不制冷", "房间 301 空调只吹热风",
                attachment=b"\xff\xd8\xff\xe0fakejpeg")  # fmt: skip
    response = _post_mail(client, mail_key, raw)
    assert response.status_code == 200, response.json
    assert response.json["outcome"] == "created"
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == response.json["number"]))
    assert (order.channel, order.customer_id) == ("email", customer.id)
    assert order.summary == "3楼客房空调不制冷"


def test_mail_attachments_are_kept_when_they_are_what_they_claim(client, session, mail_key):
    customer = make_customer(session, email="fm@plaza.example")
    make_site(session, customer=customer)
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(photo, format="JPEG")
    message = EmailMessage()
    message["From"] = "fm@plaza.example"
    message["Subject"] = "Water leaking in the lobby"
    message.set_content("Photo attached.")
    message.add_attachment(photo.getvalue(), maintype="image", subtype="jpeg", filename="lobby.jpg")
    message.add_attachment(b"MZ\x90 not a photo", maintype="image", subtype="jpeg",
                           filename="invoice.jpg")  # fmt: skip
    response = _post_mail(client, mail_key, message.as_bytes())
    assert response.status_code == 200, response.json
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == response.json["number"]))
    kept = session.scalars(select(Attachment).where(Attachment.work_order_id == order.id)).all()
    assert [(a.filename, a.mime, a.public) for a in kept] == [("lobby.jpg", "image/jpeg", True)]
    events = session.scalars(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == order.id)
        .order_by(WorkOrderEvent.id)
    ).all()
    refused = [e.payload for e in events if e.action == "attachment_refused"]
    assert [(p["filename"], p["reason"]) for p in refused] == [
        ("invoice.jpg", "file_type_mismatch")
    ]
    assert [e.payload["filename"] for e in events if e.action == "attachment"] == ["lobby.jpg"]


def test_a_reply_with_the_number_becomes_a_public_comment(client, session, mail_key):
    customer = make_customer(session, email="li@example.test")
    order = make_work_order(session, customer=customer)
    raw = _mail("li@example.test", f"Re: 您的工单 {order.number}",
                "明天下午家里有人。\n\n> 原邮件内容 quoted")  # fmt: skip
    response = _post_mail(client, mail_key, raw)
    assert response.json == {
        "outcome": "comment",
        "number": order.number,
        "tracking_url": response.json["tracking_url"],
    }
    comment = session.scalar(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == "comment"
        )
    )
    assert comment.public is True
    assert comment.payload["body"] == "明天下午家里有人。"


def test_a_reply_from_a_stranger_does_not_touch_the_order(client, session, mail_key):
    order = make_work_order(session, customer=make_customer(session, email="owner@example.test"))
    raw = _mail("stranger@evil.example", f"Re: {order.number}", "cancel everything")
    response = _post_mail(client, mail_key, raw)
    assert response.json["outcome"] == "created"
    assert response.json["number"] != order.number


def test_html_only_mail_is_reduced_to_text_safely(client, session, mail_key):
    html = "<html><head><style>p{}</style><script>alert(1)</script></head><body><p>漏水&amp;" \
           "滴水</p><p>Water <b>leak</b></p></body></html>"  # fmt: skip
    message = EmailMessage()
    message["From"] = "new@example.test"
    message["Subject"] = "leak"
    message.set_content(html, subtype="html")
    response = _post_mail(client, mail_key, message.as_bytes())
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == response.json["number"]))
    assert order.description == "漏水&滴水\nWater leak"


def test_email_intake_needs_an_email_key_and_the_rfc822_type(client, session, mail_key):
    raw = _mail("a@example.test", "x", "y")
    assert client.post(EMAIL, data=raw, content_type="message/rfc822").status_code == 401
    iot_key = apikeys.create_api_key(session, name="gw", kind="iot").key
    assert _post_mail(client, iot_key, raw).status_code == 401
    wrong_type = client.post(
        EMAIL, data=raw, content_type="text/plain", headers={"X-Api-Key": mail_key}
    )
    assert wrong_type.status_code == 415


def test_parse_mail_finds_the_order_from_our_message_id():
    raw = _mail("a@example.test", "Re: hello", "ok", in_reply_to="<wo-261123-0042.x1@fieldline>")
    assert parse_mail(raw).answers_number == "WO-261123-0042"


def test_html_to_text_drops_scripts_and_keeps_lines():
    assert html_to_text("<div>a<br>b</div><script>x()</script>") == "a\nb"


# --- IoT ----------------------------------------------------------------------------------


@pytest.fixture
def gateway(session):
    customer = make_customer(session, name="数据中心")
    make_site(session, customer=customer)
    return apikeys.create_api_key(session, name="BMS gateway", kind="iot", customer_id=customer.id)


ALARM = {
    "asset_serial": "CH-0042",
    "alarm_code": "E17",
    "message": "冷冻水出水温度过高 chilled water too warm",
    "occurred_at": "2026-11-23T10:00:00+08:00",
}


def test_a_signed_alarm_opens_an_order_and_repeats_append_to_it(client, session, gateway):
    raw, headers = signed(gateway, ALARM)
    first = client.post(IOT, data=raw, headers=headers)
    assert first.status_code == 200, first.json
    assert first.json["outcome"] == "created"
    raw2, headers2 = signed(gateway, {**ALARM, "occurred_at": "2026-11-23T10:05:00+08:00"})
    second = client.post(IOT, data=raw2, headers=headers2)
    assert second.json == {**first.json, "outcome": "duplicate"}
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == first.json["number"]))
    assert order.channel == "iot"
    alarms = session.scalars(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == "alarm"
        )
    ).all()
    assert len(alarms) == 2


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        ("bad_signature", "bad_signature"),
        ("stale", "stale_request"),
        ("missing", "request_signature_required"),
        ("wrong_secret", "bad_signature"),
    ],
)
def test_alarm_signature_failures_are_401_and_write_nothing(
    client, session, gateway, tamper, error
):
    raw, headers = signed(gateway, ALARM)
    if tamper == "bad_signature":
        headers["X-Signature"] = "sha256=" + "0" * 64
    elif tamper == "stale":
        raw, headers = signed(gateway, ALARM, ts=str(int(time.time()) - 3600))
    elif tamper == "missing":
        del headers["X-Signature"]
    elif tamper == "wrong_secret":
        raw, headers = signed(gateway, ALARM, secret="not-the-secret")
    response = client.post(IOT, data=raw, headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == error
    assert session.scalar(select(WorkOrder).where(WorkOrder.channel == "iot")) is None


def test_a_replayed_alarm_is_refused(client, session, gateway):
    raw, headers = signed(gateway, ALARM)
    assert client.post(IOT, data=raw, headers=headers).status_code == 200
    replay = client.post(IOT, data=raw, headers=headers)
    assert replay.status_code == 401
    assert replay.json["error"] == "replayed_request"


def test_a_signed_but_malformed_alarm_is_422(client, gateway):
    raw, headers = signed(gateway, {"asset_serial": "X"})
    response = client.post(IOT, data=raw, headers=headers)
    assert response.status_code == 422
    assert {"alarm_code", "message", "occurred_at"} <= set(response.json["errors"]["json"])


def test_admin_makes_and_revokes_keys_shown_once(client, session, app):
    admin = make_user(session, role="admin")
    made = client.post(
        "/api/v1/api-keys", json={"name": "relay", "kind": "email"}, headers=bearer(app, admin)
    )
    assert made.status_code == 201
    key = made.json["key"]
    assert key.startswith("fl_")
    listed = client.get("/api/v1/api-keys", headers=bearer(app, admin)).json
    assert "key" not in listed[0]
    assert listed[0]["key_prefix"] == key[:10]
    assert (
        client.delete(f"/api/v1/api-keys/{made.json['id']}", headers=bearer(app, admin)).status_code
        == 204
    )
    assert _post_mail(client, key, _mail("a@example.test", "x", "y")).status_code == 401
    dispatcher = make_user(session, role="dispatcher")
    assert client.get("/api/v1/api-keys", headers=bearer(app, dispatcher)).status_code == 403


def test_remembered_signatures_are_purged_once_too_old_to_replay(session, gateway):
    from datetime import timedelta

    from server.auth.models import SeenSignature
    from server.db import utcnow

    now = utcnow()
    for name, age in (("old", timedelta(minutes=11)), ("fresh", timedelta(minutes=1))):
        session.add(SeenSignature(signature=name, api_key_id=gateway.api_key.id, at=now - age))
    session.flush()
    assert apikeys.purge_seen_signatures(session, now=now) == 1
    assert session.scalars(select(SeenSignature.signature)).all() == ["fresh"]


# --- connected systems (REST API) -------------------------------------------------------------

API = "/api/v1/intake/api"


@pytest.fixture
def api_key(session):
    return apikeys.create_api_key(session, name="partner CRM", kind="api").key


def _api(client, key, body, **headers):
    return client.post(API, json=body, headers={"Authorization": f"Bearer {key}", **headers})


def test_a_connected_system_files_a_request_and_a_retry_gets_the_same_order(
    client, session, api_key
):
    customer = make_customer(session, phone="13600000000")
    site = make_site(session, customer=customer)
    body = {
        "external_ref": "CRM-1001",
        "customer_id": str(customer.id),
        "site_id": str(site.id),
        "summary": "Kitchen freezer not cooling",
    }
    first = _api(client, api_key, body)
    assert first.status_code == 201, first.json
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == first.json["number"]))
    assert (order.channel, order.customer_id, order.site_id) == ("api", customer.id, site.id)
    assert order.triage["rules"], "triaged like every other channel"
    retry = _api(client, api_key, {**body, "summary": "changed text on retry"})
    assert retry.status_code == 200
    assert retry.json["number"] == first.json["number"]
    count = session.scalar(
        select(func.count()).select_from(WorkOrder).where(WorkOrder.customer_id == customer.id)
    )
    assert count == 1


def test_a_retry_of_a_request_that_joined_an_open_order_answers_that_order(
    client, session, api_key
):
    customer = make_customer(session)
    site = make_site(session, customer=customer)
    original = make_work_order(session, customer=customer, site=site, summary="卫生间漏水 leak")
    body = {"external_ref": "T-77", "customer_id": str(customer.id), "site_id": str(site.id),
            "summary": "卫生间漏水 leak again"}  # fmt: skip
    first = _api(client, api_key, body)
    assert first.json["duplicate_of"] == original.number
    again = _api(client, api_key, body)
    assert again.status_code == 200
    assert again.json["number"] == original.number
    joined = session.scalars(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == original.id,
            WorkOrderEvent.action == "duplicate_request",
        )
    ).all()
    assert len(joined) == 1


def test_api_intake_refusals(client, session, api_key):
    assert _api(client, api_key, {"summary": "no customer"}).status_code == 422
    unknown = _api(
        client,
        api_key,
        {"customer_id": str(uuid.uuid4()), "summary": "x"},
        **{"Accept-Language": "en"},
    )
    assert unknown.status_code == 422
    assert unknown.json["errors"]["json"]["customer_id"] == ["There is no such customer."]
    mail_key = apikeys.create_api_key(session, name="relay", kind="email").key
    assert _api(client, mail_key, {"phone": "13600000001", "summary": "x"}).status_code == 401
    assert client.post(API, json={"summary": "x"}).status_code == 401
    assert _api(client, api_key, {"phone": "13600000001"}).status_code == 422


def test_a_key_bound_to_a_customer_files_for_that_customer_only(client, session):
    bound = make_customer(session, name="连锁超市")
    other = make_customer(session)
    key = apikeys.create_api_key(session, name="store system", kind="api", customer_id=bound.id)
    response = _api(client, key.key, {"customer_id": str(other.id), "summary": "冷柜不制冷"})
    assert response.status_code == 201
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == response.json["number"]))
    assert order.customer_id == bound.id
