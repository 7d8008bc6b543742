"""The engineer app's API: sync with cursors and removals, ops applied once, uploads by
hash, location pings, push tokens."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import event, func, select

from mobile_api import sync as sync_service
from mobile_api.models import MobileOp
from server.auth.guard import actor_for
from server.db import utcnow
from server.notify.models import OutboxMessage, PushToken, WebhookSubscription
from server.workorders.models import Attachment, WorkOrderEvent
from tests.factories import bearer, make_technician, make_user, make_work_order

SYNC = "/mobile/v1/sync"
OPS = "/mobile/v1/ops"


@pytest.fixture
def tech(session):
    return make_technician(session)


@pytest.fixture
def job(session, tech):
    return make_work_order(session, status="assigned", assignee_id=tech.id)


def _op(job, type_, n=None, **payload):
    return {
        "op_id": f"op-{type_}-{n or uuid.uuid4().hex[:12]}",
        "type": type_,
        "work_order_id": str(job.id),
        "base_version": job.version,
        "at": utcnow().isoformat(),
        "payload": payload,
    }


def _post_ops(client, app, tech, ops):
    return client.post(OPS, json={"ops": ops}, headers=bearer(app, tech.user))


def _photo() -> bytes:
    """A photo no other test uploaded (the blob store outlives a test's transaction)."""
    out = io.BytesIO()
    colour = tuple(uuid.uuid4().bytes[:3])
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


def _signature() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def _upload(client, app, tech, data, kind="photo"):
    sha = hashlib.sha256(data).hexdigest()
    response = client.put(
        f"/mobile/v1/uploads/{sha}",
        data=data,
        headers=bearer(app, tech.user, **{"X-Upload-Kind": kind}),
        content_type="application/octet-stream",
    )
    return sha, response


def test_first_sync_sends_every_open_job_and_a_cursor(client, app, session, tech, job):
    other = make_work_order(session, status="assigned", assignee_id=make_technician(session).id)
    closed = make_work_order(session, status="closed", assignee_id=tech.id)
    response = client.get(SYNC, headers=bearer(app, tech.user))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["full"] is True
    ids = [w["id"] for w in body["work_orders"]]
    assert ids == [str(job.id)]
    assert str(other.id) not in ids
    assert str(closed.id) not in ids
    first = body["work_orders"][0]
    assert first["allowed_actions"] == ["accept", "decline"]
    assert first["contact"]["name"]
    assert first["parts"] == []
    assert body["cursor"]


def test_a_delta_sync_sends_changes_and_removes_what_was_taken_away(
    client, app, session, tech, job
):
    keep = make_work_order(session, status="assigned", assignee_id=tech.id)
    cursor = client.get(SYNC, headers=bearer(app, tech.user)).json["cursor"]
    # Nothing changed: the overlap may resend recent orders, never stale or foreign ones.
    quiet = client.get(SYNC, query_string={"cursor": cursor}, headers=bearer(app, tech.user)).json
    assert quiet["removed"] == []
    dispatcher = make_user(session, role="dispatcher")
    moved = client.post(
        f"/api/v1/work-orders/{job.id}/transitions",
        json={"action": "assign", "technician_id": str(make_technician(session).id)},
        headers=bearer(app, dispatcher),
    )
    assert moved.status_code == 200, moved.json
    delta = client.get(SYNC, query_string={"cursor": cursor}, headers=bearer(app, tech.user)).json
    assert delta["full"] is False
    assert delta["removed"] == [str(job.id)]
    assert str(job.id) not in [w["id"] for w in delta["work_orders"]]
    assert str(keep.id) not in delta["removed"]


def test_a_bad_cursor_is_a_field_error(client, app, tech):
    response = client.get(SYNC, query_string={"cursor": "garbage!"}, headers=bearer(app, tech.user))
    assert response.status_code == 422
    assert "cursor" in response.json["errors"]["query"]


def test_only_engineers_use_the_app_api(client, app, session):
    dispatcher = make_user(session, role="dispatcher")
    assert client.get(SYNC, headers=bearer(app, dispatcher)).status_code == 403
    assert client.get(SYNC).status_code == 401


def test_a_whole_job_through_ops_and_a_replay_changes_nothing(client, app, session, tech, job):
    photo_sha, uploaded = _upload(client, app, tech, _photo())
    assert uploaded.status_code == 201, uploaded.json
    sig_sha, _ = _upload(client, app, tech, _signature(), kind="signature")
    ops = [
        _op(job, "accept", 1),
        _op(job, "start_travel", 2),
        _op(job, "arrive", 3),
        _op(job, "note", 4, body="客户说空调滴水两天了"),
        _op(job, "photo", 5, sha256=photo_sha, filename="before.jpg"),
        _op(job, "resolution", 6, resolution="更换排水泵 replaced drain pump"),
        _op(job, "complete", 7, resolution="更换排水泵 replaced drain pump"),
        _op(job, "sign_off", 8, signature_sha256=sig_sha, signer_name="陈女士"),
    ]
    response = _post_ops(client, app, tech, ops)
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["status"] for r in results] == ["applied"] * 8, results
    assert results[-1]["work_order"]["status"] == "closed"
    session.refresh(job)
    assert (job.status, job.signer_name) == ("closed", "陈女士")
    kinds = sorted(
        a.kind
        for a in session.scalars(select(Attachment).where(Attachment.work_order_id == job.id))
    )
    assert kinds == ["photo", "signature"]
    events_before = session.scalar(
        select(func.count())
        .select_from(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == job.id)
    )
    again = _post_ops(client, app, tech, ops).json["results"]
    assert [r["status"] for r in again] == ["duplicate"] * 8
    events_after = session.scalar(
        select(func.count())
        .select_from(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == job.id)
    )
    assert events_after == events_before


