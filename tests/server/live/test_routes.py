"""The live board's HTTP routes that need no open stream: snapshot, token, the redirect to the
stream's own process, and what the emitter puts in a notification."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from server.db import utcnow
from server.geo import to_geography
from server.live import emit
from server.live.app import create_stream_app
from tests.conftest import TEST_CONFIG, create_test_app
from tests.factories import bearer, make_technician, make_user, make_work_order


def test_snapshot_lists_open_jobs_and_active_engineers(client, app, session):
    dispatcher = make_user(session, role="dispatcher")
    engineer = make_technician(session, skills={"hvac": 2}, status="available")
    engineer.last_position = to_geography(31.25, 121.5)
    engineer.last_position_at = utcnow()
    make_technician(session, active=False)
    open_job = make_work_order(session, priority="urgent", required_skills=[{"code": "hvac"}])
    done = make_work_order(session, status="closed")
    session.flush()
    response = client.get("/api/v1/events/snapshot", headers=bearer(app, dispatcher))
    assert response.status_code == 200
    body = response.get_json()
    jobs = {j["id"]: j for j in body["jobs"]}
    assert str(open_job.id) in jobs
    assert str(done.id) not in jobs
    job = jobs[str(open_job.id)]
    assert job["priority"] == "urgent"
    assert job["location"] == {"lat": 31.2304, "lon": 121.4737}
    assert job["required_skills"] == [{"code": "hvac", "level": 1}]
    assert job["version"] == open_job.version
    crew = {t["id"]: t for t in body["technicians"]}
    assert crew[str(engineer.id)]["position"] == {"lat": 31.25, "lon": 121.5}
    assert crew[str(engineer.id)]["skills"] == [{"code": "hvac", "level": 2}]
    assert len(crew) == 1  # the inactive engineer is not on the board


@pytest.mark.parametrize("role", ["technician", "warehouse", "agent"])
def test_snapshot_is_for_the_board_roles(client, app, session, role):
    user = make_user(session, role=role)
    response = client.get("/api/v1/events/snapshot", headers=bearer(app, user))
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


def test_snapshot_needs_a_token(client):
    assert client.get("/api/v1/events/snapshot").status_code == 401


def test_token_names_the_stream_process_when_there_is_one(app, database_url, session):
    other = create_test_app(
        database_url, EVENTS_STREAM_URL="http://127.0.0.1:9/api/v1/events/stream"
    )
    try:
        with other.test_client() as client:
            response = client.get("/api/v1/events/stream?token=abc&last_event_id=5")
            assert response.status_code == 307
            assert response.headers["Location"] == (
                "http://127.0.0.1:9/api/v1/events/stream?token=abc&last_event_id=5"
            )
    finally:
        other.extensions["db"].engine.dispose()


def test_the_stream_process_serves_only_the_stream(database_url):
    stream_app = create_stream_app(
        {**TEST_CONFIG, "DATABASE_URL": database_url, "EVENTS_STREAM_URL": "http://elsewhere/"}
    )
    try:
        rules = {rule.rule for rule in stream_app.url_map.iter_rules()}
        assert "/api/v1/events/stream" in rules
        assert "/api/v1/work-orders" not in rules
        assert "/api/v1/events/token" not in rules
        with stream_app.test_client() as client:
            assert client.get("/healthz").status_code == 200
            # It serves the stream itself (no redirect to itself): no token is a 401.
            response = client.get("/api/v1/events/stream", headers={"Accept-Language": "en"})
            assert response.status_code == 401
            assert response.get_json()["message"] == "Authentication is required."
    finally:
        stream_app.extensions["db"].engine.dispose()


# --- what the emitter sends -----------------------------------------------------------------


def _kinds(payloads: list[str]) -> list[str]:
    return [json.loads(p)["t"] for p in payloads]


def test_a_new_order_is_announced(session):
    order = make_work_order(session)
    session.add(order)
    order.priority = "high"
    assert _kinds(emit.payloads_for(session)) == ["work_order"]


def test_columns_the_board_does_not_show_are_not_news(session):
    order = make_work_order(session)
    order.description = "more words"
    assert emit.payloads_for(session) == []


def test_a_worsened_sla_state_is_also_a_warning(session):
    order = make_work_order(session)
    order.sla_state = "breached"
    order.version += 1
    payloads = emit.payloads_for(session)
    assert _kinds(payloads) == ["work_order", "sla"]
    assert json.loads(payloads[1])["state"] == "breached"


def test_a_position_ping_is_announced_with_its_point(session):
    technician = make_technician(session)
    technician.last_position = to_geography(31.2, 121.4)
    technician.last_position_at = utcnow()
    session.flush()
    technician.last_position = to_geography(31.21, 121.41)
    payloads = emit.payloads_for(session)
    assert _kinds(payloads) == ["position"]
    assert json.loads(payloads[0])["lat"] == 31.21


def test_notifications_are_sent_inside_the_flushing_transaction(session):
    """The listener's NOTIFY runs on the session's own connection (so it fires at commit):
    the transaction shows it as pending in pg_notification_queue_usage's terms by not failing
    and leaving the connection usable."""
    order = make_work_order(session)
    order.priority = "urgent"
    order.version += 1
    session.flush()
    assert session.execute(text("SELECT 1")).scalar() == 1
