"""One LISTEN connection per process, fanned out to every open stream of that process.

A daemon thread holds a psycopg 3 connection in autocommit mode, LISTENs on the live channel
and hands each notification to the ring and to every subscriber's queue. Streams never touch
the database while open: a hundred boards cost a hundred queues, not a hundred connections.
If the LISTEN connection drops, notifications sent meanwhile are lost: once it listens again,
every open stream is told to re-read its snapshot and the ring forgets what came before. Until
the first LISTEN is in place the stream answers 503 (the board retries).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg

from server.live import events

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reset:
    """Put in a subscriber's queue: events were lost; the client must re-read its snapshot."""

    id: int
    reason: str


class Subscription:
    def __init__(self, maxsize: int) -> None:
        self.queue: queue.Queue[events.Event | Reset] = queue.Queue(maxsize)
        # Set when the client read too slowly and its queue filled up.
        self.overflowed = False


class Hub:
    def __init__(
        self,
        conninfo: str,
        *,
        ring_size: int = 10_000,
        queue_size: int = 2_000,
        first_id: int | None = None,
    ) -> None:
        self._conninfo = conninfo
        self._queue_size = queue_size
        self._lock = threading.Lock()
        start = first_id if first_id is not None else int(time.time() * 1_000_000)
        self._ring = events.Ring(first_id=start, size=ring_size)
        self._subscribers: set[Subscription] = set()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._listening = threading.Event()

    # --- the listener -----------------------------------------------------------------------

    def start(self, *, wait_s: float = 5.0) -> bool:
        """Start listening (once); True when the LISTEN is in place within `wait_s`."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fieldline-live-listener", daemon=True
                )
                self._thread.start()
        return self._listening.wait(wait_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def _run(self) -> None:
        backoff = 0.5
        listened_before = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._conninfo, autocommit=True, application_name="fieldline-live"
                ) as conn:
                    conn.execute(f"LISTEN {events.CHANNEL}")
                    if listened_before or self.subscriber_count:
                        # What was sent while nobody listened is gone. Told only now that the
                        # LISTEN is back, a board's re-read cannot miss anything either.
                        self.lost("listener_reconnected")
                    listened_before = True
                    self._listening.set()
                    backoff = 0.5
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=1.0):
                            self.publish(notify.payload)
            except psycopg.Error:
                log.warning("live: LISTEN connection failed; retrying", exc_info=True)
            self._listening.clear()
            if not self._stop.wait(backoff):
                backoff = min(backoff * 2, 10.0)

    # --- fan-out ----------------------------------------------------------------------------

    def publish(self, payload: str) -> events.Event | None:
        decoded = events.decode_payload(payload)
        if decoded is None:
            return None
        with self._lock:
            event = self._ring.append(*decoded)
            for sub in self._subscribers:
                if sub.overflowed:
                    continue
                try:
                    sub.queue.put_nowait(event)
                except queue.Full:
                    sub.overflowed = True
        return event

    def lost(self, reason: str) -> None:
        with self._lock:
            self._ring.forget()
            reset = Reset(self._ring.latest, reason)
            for sub in self._subscribers:
                try:
                    sub.queue.put_nowait(reset)
                except queue.Full:
                    sub.overflowed = True

    def subscribe(self, last_id: int | None) -> tuple[Subscription, list[events.Event] | None, int]:
        """A new subscriber, the events it missed since `last_id` (None: it cannot resume and
        must read a snapshot) and the newest id, taken together so nothing falls between."""
        sub = Subscription(self._queue_size)
        with self._lock:
            backlog = None if last_id is None else self._ring.since(last_id)
            self._subscribers.add(sub)
            return sub, backlog, self._ring.latest

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    @property
    def latest_id(self) -> int:
        with self._lock:
            return self._ring.latest

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def catch_up(self, sub: Subscription) -> Reset:
        """After an overflow: drop what is queued and start over from the newest event."""
        with self._lock:
            while True:
                try:
                    sub.queue.get_nowait()
                except queue.Empty:
                    break
            sub.overflowed = False
            return Reset(self._ring.latest, "too_slow")


def stream(
    hub: Hub, *, last_id: int | None, heartbeat_s: float, retry_ms: int, batch: int = 200
) -> Iterator[bytes]:
    """The body of one SSE response: what was missed (or hello / reset), then live events,
    with a comment line as heartbeat whenever nothing happened for `heartbeat_s`."""
    sub, backlog, latest = hub.subscribe(last_id)
    try:
        yield events.sse_retry(retry_ms) + _opening(last_id, backlog, latest)
        while True:
            if sub.overflowed:
                reset = hub.catch_up(sub)
                yield events.sse_control(
                    events.RESET, event_id=reset.id, data={"reason": reset.reason}
                )
                continue
            try:
                item = sub.queue.get(timeout=heartbeat_s)
            except queue.Empty:
                yield events.HEARTBEAT
                continue
            chunk = [_frame(item)]
            # Whatever else is already waiting goes out in the same write.
            while len(chunk) < batch:
                try:
                    chunk.append(_frame(sub.queue.get_nowait()))
                except queue.Empty:
                    break
            yield b"".join(chunk)
    finally:
        hub.unsubscribe(sub)


def _opening(last_id: int | None, backlog: list[events.Event] | None, latest: int) -> bytes:
    if backlog is not None:
        return b"".join(events.sse(e) for e in backlog)
    if last_id is None:
        return events.sse_control(events.HELLO, event_id=latest, data={"resumed": False})
    return events.sse_control(events.RESET, event_id=latest, data={"reason": "gap"})


def _frame(item: events.Event | Reset) -> bytes:
    if isinstance(item, Reset):
        return events.sse_control(events.RESET, event_id=item.id, data={"reason": item.reason})
    return events.sse(item)


_hubs_lock = threading.Lock()


def hub_for(app: Any) -> Hub:
    """The app's hub (one per process and app), listening before the first stream opens."""
    hub: Hub | None = app.extensions.get("live_hub")
    if hub is None:
        with _hubs_lock:
            hub = app.extensions.get("live_hub")
            if hub is None:
                url = app.extensions["db"].engine.url.set(drivername="postgresql")
                hub = Hub(
                    url.render_as_string(hide_password=False),
                    ring_size=int(app.config["EVENTS_RING_SIZE"]),
                )
                app.extensions["live_hub"] = hub
    hub.start(wait_s=float(app.config["EVENTS_LISTEN_WAIT_S"]))
    return hub
