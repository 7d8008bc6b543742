"""Live events, pure: the NOTIFY payloads, the ring of recent events a reconnecting board
resumes from, and the Server-Sent Events wire format.

Event ids are integers, monotonic within a stream process and across its restarts: a process
numbers its events from its start time in microseconds, so a restarted process starts above
any id the previous one gave out (it could not emit more than one event per microsecond). An id
this process cannot vouch for (too old for the ring, from before a restart or from a lost
LISTEN connection) is a gap: the client is told to re-read its snapshot.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Any

CHANNEL = "fieldline_live"
# What a board hears about (the `event:` field); `reset` and `hello` are the stream's own.
KINDS = ("work_order", "position", "sla")
RESET = "reset"
HELLO = "hello"
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.
MAX_PAYLOAD_BYTES = 7900


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    data: str  # JSON text, sent as is


def encode_payload(kind: str, body: dict[str, Any]) -> str:
    """The NOTIFY payload: the kind and a small delta (ids, a few columns), compact JSON."""
    text = json.dumps({"t": kind, **body}, separators=(",", ":"), ensure_ascii=False, default=str)
    if len(text.encode()) > MAX_PAYLOAD_BYTES:
        # Never expected (deltas are a few hundred bytes); the id alone still tells the board
        # what to re-read.
        text = json.dumps({"t": kind, "id": body.get("id"), "partial": True}, default=str)
    return text


def decode_payload(payload: str) -> tuple[str, str] | None:
    """(kind, data) from a NOTIFY payload, or None for one that is not ours to pass on."""
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    kind = value.pop("t", None)
    if kind not in KINDS:
        return None
    return kind, json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_event_id(raw: str | None) -> int | None:
    """`Last-Event-ID` (or `last_event_id`) as an integer; anything else is no id at all."""
    if raw is None:
        return None
    text = raw.strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


class Ring:
    """The last `size` events, and the id of the newest one. Not thread-safe: the hub locks."""

    def __init__(self, *, first_id: int, size: int) -> None:
        self.latest = first_id
        self._events: deque[Event] = deque(maxlen=size)

    def append(self, kind: str, data: str) -> Event:
        self.latest += 1
        event = Event(self.latest, kind, data)
        self._events.append(event)
        return event

    def forget(self) -> None:
        """Events were lost (the LISTEN connection dropped): no resume may span the loss."""
        self._events.clear()

    def since(self, last_id: int) -> list[Event] | None:
        """The events after `last_id`, or None when the ring cannot tell (a gap)."""
        if last_id == self.latest:
            return []
        if last_id > self.latest or not self._events:
            return None
        if self._events[0].id > last_id + 1:
            return None
        return [e for e in self._events if e.id > last_id]

    def __len__(self) -> int:
        return len(self._events)


def sse(event: Event) -> bytes:
    return f"id: {event.id}\nevent: {event.kind}\ndata: {event.data}\n\n".encode()


def sse_control(kind: str, *, event_id: int, data: dict[str, Any]) -> bytes:
    """A stream message of its own (`hello`, `reset`), carrying the id to resume from."""
    body = json.dumps(data, separators=(",", ":"))
    return f"id: {event_id}\nevent: {kind}\ndata: {body}\n\n".encode()


def sse_retry(milliseconds: int) -> bytes:
    return f"retry: {int(milliseconds)}\n\n".encode()


HEARTBEAT = b": keep-alive\n\n"
