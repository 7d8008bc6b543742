"""Real local peers for delivery tests: an SMTP server (aiosmtpd), an HTTP receiver for
webhooks, and a fake FCM v1 endpoint with its OAuth token endpoint. Nothing leaves the machine:
a guard refuses any name lookup other than the loopback's."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy.orm import Session

from server.db import db, utcnow
from server.notify import delivery, policy, tasks
from server.notify.email import SmtpSender
from server.notify.webhooks import WebhookSender
from tests.serving import http_peer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- SMTP -------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server received, and how it should answer next."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    # Replies to give to the next RCPT commands instead of accepting them ("451 ...").
    refuse_rcpt: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set once a message is taken; while `hold` is set, the server then waits for `release`
    # before it answers 250 (a client can die in between).
    data_started: threading.Event = field(default_factory=threading.Event)
    hold: bool = False
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        with self.lock:
            if self.refuse_rcpt:
                return self.refuse_rcpt.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes
        from email import policy as email_policy

        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        with self.lock:
            self.messages.append(
                {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": parsed}
            )
        # The message is taken (as a real server queues it before answering); a client that
        # dies now never hears so.
        self.data_started.set()
        if self.hold:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return "250 Message accepted"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        mailbox.release.set()
        controller.stop()


# --- an HTTP receiver (webhooks) --------------------------------------------------------------


@dataclass
class Receiver:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Statuses to answer in turn; 200 once they run out.
    statuses: list[int] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = free_port()
    state = Receiver(url=f"http://127.0.0.1:{port}/hooks/fieldline")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with http_peer(Handler, port=port):
        yield state


# --- a fake FCM v1 endpoint and OAuth token endpoint -----------------------------------------


@dataclass
class FakeFcm:
    base_url: str
    project_id: str = "fieldline-test"
    sent: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    unregistered: set[str] = field(default_factory=set)
    # Tokens answered once with 429 QUOTA_EXCEEDED, then accepted.
    throttled_once: set[str] = field(default_factory=set)
    authorizations: list[str] = field(default_factory=list)


def _fcm_error(status: int, code: str, fcm_code: str) -> bytes:
    return json.dumps(
        {
            "error": {
                "code": status,
                "message": fcm_code,
                "status": code,
                "details": [
                    {
                        "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                        "errorCode": fcm_code,
                    }
                ],
            }
        }
    ).encode()


@pytest.fixture
def fake_fcm() -> Iterator[FakeFcm]:
    port = free_port()
    state = FakeFcm(base_url=f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/token":
                state.token_requests += 1
                self._answer(200, {"access_token": "fake-access-token", "expires_in": 3600,
                                   "token_type": "Bearer"})  # fmt: skip
                return
            if self.path != f"/v1/projects/{state.project_id}/messages:send":
                self._answer(404, {"error": {"code": 404, "status": "NOT_FOUND"}})
                return
            state.authorizations.append(self.headers.get("Authorization", ""))
            message = json.loads(body)["message"]
            token = message.get("token")
            if token in state.unregistered:
                self._raw(404, _fcm_error(404, "NOT_FOUND", "UNREGISTERED"))
                return
            if token in state.throttled_once:
                state.throttled_once.discard(token)
                self._raw(429, _fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"))
                return
            state.sent.append(message)
            self._answer(200, {"name": f"projects/{state.project_id}/messages/{len(state.sent)}"})

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            self._raw(status, json.dumps(payload).encode())

        def _raw(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    with http_peer(Handler, port=port):
        yield state


@pytest.fixture
def fcm_credentials(tmp_path: Path, fake_fcm: FakeFcm) -> Path:
    """A service account made up for the test: a throwaway RSA key, and a token endpoint that is
    the fake server's (google-auth signs its JWT with the key and posts it there)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": fake_fcm.project_id,
                "private_key_id": "test-key",
                "private_key": pem,
                "client_email": f"push@{fake_fcm.project_id}.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"{fake_fcm.base_url}/token",
            }
        )
    )
    return path


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse (and remember) any name lookup beyond the loopback: google-auth's metadata-server
    probes, token refreshes at Google, FCM's real host."""
    attempts: list[str] = []
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("127.0.0.1", "localhost", "::1"):
            attempts.append(name)
            raise OSError(f"tests do not reach {name}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    monkeypatch.setenv("GCE_METADATA_HOST", "127.0.0.1:9")
    return attempts


@pytest.fixture
def fcm_app(
    app: Flask, fake_fcm: FakeFcm, fcm_credentials: Path, no_internet: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[FakeFcm]:  # fmt: skip
    """The app configured for push, with firebase-admin's FCM endpoint pointed at the fake."""
    from firebase_admin import messaging

    from server.notify import push

    monkeypatch.setattr(
        messaging._MessagingService,
        "FCM_URL",
        f"{fake_fcm.base_url}/v1/projects/{{0}}/messages:send",
    )
    monkeypatch.setitem(app.config, "FCM_CREDENTIALS_FILE", str(fcm_credentials))
    push.close_apps()
    try:
        yield fake_fcm
    finally:
        push.close_apps()
    assert no_internet == []


# --- delivery helpers --------------------------------------------------------------------------

FAST = policy.RetryPolicy(max_attempts=3, base_s=60, cap_s=3600, jitter=0.0)


@dataclass
class Clock:
    """Real time until a test moves it; from then on it stands where it was moved to."""

    frozen: datetime | None = None

    @property
    def now(self) -> datetime:
        return self.frozen or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.frozen = self.now + timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


Deliver = Callable[..., delivery.Report]


@pytest.fixture
def deliver(app: Flask, connection: Any, clock: Clock) -> Deliver:
    """Deliver what is due with the given senders, each step in its own unit of work (inside
    the test's transaction: their commits release savepoints)."""

    def run(senders: dict[str, Any], **options: Any) -> delivery.Report:
        return delivery.deliver(
            lambda: db.unit_of_work(app),
            senders=senders,
            retry=options.pop("retry", FAST),
            clock=clock,
            **options,
        )

    return run


def smtp_sender(port: int, **options: Any) -> SmtpSender:
    return SmtpSender(
        host="127.0.0.1",
        port=port,
        sender="Fieldline 服务 <service@fieldline.example>",
        tls="none",
        timeout_s=5,
        tz="Asia/Shanghai",
        **options,
    )


def webhook_sender() -> WebhookSender:
    return WebhookSender(timeout_s=5)


def commit(app: Flask, fn: Callable[[Session], Any]) -> Any:
    """Run `fn` in a unit of work of its own and commit it (a savepoint release in tests), so
    that the messages written just before commit are there."""
    with app.app_context(), db.unit_of_work(app) as session:
        return fn(session)


__all__ = ["FAST", "Clock", "Deliver", "commit", "smtp_sender", "tasks", "webhook_sender"]
