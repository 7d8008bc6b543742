"""The engineer app's API: sync with cursors and removals, ops applied once, uploads by
hash, location pings, push tokens."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from mobile_api.models import MobileOp
from server.db import utcnow
from server.notify.models import PushToken
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
        ("rejected", "checklist_not_available"),
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
