"""The event stream over real HTTP: a change committed on another connection reaches an open
stream; a reconnecting client resumes with Last-Event-ID or is told to re-read its snapshot;
only the right people get in.

The server runs on its own throwaway database with committed data: NOTIFY is delivered only
when a transaction commits, which the rolled-back test transaction never does.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from server.actors import Actor
from server.auth import tokens
from server.db import db, utcnow
from server.live.hub import Hub
from server.technicians import service as technicians_service
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder
from tests.factories import bearer, make_technician, make_user, make_work_order
from tests.serving import app_on_own_database, serve

DISPATCHER = Actor(kind="user", role="dispatcher", name="调度 李雷")


@pytest.fixture(scope="module")
def live_app(database_url: str) -> Iterator[Flask]:
    yield from app_on_own_database(database_url, "live", EVENTS_HEARTBEAT_S=0.5)


@pytest.fixture(scope="module")
def base_url(live_app: Flask) -> Iterator[str]:
    yield from serve(live_app)


@dataclass(frozen=True)
class Arranged:
    dispatcher: Any
    technician_user: Any
    technician_id: uuid.UUID
    order_ids: list[uuid.UUID]


def arrange(app: Flask, *, orders: int = 1) -> Arranged:
    with app.app_context(), db.unit_of_work(app) as session:
        dispatcher = make_user(session, role="dispatcher")
        engineer = make_user(session, role="technician")
        technician = make_technician(session, user=engineer, skills={"hvac": 3})
        made = [make_work_order(session) for _ in range(orders)]
        session.expunge_all()
        return Arranged(dispatcher, engineer, technician.id, [o.id for o in made])


def assign(app: Flask, order_id: uuid.UUID, technician_id: uuid.UUID) -> None:
    """A dispatcher's assignment, committed on a connection of its own."""
    with app.app_context(), db.unit_of_work(app) as session:
        workorders_service.apply_transition(
            session,
            work_order_id=order_id,
            actor=DISPATCHER,
            change=workorders_service.TransitionInput(action="assign", technician_id=technician_id),
            now=utcnow(),
            timezone="Asia/Shanghai",
        )


def assign_then_fail(app: Flask, order_id: uuid.UUID, technician_id: uuid.UUID) -> None:
    """An assignment flushed (its NOTIFY sent) in a unit of work that then fails."""
    with app.app_context(), db.unit_of_work(app) as session:
        workorders_service.apply_transition(
            session,
            work_order_id=order_id,
            actor=DISPATCHER,
            change=workorders_service.TransitionInput(action="assign", technician_id=technician_id),
            now=utcnow(),
            timezone="Asia/Shanghai",
        )
        session.flush()
        raise RuntimeError("the request failed after the change")


