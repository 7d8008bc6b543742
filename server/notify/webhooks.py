"""Outbound webhooks: the event catalogue, the signature, and the HTTP sender.

Every delivery is a POST of a JSON body with

    Content-Type: application/json; charset=utf-8
    Idempotency-Key: <the outbox key>        same on every retry: drop a key you have seen
    X-Fieldline-Event: work_order.assigned
    X-Fieldline-Timestamp: <unix seconds>
    X-Fieldline-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>

A 2xx answer is success. 408, 429 and 5xx (and no answer at all) are tried again with backoff;
any other answer is a refusal and is not repeated. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from server.notify.delivery import Outgoing, SendResult

# Work-order life-cycle actions as event types (the action's past tense, so to speak).
ACTION_EVENTS = {
    "assign": "work_order.assigned",
    "unassign": "work_order.unassigned",
    "accept": "work_order.accepted",
    "decline": "work_order.declined",
    "start_travel": "work_order.en_route",
    "arrive": "work_order.arrived",
    "hold": "work_order.on_hold",
    "resume": "work_order.resumed",
    "complete": "work_order.completed",
    "sign_off": "work_order.closed",
    "customer_confirm": "work_order.closed",
    "auto_close": "work_order.closed",
    "customer_reject": "work_order.rejected",
    "cancel": "work_order.cancelled",
    "merge": "work_order.merged",
    "unmerge": "work_order.unmerged",
    "reopen": "work_order.reopened",
}
CREATED = "work_order.created"
ETA_CHANGED = "work_order.eta_changed"
EVENT_TYPES = tuple(sorted({CREATED, ETA_CHANGED, *ACTION_EVENTS.values()}))

SIGNATURE_HEADER = "X-Fieldline-Signature"
TIMESTAMP_HEADER = "X-Fieldline-Timestamp"
RETRY_STATUSES = frozenset({408, 425, 429})


def body_bytes(payload: Any) -> bytes:
    """The exact bytes that are signed and sent (compact, keys sorted, UTF-8)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (and our tests): constant-time comparison."""
    return hmac.compare_digest(signature(secret, timestamp, body), header.strip())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class WebhookSender:
    def __init__(self, *, timeout_s: float = 10, user_agent: str = "Fieldline-Webhooks/1") -> None:
        self.timeout_s = timeout_s
        self.user_agent = user_agent

    def send(self, message: Outgoing) -> SendResult:
        target = message.webhook
        if target is None:
            return SendResult.skipped("subscription deleted")
        if not target.active:
            return SendResult.skipped("subscription inactive")
        if not target.url.startswith(("http://", "https://")):
            return SendResult.failed("url must be http or https")
        body = body_bytes(dict(message.payload))
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
            target.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": self.user_agent,
                "Idempotency-Key": message.idempotency_key,
                "X-Fieldline-Event": message.template,
                "X-Fieldline-Delivery": str(message.id),
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(target.secret, timestamp, body),
            },
        )
        try:
            with _opener.open(request, timeout=self.timeout_s) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return SendResult.retry(f"{type(exc).__name__}: {exc}")
        if 200 <= status < 300:
            return SendResult.sent(f"HTTP {status}", status)
        if status >= 500 or status in RETRY_STATUSES:
            return SendResult.retry(f"HTTP {status}", status)
        return SendResult.failed(f"HTTP {status}", status)
