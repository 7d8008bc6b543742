"""Push to engineers' phones through Firebase Cloud Messaging (firebase-admin, pinned 7.7.x).

One message per device token. The outbox key travels in the data (`idempotency_key`) and, hashed,
as the collapse key on Android, APNs and web push: a phone that gets the same message twice
shows it once, and the app treats any push only as a nudge to sync. Tokens FCM reports as
unregistered are removed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import warnings
from typing import Any

import firebase_admin
from firebase_admin import credentials, exceptions, messaging

from server.notify import templates
from server.notify.delivery import Outgoing, SendResult

log = logging.getLogger(__name__)

# Errors that say the token is dead for good (app uninstalled, token of another project).
_STALE = (messaging.UnregisteredError, messaging.SenderIdMismatchError)
# Errors worth another try later (the service, our quota, our credentials' refresh).
_TRANSIENT = (
    exceptions.UnavailableError,
    exceptions.InternalError,
    exceptions.DeadlineExceededError,
    exceptions.ResourceExhaustedError,
    exceptions.UnknownError,
    exceptions.UnauthenticatedError,
    exceptions.PermissionDeniedError,
    messaging.QuotaExceededError,
    messaging.ThirdPartyAuthError,
)

_apps: dict[tuple[str, str], firebase_admin.App] = {}
_apps_lock = threading.Lock()


def collapse_key(idempotency_key: str) -> str:
    """32 hex characters: fits APNs' 64-byte collapse id and web push's 32-character Topic."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def firebase_app(credentials_file: str, project_id: str = "") -> firebase_admin.App:
    """One firebase-admin app per credentials file and project, made on first use."""
    key = (credentials_file, project_id)
    with _apps_lock:
        app = _apps.get(key)
        if app is None:
            options: dict[str, Any] = {"httpTimeout": 30}
            if project_id:
                options["projectId"] = project_id
            name = "fieldline-" + hashlib.sha256(repr(key).encode()).hexdigest()[:16]
            app = firebase_admin.initialize_app(
                credentials.Certificate(credentials_file), options, name=name
            )
            _apps[key] = app
        return app


def close_apps() -> None:
    """Forget every firebase-admin app (their HTTP clients and cached tokens)."""
    with _apps_lock:
        for app in _apps.values():
            firebase_admin.delete_app(app)
        _apps.clear()


def build(message: Outgoing, token: str, *, tz: str) -> messaging.Message:
    rendered = templates.render(message.template, message.locale, dict(message.payload), tz=tz)
    collapse = collapse_key(message.idempotency_key)
    data = {
        "idempotency_key": message.idempotency_key,
        "template": message.template,
        "work_order_id": str(message.work_order_id or message.payload.get("work_order_id") or ""),
        "number": str(message.payload.get("number") or ""),
        # What the app should do: sync, then show the job (or drop it, when it went away).
        "action": "sync",
    }
    with warnings.catch_warnings():
        # firebase-admin 7.7 deprecates `token` in favour of installation ids (`fid`); the apps
        # register FCM registration tokens, which is what `token` carries.
        warnings.simplefilter("ignore", DeprecationWarning)
        return messaging.Message(
            token=token,
            notification=messaging.Notification(title=rendered.subject, body=rendered.text.strip()),
            data=data,
            android=messaging.AndroidConfig(collapse_key=collapse, priority="high"),
            apns=messaging.APNSConfig(headers={"apns-collapse-id": collapse}),
            webpush=messaging.WebpushConfig(headers={"Topic": collapse}),
        )


class FcmSender:
    def __init__(self, *, credentials_file: str, project_id: str, tz: str) -> None:
        self.credentials_file, self.project_id, self.tz = credentials_file, project_id, tz

    def send(self, message: Outgoing) -> SendResult:
        if not templates.has_template(message.template):
            return SendResult.failed(f"unknown template {message.template}")
        if not message.push_tokens:
            return SendResult.skipped("no registered device")
        app = firebase_app(self.credentials_file, self.project_id)
        delivered, stale, retry, refused = [], [], [], []
        for token in message.push_tokens:
            try:
                messaging.send(build(message, token, tz=self.tz), app=app)
            except _STALE as exc:
                stale.append((token, exc))
            except _TRANSIENT as exc:
                retry.append((token, exc))
            except exceptions.FirebaseError as exc:
                refused.append((token, exc))
            else:
                delivered.append(token)
        stale_tokens = tuple(token for token, _ in stale)
        if retry:
            detail = "; ".join(f"{_short(t)}: {exc.code} {exc}" for t, exc in retry)
            return SendResult("retry", detail[:500], stale_tokens=stale_tokens)
        if delivered:
            return SendResult("sent", f"{len(delivered)} device(s)", stale_tokens=stale_tokens)
        if stale and not refused:
            return SendResult("skipped", "every device token is unregistered", None, stale_tokens)
        detail = "; ".join(f"{_short(t)}: {exc.code} {exc}" for t, exc in [*refused, *stale])
        return SendResult("failed", detail[:500], stale_tokens=stale_tokens)


def _short(token: str) -> str:
    return token[:8] + "..."
