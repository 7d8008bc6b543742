"""Email delivery against a real SMTP server (aiosmtpd) on a free local port."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from datetime import timedelta
from email.parser import BytesParser
from email.policy import default as default_policy

from sqlalchemy import select

from server.notify import delivery, email, policy
from server.notify.delivery import Skip
from server.notify.models import DeliveryAttempt, OutboxMessage
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder
from tests.factories import (
    actor_for,
    bearer,
    make_customer,
    make_technician,
    make_user,
    make_work_order,
)
from tests.server.notify.conftest import FAST, commit, free_port, smtp_sender

FORM = {
    "name": "Alex Chen",
    "phone": "139 1234 5678",
    "email": "alex@example.test",
    "address": "100 Hengshan Road, Shanghai",
    "location": {"lat": 31.2050, "lon": 121.4430},
    "summary": "Bathroom leak",
    "description": "The pipe joint keeps dripping",
    "website": "",
}


def submit(client, *, language: str) -> dict:
    response = client.post("/api/v1/intake/web", json=FORM, headers={"Accept-Language": language})
    assert response.status_code == 201, response.json
    return response.json


def email_rows(session, number: str) -> list[OutboxMessage]:
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.work_order_id == order.id, OutboxMessage.channel == "email")
            .order_by(OutboxMessage.created_at)
        )
    )


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_acknowledgement_arrives_in_english_with_number_link_and_key(
    client, session, smtp_server, deliver
):
    mailbox, port = smtp_server
    receipt = submit(client, language="en-GB,en;q=0.9")

    report = deliver({"email": smtp_sender(port), "sms": Skip("no SMS gateway configured")})

    assert (report.sent, report.skipped) == (1, 1)
    [received] = mailbox.messages
    mail = received["message"]
    assert received["to"] == ["alex@example.test"]
    assert mail["Subject"] == f"We have received your request ({receipt['number']})"
    assert mail["Content-Language"] == "en"
    [row] = email_rows(session, receipt["number"])
    assert mail["Message-ID"] == email.message_id(row.idempotency_key, smtp_sender(port).sender)
    assert mail["X-Fieldline-Idempotency-Key"] == row.idempotency_key
    text, html = parts(mail)
    assert receipt["number"] in text
    assert f"Track your request: {receipt['tracking_url']}" in text
    assert f'href="{receipt["tracking_url"]}"' in html
    session.refresh(row)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    [attempt] = session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.message_id == row.id))
    assert (attempt.outcome, attempt.response_status) == ("sent", 250)
    sms = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.work_order_id == row.work_order_id, OutboxMessage.channel == "sms"
        )
    )
    assert (sms.status, sms.last_error) == ("skipped", "no SMS gateway configured")


def test_acknowledgement_in_chinese_by_default(client, session, smtp_server, deliver):
    mailbox, port = smtp_server
    receipt = submit(client, language="zh-CN")

    deliver({"email": smtp_sender(port)})

    [received] = mailbox.messages
    mail = received["message"]
    assert mail["Subject"] == f"我们已收到您的报修（{receipt['number']}）"
    assert mail["Content-Language"] == "zh-CN"
    text, html = parts(mail)
    assert f"工单号：{receipt['number']}" in text
    assert f"查看进度: {receipt['tracking_url']}" in text
    assert '<html lang="zh-CN">' in html


def test_refused_by_the_server_is_retried_after_backoff_and_sent_once(
    client, session, smtp_server, deliver, clock
):
    mailbox, port = smtp_server
    mailbox.refuse_rcpt.append("451 4.3.0 Mailbox busy, try later")
    receipt = submit(client, language="en")
    sender = {"email": smtp_sender(port)}
    clock.advance(seconds=1)

    first = deliver(sender)

    assert first.retried == 1
    assert mailbox.messages == []
    [row] = email_rows(session, receipt["number"])
    session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == clock.now + timedelta(seconds=FAST.base_s)
    assert row.last_error.startswith("451")

    assert deliver(sender).sent == 0  # not due yet
    clock.advance(seconds=FAST.base_s + 1)
    assert deliver(sender).sent == 1
    assert deliver(sender).sent == 0  # nothing left: never twice
    clock.advance(hours=2)
    assert deliver(sender).sent == 0

    assert len(mailbox.messages) == 1
    session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 2)
    outcomes = session.scalars(
        select(DeliveryAttempt.outcome)
        .where(DeliveryAttempt.message_id == row.id)
        .order_by(DeliveryAttempt.attempt)
    ).all()
    assert outcomes == ["retry", "sent"]


def test_permanent_refusal_fails_at_once(client, session, smtp_server, deliver):
    mailbox, port = smtp_server
    mailbox.refuse_rcpt.append("550 5.1.1 No such user here")
    receipt = submit(client, language="en")

    report = deliver({"email": smtp_sender(port)})

    assert report.failed == 1
    [row] = email_rows(session, receipt["number"])
    session.refresh(row)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error.startswith("550")


def test_unreachable_server_is_retried_until_attempts_run_out(client, session, deliver, clock):
    receipt = submit(client, language="en")
    nobody = {"email": smtp_sender(free_port())}

    for _ in range(FAST.max_attempts):
        deliver(nobody)
        clock.advance(hours=2)

    [row] = email_rows(session, receipt["number"])
    session.refresh(row)
    assert (row.status, row.attempts) == ("failed", FAST.max_attempts)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()
    assert deliver(nobody).failed == 0  # failed stays failed


def test_an_email_interrupted_mid_delivery_is_not_resent_until_a_person_requeues_it(
    app, client, session, smtp_server, deliver, clock
):
    mailbox, port = smtp_server
    receipt = submit(client, language="en")
    [row] = email_rows(session, receipt["number"])
    # A worker claimed it (committed), then died before recording the outcome.
    commit(app, lambda s: delivery.claim(s, now=clock.now, message_id=row.id))

    clock.advance(minutes=10)
    report = commit(
        app,
        lambda s: delivery.reclaim_expired(
            s, now=clock.now, lease=timedelta(minutes=5), retry=FAST
        ),
    )

    assert report.needs_review == 1
    session.refresh(row)
    assert (row.status, row.last_error) == ("failed", policy.OUTCOME_UNKNOWN)
    assert deliver({"email": smtp_sender(port)}).sent == 0
    assert mailbox.messages == []

    admin = make_user(session, role="admin")
    log = client.get(f"/api/v1/notifications/{row.id}", headers=bearer(app, admin))
    assert log.status_code == 200
    assert [a["outcome"] for a in log.json["attempt_log"]] == ["interrupted"]
    requeued = client.post(f"/api/v1/notifications/{row.id}/requeue", headers=bearer(app, admin))
    assert requeued.status_code == 200, requeued.json
    assert requeued.json["status"] == "pending"
    assert deliver({"email": smtp_sender(port)}).sent == 1
    assert len(mailbox.messages) == 1


def test_requeue_only_failed_messages_and_only_admins(app, client, session):
    submit(client, language="en")
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "email"))
    admin, manager = make_user(session, role="admin"), make_user(session, role="manager")
    url = f"/api/v1/notifications/{row.id}/requeue"

    refused = client.post(url, headers=bearer(app, admin, **{"Accept-Language": "en"}))
    assert refused.status_code == 409
    assert refused.json["error"] == "message_not_failed"
    assert refused.json["message"] == "Only a failed or skipped message can be sent again."
    zh = client.post(url, headers=bearer(app, admin))
    assert zh.json["message"] == "只有发送失败或已跳过的消息才能重新发送。"
    assert client.post(url, headers=bearer(app, manager)).status_code == 403
    assert (
        client.get(f"/api/v1/notifications/{row.id}", headers=bearer(app, manager)).status_code
        == 200
    )
    for role in ("dispatcher", "agent", "technician", "warehouse"):
        user = make_user(session, role=role)
        assert client.get("/api/v1/notifications", headers=bearer(app, user)).status_code == 403
    assert client.get("/api/v1/notifications").status_code == 401


def test_life_cycle_emails_tell_the_customer_each_step_with_links(
    app, session, smtp_server, deliver
):
    mailbox, port = smtp_server
    customer = make_customer(session, email="lin@example.test")
    order = make_work_order(session, customer=customer)
    tech_user = make_user(session, role="technician", name="王伟")
    tech = make_technician(session, user=tech_user)
    dispatcher = make_user(session, role="dispatcher")
    office, engineer = actor_for(dispatcher), actor_for(tech_user, tech)
    eta_at = order.created_at + timedelta(hours=3)

    def step(actor, action, **extra):
        def run(s):
            workorders_service.apply_transition(
                s,
                work_order_id=order.id,
                actor=actor,
                change=workorders_service.TransitionInput(action=action, **extra),
                now=order.created_at,
                timezone="Asia/Shanghai",
            )
            if action == "assign":  # dispatch sets the plan's times in the same transaction
                s.get(WorkOrder, order.id).eta_at = eta_at

        commit(app, run)

    step(office, "assign", technician_id=tech.id)
    step(engineer, "accept")
    step(engineer, "start_travel")
    step(engineer, "arrive")
    step(engineer, "complete", resolution="更换了密封圈")
    step(engineer, "sign_off", signature_sha256="a" * 64, signer_name="林先生")

    deliver({"email": smtp_sender(port)})

    subjects = [m["message"]["Subject"] for m in mailbox.messages]
    n = order.number
    assert subjects == [
        f"工程师已安排（{n}）",
        f"工程师正在路上（{n}）",
        f"维修已完成，请确认（{n}）",
        f"工单已关闭，欢迎评价（{n}）",
    ]
    assert {m["to"][0] for m in mailbox.messages} == {"lin@example.test"}
    assigned, on_the_way, completed, closed = (parts(m["message"])[0] for m in mailbox.messages)
    assert "王师傅" in assigned
    local_eta = eta_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert f"预计上门时间：{local_eta.month}月{local_eta.day}日 {local_eta:%H:%M}" in assigned
    assert "王师傅已出发" in on_the_way
    base = f"{app.config['PUBLIC_BASE_URL']}/track/{order.tracking_code}"
    assert "更换了密封圈" in completed
    assert f"确认完工: {base}?action=confirm" in completed
    assert f"评价服务: {base}?action=rate" in closed


def test_a_batch_of_offline_steps_sends_only_what_is_still_true(app, session, smtp_server, deliver):
    mailbox, port = smtp_server
    order = make_work_order(session, customer=make_customer(session, email="li@example.test"))
    tech_user = make_user(session, role="technician")
    tech = make_technician(session, user=tech_user)
    order.status, order.assignee_id = "accepted", tech.id
    session.flush()
    engineer = actor_for(tech_user, tech)

    def batch(s):
        for action, extra in (("start_travel", {}), ("arrive", {}),
                              ("complete", {"resolution": "done"})):  # fmt: skip
            workorders_service.apply_transition(
                s,
                work_order_id=order.id,
                actor=engineer,
                change=workorders_service.TransitionInput(action=action, **extra),
                now=order.created_at,
                timezone="Asia/Shanghai",
            )

    commit(app, batch)
    deliver({"email": smtp_sender(port)})

    assert [m["message"]["Subject"] for m in mailbox.messages] == [
        f"维修已完成，请确认（{order.number}）"
    ]


def test_a_rolled_back_transition_sends_nothing(app, session):
    order = make_work_order(session, customer=make_customer(session, email="x@example.test"))
    tech = make_technician(session)
    dispatcher = make_user(session, role="dispatcher")

    class Refused(Exception):
        pass

    def assign_then_fail(s):
        workorders_service.apply_transition(
            s,
            work_order_id=order.id,
            actor=actor_for(dispatcher),
            change=workorders_service.TransitionInput(action="assign", technician_id=tech.id),
            now=order.created_at,
            timezone="Asia/Shanghai",
        )
        raise Refused

    with contextlib.suppress(Refused):
        commit(app, assign_then_fail)
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.work_order_id == order.id)
    ).all()
    assert rows == []


def test_mail_folder_holds_one_file_per_message_however_often_it_is_delivered(tmp_path):
    sender = email.MailDirSender(
        folder=tmp_path / "mail", sender="Fieldline <noreply@x.test>", tz="UTC"
    )
    message = delivery.Outgoing(
        id=uuid.uuid4(),
        channel="email",
        recipient="alex@example.test",
        recipient_user_id=None,
        template="work_order_completed",
        locale="en",
        payload={"number": "WO-261201-0001", "confirm_url": "http://x.test/track/abc"},
        idempotency_key="wo:1:completed",
        attempt=1,
    )

    first = sender.send(message)
    again = sender.send(replace(message, attempt=2))

    assert (first.outcome, again.outcome) == ("sent", "sent")
    files = list((tmp_path / "mail").iterdir())
    assert [f.suffix for f in files] == [".eml"]
    mail = BytesParser(policy=default_policy).parsebytes(files[0].read_bytes())
    assert mail["To"] == "alex@example.test"
    assert mail["Message-ID"] == email.message_id("wo:1:completed", "noreply@x.test")
    assert "WO-261201-0001" in mail.get_body(preferencelist=("plain",)).get_content()


def test_mail_folder_refuses_a_bad_address_and_an_unknown_template(tmp_path):
    sender = email.MailDirSender(folder=tmp_path, sender="noreply@x.test", tz="UTC")
    base = delivery.Outgoing(
        id=uuid.uuid4(),
        channel="email",
        recipient="not an address",
        recipient_user_id=None,
        template="work_order_completed",
        locale="zh-CN",
        payload={},
        idempotency_key="k",
        attempt=1,
    )

    assert sender.send(base).outcome == "failed"
    unknown = replace(base, recipient="a@x.test", template="no_such_template")
    assert sender.send(unknown).outcome == "failed"
    assert list(tmp_path.iterdir()) == []
