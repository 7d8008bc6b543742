"""The live events' pure parts: payloads, the resume ring, the wire format."""

from __future__ import annotations

import json

import pytest

from server.live import events


def _ring(size: int = 3, first_id: int = 1000) -> events.Ring:
    return events.Ring(first_id=first_id, size=size)


def test_ids_follow_the_first_id_and_rise_by_one():
    ring = _ring()
    assert [ring.append("work_order", "{}").id for _ in range(3)] == [1001, 1002, 1003]
    assert ring.latest == 1003


def test_resume_from_the_newest_id_misses_nothing():
    ring = _ring()
    ring.append("work_order", "{}")
    assert ring.since(ring.latest) == []


def test_resume_replays_only_what_came_after_the_id():
    ring = _ring(size=5)
    for n in range(4):
        ring.append("work_order", json.dumps({"n": n}))
    missed = ring.since(1002)
    assert missed is not None
    assert [e.id for e in missed] == [1003, 1004]


def test_resume_from_the_id_just_before_the_oldest_kept_event_is_whole():
    ring = _ring(size=2)
    for _ in range(4):
        ring.append("work_order", "{}")
    missed = ring.since(1002)
    assert missed is not None
    assert [e.id for e in missed] == [1003, 1004]


def test_an_id_older_than_the_ring_is_a_gap():
    ring = _ring(size=2)
    for _ in range(4):
        ring.append("work_order", "{}")
    assert ring.since(1001) is None


def test_an_id_from_before_this_process_started_is_a_gap():
    ring = _ring(first_id=5000)
    ring.append("work_order", "{}")
    assert ring.since(4000) is None


def test_an_id_this_process_never_gave_out_is_a_gap():
    ring = _ring()
    ring.append("work_order", "{}")
    assert ring.since(ring.latest + 7) is None


def test_an_empty_ring_resumes_only_at_its_newest_id():
    ring = _ring()
    assert ring.since(1000) == []
    assert ring.since(999) is None


def test_forgetting_makes_every_earlier_id_a_gap():
    ring = _ring()
    ring.append("work_order", "{}")
    before = ring.latest - 1
    ring.forget()
    assert ring.since(before) is None
    assert ring.since(ring.latest) == []
    assert len(ring) == 0


def test_payload_round_trip_keeps_the_delta_without_the_kind():
    payload = events.encode_payload("work_order", {"id": "a", "status": "assigned", "version": 3})
    kind, data = events.decode_payload(payload) or ("", "")
    assert kind == "work_order"
    assert json.loads(data) == {"id": "a", "status": "assigned", "version": 3}


def test_payload_keeps_chinese_text_readable():
    payload = events.encode_payload("sla", {"id": "a", "number": "WO-1", "note": "即将超时"})
    assert "即将超时" in payload


def test_oversized_payload_shrinks_to_the_id():
    payload = events.encode_payload("work_order", {"id": "a", "blob": "x" * 10_000})
    assert len(payload.encode()) < events.MAX_PAYLOAD_BYTES
    assert json.loads(payload) == {"t": "work_order", "id": "a", "partial": True}


@pytest.mark.parametrize(
    "payload",
    ["not json", "[1, 2]", '{"t": "something_else", "id": "a"}', '{"id": "no kind"}', ""],
)
def test_foreign_or_broken_payloads_are_ignored(payload):
    assert events.decode_payload(payload) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1764556800000123", 1764556800000123),
        (" 42 ", 42),
        (None, None),
        ("", None),
        ("abc", None),
        ("-5", None),
        ("1.5", None),
        ("9" * 19, None),
    ],
)
def test_last_event_id_parsing(raw, expected):
    assert events.parse_event_id(raw) == expected


def test_sse_frames():
    event = events.Event(7, "position", '{"id":"t"}')
    assert events.sse(event) == b'id: 7\nevent: position\ndata: {"id":"t"}\n\n'
    assert events.sse_control("reset", event_id=9, data={"reason": "gap"}) == (
        b'id: 9\nevent: reset\ndata: {"reason":"gap"}\n\n'
    )
    assert events.sse_retry(3000) == b"retry: 3000\n\n"
    assert events.HEARTBEAT.startswith(b":")