def test_ops_on_a_job_given_to_someone_else_are_rejected(client, app, session, tech, job):
    job.assignee_id = make_technician(session).id
    session.flush()
    results = _post_ops(client, app, tech, [_op(job, "accept")]).json["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["error"] == "reassigned"
    assert results[0]["work_order"] is None


def test_a_stale_base_version_still_applies_when_the_life_cycle_allows(
    client, app, session, tech, job
):
    stale = _op(job, "accept")
    job.version += 3  # an office edit the phone has not seen
    session.flush()
    result = _post_ops(client, app, tech, [stale]).json["results"][0]
    assert result["status"] == "applied"
    assert result["work_order"]["status"] == "accepted"


def test_a_refused_op_is_rejected_with_the_reason_and_the_batch_goes_on(
    client, app, session, tech, job
):
    results = _post_ops(
        client, app, tech,
        [_op(job, "arrive"), _op(job, "accept"), _op(job, "checklist_item", item="x")],
    ).json["results"]  # fmt: skip
    assert [(r["status"], r["error"]) for r in results] == [
        ("rejected", "invalid_transition"),
        ("applied", None),
        # A checklist answer needs the item's id and a value.
        ("rejected", "validation_failed"),
    ]
    rejected = session.get(MobileOp, results[0]["op_id"])
    assert (rejected.status, rejected.error) == ("rejected", "invalid_transition")
    # A replayed rejection stays a rejection on record, answered as a duplicate.
    replay = _post_ops(client, app, tech, [_op(job, "arrive") | {"op_id": results[0]["op_id"]}])
    assert replay.json["results"][0]["status"] == "duplicate"


def test_a_photo_op_before_its_upload_is_rejected(client, app, session, tech, job):
    missing = "0" * 64
    result = _post_ops(client, app, tech, [_op(job, "photo", sha256=missing)]).json["results"][0]
    assert (result["status"], result["error"]) == ("rejected", "upload_missing")


def test_uploads_are_checked_by_hash_and_content(client, app, session, tech):
    data = _photo()
    _, first = _upload(client, app, tech, data)
    assert first.status_code == 201
    _, again = _upload(client, app, tech, data)
    assert again.status_code == 200
    wrong = client.put(
        f"/mobile/v1/uploads/{'a' * 64}", data=data, headers=bearer(app, tech.user),
        content_type="application/octet-stream",
    )  # fmt: skip
    assert wrong.status_code == 422
    assert "sha256" in wrong.json["errors"]["path"]
    junk = b"not an image at all"
    _, refused = _upload(client, app, tech, junk)
    assert refused.status_code == 422


def test_location_pings_are_throttled(client, app, session, tech):
    headers = bearer(app, tech.user)
    now = utcnow()
    ping = {"lat": 31.2, "lon": 121.4, "at": now.isoformat()}
    first = client.post("/mobile/v1/location", json=ping, headers=headers)
    assert first.status_code == 204
    session.refresh(tech)
    kept_at = tech.last_position_at
    client.post("/mobile/v1/location",
                json={"lat": 31.3, "lon": 121.5, "at": (now + timedelta(seconds=5)).isoformat()},
                headers=headers)  # fmt: skip
    session.refresh(tech)
    assert tech.last_position_at == kept_at
    bad = client.post("/mobile/v1/location", json={"lat": 95, "lon": 121.4}, headers=headers)
    assert bad.status_code == 422


def test_a_push_token_moves_to_whoever_registers_it(client, app, session, tech):
    other = make_technician(session)
    token = "fcm-token-" + "x" * 40
    for who in (tech, other):
        response = client.post(
            "/mobile/v1/push-token", json={"token": token, "platform": "android"},
            headers=bearer(app, who.user),
        )  # fmt: skip
        assert response.status_code == 204
    assert session.get(PushToken, token).user_id == other.user_id


# --- the cheap paths: what they skip must never change the answer ---------------------------


def _age(session, *orders, minutes=10):
    """Orders last changed a while ago (an established day), so the cursor's overlap is past."""
    for order in orders:
        order.updated_at = utcnow() - timedelta(minutes=minutes)
    session.flush()


def _statements(session):
    """SQL statements this test's connection runs, counted from now."""
    seen: list[str] = []
    event.listen(session.connection(), "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_quiet_delta_is_one_statement_and_sends_nothing(session, tech, job):
    _age(session, job)
    actor = actor_for(session, user=tech.user, locale="en")
    cursor = sync_service.sync(
        session, actor=actor, cursor=None, now=utcnow(), timezone="Asia/Shanghai"
    ).cursor
    seen = _statements(session)
    quiet = sync_service.sync(
        session, actor=actor, cursor=cursor, now=utcnow(), timezone="Asia/Shanghai"
    )
    assert (quiet.work_orders, quiet.removed, quiet.full) == ([], [], False)
    assert len(seen) == 1, seen


def test_a_delta_after_a_quiet_one_sends_the_changed_order(client, app, session, tech, job):
    other = make_work_order(session, status="assigned", assignee_id=tech.id)
    _age(session, job, other)
    headers = bearer(app, tech.user)
    cursor = client.get(SYNC, headers=headers).json["cursor"]
    quiet = client.get(SYNC, query_string={"cursor": cursor}, headers=headers).json
    assert (quiet["work_orders"], quiet["removed"]) == ([], [])
    assert _post_ops(client, app, tech, [_op(job, "accept")]).json["results"][0]["status"] == (
        "applied"
    )
    delta = client.get(SYNC, query_string={"cursor": quiet["cursor"]}, headers=headers).json
    assert [(w["id"], w["status"]) for w in delta["work_orders"]] == [(str(job.id), "accepted")]
    assert delta["removed"] == []


def test_a_job_the_sla_clock_took_back_is_removed_after_a_quiet_delta(
    client, app, session, tech, job
):
    _age(session, job)
    headers = bearer(app, tech.user)
    cursor = client.get(SYNC, headers=headers).json["cursor"]
    # Nobody accepted in time: the clock put the job back in the queue (no assignment event).
    job.assignee_id, job.status, job.version = None, "new", job.version + 1
    session.add(
        WorkOrderEvent(
            work_order_id=job.id, actor_kind="system", action="sla_breached",
            payload={"unassigned_technician_id": str(tech.id)}, version=job.version,
            at=utcnow(),
        )
    )  # fmt: skip
    _age(session, job, minutes=5)  # stamped before the cursor's overlap: only the event tells
    delta = client.get(SYNC, query_string={"cursor": cursor}, headers=headers).json
    assert delta["removed"] == [str(job.id)]


def test_an_op_repeated_in_one_batch_is_applied_once(client, app, session, tech, job):
    accept = _op(job, "accept")
    results = _post_ops(client, app, tech, [accept, accept]).json["results"]
    assert [r["status"] for r in results] == ["applied", "duplicate"]
    accepts = session.scalar(
        select(func.count())
        .select_from(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == job.id, WorkOrderEvent.action == "accept")
    )
    assert accepts == 1


def test_an_op_id_already_in_the_timeline_changes_nothing(client, app, session, tech, job):
    accept, travel = _op(job, "accept"), _op(job, "start_travel")
    # The same actions sent earlier through the web API under the same op ids.
    for op in (accept, travel):
        web = client.post(
            f"/api/v1/work-orders/{job.id}/transitions",
            json={"action": op["type"], "op_id": op["op_id"]},
            headers=bearer(app, tech.user),
        )
        assert web.status_code == 200, web.json
    session.refresh(job)
    version = job.version
    result = _post_ops(client, app, tech, [accept]).json["results"][0]
    assert (result["status"], result["work_order"]["version"]) == ("applied", version)
    # Under another order, an op id from this one's timeline is refused.
    elsewhere = make_work_order(session, status="assigned", assignee_id=tech.id)
    reused = _post_ops(client, app, tech, [_op(elsewhere, "accept") | {"op_id": travel["op_id"]}])
    assert (reused.json["results"][0]["status"], reused.json["results"][0]["error"]) == (
        "rejected",
        "op_id_reused",
    )


def test_every_order_of_a_batch_reaches_each_webhook_subscription(client, app, session, tech):
    jobs = [make_work_order(session, status="assigned", assignee_id=tech.id) for _ in range(3)]
    hooks = [
        WebhookSubscription(
            url=f"https://crm.example.com/hook/{n}", secret="s" * 32,
            event_types=["work_order.accepted"], active=True,
        )
        for n in range(2)
    ]  # fmt: skip
    session.add_all(hooks)
    session.flush()
    results = _post_ops(client, app, tech, [_op(j, "accept") for j in jobs]).json["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    sent = session.execute(
        select(OutboxMessage.subscription_id, OutboxMessage.work_order_id).where(
            OutboxMessage.channel == "webhook", OutboxMessage.template == "work_order.accepted"
        )
    ).all()
    assert sorted((str(s), str(w)) for s, w in sent) == sorted(
        (str(h.id), str(j.id)) for h in hooks for j in jobs
    )


def test_a_batch_answers_each_order_once_as_it_ends_up(client, app, session, tech, job):
    other = make_work_order(session, status="assigned", assignee_id=tech.id)
    ops = [_op(job, "accept"), _op(other, "accept"), _op(job, "start_travel"), _op(job, "hold")]
    results = _post_ops(client, app, tech, ops).json["results"]
    assert [(r["status"], r["error"]) for r in results] == [
        ("applied", None),
        ("applied", None),
        ("applied", None),
        ("rejected", "invalid_transition"),  # no hold while travelling
    ]
    shown = [(r["work_order"] or {}).get("status") for r in results]
    assert shown == [None, "accepted", None, "en_route"]


def test_a_technician_account_without_an_engineer_profile_is_refused(client, app, session):
    account = make_user(session, role="technician")
    response = client.get(SYNC, headers=bearer(app, account))
    assert response.status_code == 403
    assert response.json["error"] == "not_an_engineer"


def test_an_op_on_an_order_that_does_not_exist_is_rejected_not_found(client, app, session, tech):
    ghost = _op(make_work_order(session), "accept") | {"work_order_id": str(uuid.uuid4())}
    result = _post_ops(client, app, tech, [ghost]).json["results"][0]
    assert (result["status"], result["error"], result["work_order"]) == (
        "rejected",
        "not_found",
        None,
    )
    kept = session.get(MobileOp, ghost["op_id"])
    assert (kept.status, kept.error, kept.work_order_id) == ("rejected", "not_found", None)
    again = _post_ops(client, app, tech, [ghost]).json["results"][0]
    assert (again["status"], again["error"]) == ("duplicate", "not_found")


def test_an_op_answer_carries_the_jobs_parts_as_a_sync_does(client, app, session, tech, job):
    from decimal import Decimal

    from server.inventory import reservations
    from tests.factories import actor_for, make_part

    reservations.request_parts(
        session,
        work_order_id=job.id,
        part_id=make_part(session).id,
        quantity=Decimal(1),
        actor=actor_for(make_user(session, role="dispatcher")),
        now=utcnow(),
    )
    synced = client.get(SYNC, headers=bearer(app, tech.user)).json["work_orders"][0]
    assert len(synced["parts"]) == 1
    result = _post_ops(client, app, tech, [_op(job, "note", body="on my way")]).json["results"][0]
    assert result["status"] == "applied"
    assert result["work_order"]["parts"] == synced["parts"]
