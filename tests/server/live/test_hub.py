"""The hub's fan-out and the stream body, driven without a database (notifications handed in
as the LISTEN thread would)."""

from __future__ import annotations

from server.live import events
from server.live.hub import Hub, stream


def _hub(**kwargs) -> Hub:
    return Hub("dbname=unused", first_id=100, **kwargs)


def _payload(n: int) -> str:
    return events.encode_payload("work_order", {"id": f"wo-{n}", "version": n})


def _frames(body: bytes) -> list[dict[str, str]]:
    frames = []
    for block in body.decode().split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if "event" in fields:
            frames.append(fields)
    return frames


def test_a_new_stream_says_hello_with_the_newest_id():
    hub = _hub()
    hub.publish(_payload(1))
    body = stream(hub, last_id=None, heartbeat_s=0.01, retry_ms=1000)
    opening = _frames(next(body))
    assert opening == [{"id": "101", "event": "hello", "data": '{"resumed":false}'}]
    body.close()
    assert hub.subscriber_count == 0


def test_every_subscriber_gets_each_event_once_in_order():
    hub = _hub()
    bodies = [stream(hub, last_id=None, heartbeat_s=0.01, retry_ms=1000) for _ in range(3)]
    for body in bodies:
        next(body)
    assert hub.subscriber_count == 3
    for n in range(1, 4):
        hub.publish(_payload(n))
    for body in bodies:
        frames = _frames(next(body))
        assert [f["id"] for f in frames] == ["101", "102", "103"]
        assert all(f["event"] == "work_order" for f in frames)
        body.close()
    assert hub.subscriber_count == 0


def test_resume_replays_the_missed_events_first():
    hub = _hub()
    for n in range(1, 5):
        hub.publish(_payload(n))
    body = stream(hub, last_id=102, heartbeat_s=0.01, retry_ms=1000)
    assert [f["id"] for f in _frames(next(body))] == ["103", "104"]
    body.close()


def test_resume_across_a_gap_asks_for_the_snapshot():
    hub = _hub(ring_size=2)
    for n in range(1, 5):
        hub.publish(_payload(n))
    body = stream(hub, last_id=101, heartbeat_s=0.01, retry_ms=1000)
    assert _frames(next(body)) == [{"id": "104", "event": "reset", "data": '{"reason":"gap"}'}]
    body.close()


def test_idle_streams_get_heartbeats():
    hub = _hub()
    body = stream(hub, last_id=None, heartbeat_s=0.01, retry_ms=1000)
    next(body)
    assert next(body) == events.HEARTBEAT
    body.close()


def test_a_lost_listener_resets_every_open_stream():
    hub = _hub()
    hub.publish(_payload(1))
    body = stream(hub, last_id=None, heartbeat_s=0.01, retry_ms=1000)
    next(body)
    hub.lost("listener_reconnected")
    assert _frames(next(body)) == [
        {"id": "101", "event": "reset", "data": '{"reason":"listener_reconnected"}'}
    ]
    # and nobody may resume across the loss
    assert (
        _frames(next(stream(hub, last_id=100, heartbeat_s=0.01, retry_ms=1000)))[0]["event"]
        == "reset"
    )
    body.close()


def test_a_slow_reader_is_told_to_start_over_instead_of_blocking_the_others():
    hub = _hub(queue_size=2)
    slow = stream(hub, last_id=None, heartbeat_s=0.01, retry_ms=1000)
    next(slow)
    for n in range(1, 6):
        hub.publish(_payload(n))
    frames = _frames(next(slow))
    assert frames == [{"id": "105", "event": "reset", "data": '{"reason":"too_slow"}'}]
    hub.publish(_payload(6))
    assert [f["id"] for f in _frames(next(slow))] == ["106"]
    slow.close()


def test_foreign_notifications_are_not_events():
    hub = _hub()
    assert hub.publish("not ours") is None
    assert hub.latest_id == 100
