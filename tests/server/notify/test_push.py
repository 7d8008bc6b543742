"""Push to engineers through firebase-admin, against a local fake FCM v1 server (with its own
OAuth token endpoint, so google-auth never calls Google)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.db import utcnow
from server.notify import push, tasks
from server.notify.models import OutboxMessage, PushToken
from server.notify.service import register_push_token
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder
from tests.factories import actor_for, make_technician, make_user, make_work_order
from tests.server.notify.conftest import commit


def engineer(session, *, tokens: tuple[str, ...] = (), locale: str | None = None):
    user = make_user(session, role="technician", locale=locale)
    tech = make_technician(session, user=user)
    for token in tokens:
        register_push_token(session, user_id=user.id, token=token, platform="android", now=utcnow())
    session.flush()
    return user, tech


def act(app, session, order, action: str, **extra) -> None:
    office = actor_for(make_user(session, role="dispatcher"))
    commit(
        app,
        lambda s: workorders_service.apply_transition(
            s,
            work_order_id=order.id,
            actor=office,
            change=workorders_service.TransitionInput(action=action, **extra),
            now=order.created_at,
            timezone="Asia/Shanghai",
        ),
    )


def pushes(session, order) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.work_order_id == order.id, OutboxMessage.channel == "push")
        .order_by(OutboxMessage.created_at, OutboxMessage.template)
    ).all()
    return [(r.template, r.recipient) for r in rows]


def test_assignment_reaches_every_device_with_the_key_as_collapse_key(app, session, fcm_app):
    _user, tech = engineer(session, tokens=("phone-token", "tablet-token"), locale="en")
    order = make_work_order(session)
    act(app, session, order, "assign", technician_id=tech.id)
    [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "push")).all()

    report = tasks.run_delivery(app)

    assert report.sent == 1
    assert sorted(m["token"] for m in fcm_app.sent) == ["phone-token", "tablet-token"]
    message = fcm_app.sent[0]
    assert message["notification"]["title"] == f"New job {order.number}"
    assert message["data"]["idempotency_key"] == row.idempotency_key
    assert message["data"]["work_order_id"] == str(order.id)
    collapse = push.collapse_key(row.idempotency_key)
    assert message["android"]["collapse_key"] == collapse
    assert message["apns"]["headers"]["apns-collapse-id"] == collapse
    assert fcm_app.authorizations == ["Bearer fake-access-token"] * 2
    assert fcm_app.token_requests == 1
    assert tasks.run_delivery(app).sent == 0
    assert len(fcm_app.sent) == 2


def test_unregistered_tokens_are_removed_and_the_rest_delivered(app, session, fcm_app):
    user, tech = engineer(session, tokens=("old-phone", "new-phone"))
    fcm_app.unregistered.add("old-phone")
    order = make_work_order(session)
    act(app, session, order, "assign", technician_id=tech.id)

    report = tasks.run_delivery(app)

    assert report.sent == 1
    assert [m["token"] for m in fcm_app.sent] == ["new-phone"]
    assert fcm_app.sent[0]["notification"]["title"] == f"新工单 {order.number}"
    tokens = session.scalars(select(PushToken.token).where(PushToken.user_id == user.id)).all()
    assert tokens == ["new-phone"]


def test_a_throttled_push_is_tried_again_later(app, session, fcm_app):
    _user, tech = engineer(session, tokens=("busy-phone",))
    fcm_app.throttled_once.add("busy-phone")
    order = make_work_order(session)
    act(app, session, order, "assign", technician_id=tech.id)

    assert tasks.run_delivery(app).retried == 1
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "push"))
    session.refresh(row)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "QUOTA_EXCEEDED" in row.last_error or "RESOURCE_EXHAUSTED" in row.last_error.upper()
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    session.flush()
    assert tasks.run_delivery(app).sent == 1
    assert [m["token"] for m in fcm_app.sent] == ["busy-phone"]


def test_reassignment_tells_both_engineers_and_cancellation_the_last_one(app, session, fcm_app):
    first_user, first = engineer(session, tokens=("first-phone",))
    second_user, second = engineer(session, tokens=("second-phone",))
    order = make_work_order(session)

    act(app, session, order, "assign", technician_id=first.id)
    act(app, session, order, "assign", technician_id=second.id)
    act(app, session, order, "cancel", reason="客户取消")

    assert sorted(pushes(session, order)) == sorted(
        [
            ("job_assigned", str(first_user.id)),
            ("job_assigned", str(second_user.id)),
            ("job_reassigned_away", str(first_user.id)),
            ("job_cancelled", str(second_user.id)),
        ]
    )
    tasks.run_delivery(app)
    titles = {(m["token"], m["notification"]["title"]) for m in fcm_app.sent}
    assert titles == {
        ("first-phone", f"新工单 {order.number}"),
        ("first-phone", f"工单 {order.number} 已改派"),
        ("second-phone", f"新工单 {order.number}"),
        ("second-phone", f"工单 {order.number} 已取消"),
    }
    cancelled = next(m for m in fcm_app.sent if "取消" in m["notification"]["title"])
    assert "客户取消" in cancelled["notification"]["body"]


def test_a_new_start_time_from_dispatch_is_pushed_to_the_engineer(app, session, fcm_app):
    _user, tech = engineer(session, tokens=("phone",))
    order = make_work_order(session)
    act(app, session, order, "assign", technician_id=tech.id)
    start = order.created_at + timedelta(hours=5)

    def replan(s):
        row = s.get(WorkOrder, order.id)
        row.scheduled_start_at = start
        row.eta_at = start
        row.version += 1

    commit(app, replan)
    commit(app, lambda s: None)  # nothing changed: nothing more

    assert [t for t, _ in pushes(session, order)] == ["job_assigned", "job_schedule_changed"]
    tasks.run_delivery(app)
    changed = next(m for m in fcm_app.sent if m["data"]["template"] == "job_schedule_changed")
    assert changed["notification"]["title"] == f"工单 {order.number} 时间已调整"


def test_without_credentials_push_is_skipped_and_said_once_at_start(app, session, caplog):
    from server.notify import backends

    _user, tech = engineer(session, tokens=("phone",))
    order = make_work_order(session)
    act(app, session, order, "assign", technician_id=tech.id)
    assert app.config["FCM_CREDENTIALS_FILE"] == ""

    tasks.run_delivery(app)

    row = session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "push"))
    session.refresh(row)
    assert (row.status, row.last_error) == ("skipped", backends.PUSH_OFF)
    with caplog.at_level("INFO", logger="server.notify"):
        backends.log_configuration(app.config)
    lines = [r.getMessage() for r in caplog.records if "push" in r.getMessage()]
    assert len(lines) == 1
    assert "next sync" in lines[0]


def test_a_job_the_sla_clock_takes_back_is_pushed_to_the_engineer(app, session, fcm_app):
    _user, tech = engineer(session, tokens=("phone",))
    order = make_work_order(session)
    act(app, session, order, "assign", technician_id=tech.id)

    def breach(s):  # what the SLA clock does to an assignment nobody accepted in time
        row = s.get(WorkOrder, order.id)
        row.assignee_id, row.status, row.eta_at = None, "new", None
        row.version += 1

    commit(app, breach)

    assert [t for t, _ in pushes(session, order)] == ["job_assigned", "job_unassigned"]
    tasks.run_delivery(app)
    assert [m["notification"]["title"] for m in fcm_app.sent] == [
        f"新工单 {order.number}",
        f"工单 {order.number} 已撤回",
    ]


def test_an_engineer_who_declines_gets_no_push_about_it(app, session, fcm_app):
    user, tech = engineer(session, tokens=("phone",))
    order = make_work_order(session)
    act(app, session, order, "assign", technician_id=tech.id)
    commit(
        app,
        lambda s: workorders_service.apply_transition(
            s,
            work_order_id=order.id,
            actor=actor_for(user, tech),
            change=workorders_service.TransitionInput(action="decline", reason="太远"),
            now=order.created_at,
            timezone="Asia/Shanghai",
        ),
    )
    assert [t for t, _ in pushes(session, order)] == ["job_assigned"]