class Sse:
    """A minimal EventSource: reads frames off a real HTTP response (the socket timeout only
    keeps a broken stream from hanging the test run)."""

    def __init__(self, base_url: str, path: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        self.conn.request("GET", path, headers=headers or {})
        self.response = self.conn.getresponse()

    def next(self, *kinds: str) -> dict[str, str]:
        # Heartbeats keep the socket busy, so the socket timeout alone would never fire.
        give_up = time.monotonic() + 20
        while time.monotonic() < give_up:
            frame: dict[str, str] = {}
            while True:
                line = self.response.readline().decode()
                if line in ("\n", "\r\n", ""):
                    break
                if line.startswith(":"):
                    continue
                key, _, value = line.rstrip("\n").partition(": ")
                frame[key] = value
            if line == "":
                raise EOFError("the stream ended")
            if "event" in frame and (not kinds or frame["event"] in kinds):
                return frame
        raise AssertionError(f"no {kinds or 'event'} arrived")

    def change(self, kind: str, **expected: Any) -> dict[str, Any]:
        """The next `kind` event whose data has the `expected` values (events committed just
        before the stream opened, e.g. the test's own arrangement, may still arrive first)."""
        while True:
            data = json.loads(self.next(kind)["data"])
            if all(data.get(key) == value for key, value in expected.items()):
                return data

    def close(self) -> None:
        self.conn.close()


def stream_token(app: Flask, user: Any, *, ttl_s: int = 60, audience: str = "events") -> str:
    return tokens.issue_access_token(
        user_id=user.id,
        role=user.role,
        secret=app.config["SECRET_KEY"],
        ttl_s=ttl_s,
        now=utcnow(),
        audience=audience,
    )


def get(base_url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read() if response.status != 200 else b""
        return response.status, (json.loads(body) if body else None)
    finally:
        conn.close()


def post(base_url: str, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        conn.request("POST", path, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


# --- delivery -------------------------------------------------------------------------------


def test_a_committed_assignment_reaches_an_open_stream(live_app, base_url):
    data = arrange(live_app)
    status, minted = post(base_url, "/api/v1/events/token", bearer(live_app, data.dispatcher))
    assert status == 200
    assert minted["stream_url"] == "/api/v1/events/stream"
    sse = Sse(base_url, f"{minted['stream_url']}?token={minted['token']}")
    try:
        assert sse.response.status == 200
        assert sse.response.getheader("Content-Type").startswith("text/event-stream")
        hello = sse.next()
        assert hello["event"] == "hello"
        assign(live_app, data.order_ids[0], data.technician_id)
        while True:
            event = sse.next("work_order")
            delta = json.loads(event["data"])
            if delta["id"] == str(data.order_ids[0]) and delta["status"] == "assigned":
                break
        assert delta["assignee_id"] == str(data.technician_id)
        assert int(event["id"]) > int(hello["id"])
    finally:
        sse.close()


def test_a_rolled_back_change_sends_nothing(live_app, base_url):
    data = arrange(live_app, orders=2)
    sse = Sse(base_url, "/api/v1/events/stream", bearer(live_app, data.dispatcher))
    try:
        sse.next("hello")
        with pytest.raises(RuntimeError):
            assign_then_fail(live_app, data.order_ids[0], data.technician_id)
        assign(live_app, data.order_ids[1], data.technician_id)
        seen = []
        while True:
            delta = json.loads(sse.next("work_order")["data"])
            seen.append((delta["id"], delta["status"]))
            if delta["id"] == str(data.order_ids[1]) and delta["status"] == "assigned":
                break
        assert (str(data.order_ids[0]), "assigned") not in seen
    finally:
        sse.close()


def test_engineer_positions_and_sla_warnings_are_pushed(live_app, base_url):
    data = arrange(live_app)
    sse = Sse(base_url, "/api/v1/events/stream", bearer(live_app, data.dispatcher))
    try:
        sse.next("hello")
        with live_app.app_context(), db.unit_of_work(live_app) as session:
            technicians_service.record_position(
                session,
                technician_id=data.technician_id,
                lat=31.24,
                lon=121.49,
                at=utcnow(),
                min_interval_s=0,
            )
        position = sse.change("position", id=str(data.technician_id))
        assert (position["lat"], position["lon"]) == (31.24, 121.49)
        with live_app.app_context(), db.unit_of_work(live_app) as session:
            order = session.get(WorkOrder, data.order_ids[0])
            order.sla_state = "at_risk"
            order.version += 1
        warning = sse.change("sla", id=str(data.order_ids[0]))
        assert warning["state"] == "at_risk"
    finally:
        sse.close()


# --- resuming -------------------------------------------------------------------------------


def test_reconnecting_with_last_event_id_replays_what_was_missed(live_app, base_url):
    data = arrange(live_app, orders=2)
    headers = bearer(live_app, data.dispatcher)
    sse = Sse(base_url, "/api/v1/events/stream", headers)
    try:
        sse.next("hello")
        assign(live_app, data.order_ids[0], data.technician_id)
        while True:
            seen = sse.next("work_order")
            if json.loads(seen["data"])["status"] == "assigned":
                break
    finally:
        sse.close()
    assign(live_app, data.order_ids[1], data.technician_id)  # while disconnected
    again = Sse(base_url, "/api/v1/events/stream", {**headers, "Last-Event-ID": seen["id"]})
    try:
        missed = again.next()
        assert missed["event"] == "work_order"  # a replay, not hello or reset
        assert int(missed["id"]) > int(seen["id"])
        delta = json.loads(missed["data"])
        if (delta["id"], delta["status"]) != (str(data.order_ids[1]), "assigned"):
            assert again.change("work_order", id=str(data.order_ids[1]), status="assigned")
    finally:
        again.close()


def test_last_event_id_in_the_query_resumes_too(live_app, base_url):
    data = arrange(live_app)
    headers = bearer(live_app, data.dispatcher)
    sse = Sse(base_url, "/api/v1/events/stream", headers)
    try:
        hello = sse.next("hello")
    finally:
        sse.close()
    assign(live_app, data.order_ids[0], data.technician_id)
    token = stream_token(live_app, data.dispatcher)
    again = Sse(base_url, f"/api/v1/events/stream?token={token}&last_event_id={hello['id']}")
    try:
        missed = again.next()
        assert missed["event"] == "work_order"  # a replay, not hello or reset
        delta = json.loads(missed["data"])
        if (delta["id"], delta["status"]) != (str(data.order_ids[0]), "assigned"):
            assert again.change("work_order", id=str(data.order_ids[0]), status="assigned")
    finally:
        again.close()


@pytest.mark.parametrize("last_id", ["1", "99999999999999999", "not-a-number"])
def test_an_id_the_server_cannot_resume_from_asks_for_a_snapshot(live_app, base_url, last_id):
    data = arrange(live_app)
    sse = Sse(
        base_url,
        "/api/v1/events/stream",
        bearer(live_app, data.dispatcher, **{"Last-Event-ID": last_id}),
    )
    try:
        first = sse.next()
        # An unreadable id is no id: a fresh start (hello) also means "read the snapshot".
        assert first["event"] == ("hello" if last_id == "not-a-number" else "reset")
        assert int(first["id"]) >= live_app.extensions["live_hub"].latest_id - 1000
    finally:
        sse.close()


def test_a_stream_that_cannot_listen_yet_says_retry_later(live_app, monkeypatch):
    """No LISTEN connection (the database unreachable): 503, so the board retries, rather than
    a stream that would silently miss changes."""
    data = arrange(live_app)
    unreachable = Hub("host=127.0.0.1 port=1 connect_timeout=1")
    monkeypatch.setitem(live_app.extensions, "live_hub", unreachable)
    monkeypatch.setitem(live_app.config, "EVENTS_LISTEN_WAIT_S", 0.1)
    try:
        with live_app.test_client() as client:
            response = client.get(
                "/api/v1/events/stream",
                headers=bearer(live_app, data.dispatcher, **{"Accept-Language": "en"}),
            )
    finally:
        unreachable.stop()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"] == "service_unavailable"
    assert response.get_json()["message"] == "The service is unavailable."


# --- who gets in ----------------------------------------------------------------------------


def test_stream_without_credentials_is_refused(live_app, base_url):
    status, body = get(base_url, "/api/v1/events/stream", {"Accept-Language": "en"})
    assert status == 401
    assert body["error"] == "unauthorized"
    assert body["message"] == "Authentication is required."


def test_stream_with_a_forged_token_is_refused(live_app, base_url):
    status, body = get(base_url, "/api/v1/events/stream?token=not.a.token")
    assert status == 401
    assert body["error"] == "invalid_token"


def test_stream_with_an_expired_token_is_refused(live_app, base_url):
    data = arrange(live_app)
    expired = tokens.issue_access_token(
        user_id=data.dispatcher.id,
        role="dispatcher",
        secret=live_app.config["SECRET_KEY"],
        ttl_s=60,
        now=utcnow() - timedelta(minutes=5),
        audience="events",
    )
    status, body = get(base_url, f"/api/v1/events/stream?token={expired}")
    assert status == 401
    assert body["error"] == "token_expired"


def test_an_api_access_token_does_not_open_the_stream_from_the_url(live_app, base_url):
    """Access tokens never travel in URLs (logs keep URLs): only a stream token does."""
    data = arrange(live_app)
    access = stream_token(live_app, data.dispatcher, audience="api")
    status, body = get(base_url, f"/api/v1/events/stream?token={access}")
    assert status == 401
    assert body["error"] == "invalid_token"


def test_a_stream_token_cannot_call_the_api(live_app, base_url):
    data = arrange(live_app)
    token = stream_token(live_app, data.dispatcher)
    status, _ = get(base_url, "/api/v1/me", {"Authorization": f"Bearer {token}"})
    assert status == 401


@pytest.mark.parametrize("role", ["technician", "warehouse", "agent"])
def test_other_roles_may_not_watch_the_board(live_app, base_url, role):
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        user = make_user(session, role=role)
        session.expunge(user)
    status, body = get(base_url, "/api/v1/events/stream", bearer(live_app, user))
    assert status == 403
    status, body = get(base_url, f"/api/v1/events/stream?token={stream_token(live_app, user)}")
    assert status == 403
    status, body = post(base_url, "/api/v1/events/token", bearer(live_app, user))
    assert status == 403
    assert body["error"] == "forbidden"


def test_a_deactivated_users_stream_token_is_refused(live_app, base_url):
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        user = make_user(session, role="dispatcher", active=False)
        session.expunge(user)
    status, _ = get(base_url, f"/api/v1/events/stream?token={stream_token(live_app, user)}")
    assert status == 401


def test_token_needs_a_signed_in_caller(live_app, base_url):
    status, body = post(base_url, "/api/v1/events/token", {"Accept-Language": "zh-CN"})
    assert status == 401
    assert body["message"] == "请先登录。"
