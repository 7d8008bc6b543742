"""Which sender each channel uses, chosen by settings, and the one line that says so at start."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from server.notify import policy
from server.notify.delivery import Sender, Skip, Stored
from server.notify.email import MailDirSender, SmtpSender
from server.notify.push import FcmSender
from server.notify.webhooks import WebhookSender

log = logging.getLogger("server.notify")

PUSH_OFF = "push not configured (FCM_CREDENTIALS_FILE is empty)"
EMAIL_OFF = "email not configured (SMTP_HOST and MAIL_DIR are empty)"
NO_SMS = "no SMS gateway configured"


def senders_from_settings(settings: Mapping[str, Any]) -> dict[str, Sender]:
    tz = str(settings.get("ORG_TIMEZONE") or "Asia/Shanghai")
    email: Sender = Skip(EMAIL_OFF)
    if settings.get("SMTP_HOST"):
        email = SmtpSender(
            host=str(settings["SMTP_HOST"]),
            port=int(settings.get("SMTP_PORT") or 587),
            sender=str(settings.get("SMTP_FROM") or "noreply@fieldline.invalid"),
            user=str(settings.get("SMTP_USER") or ""),
            password=str(settings.get("SMTP_PASSWORD") or ""),
            tls=str(settings.get("SMTP_TLS") or "starttls"),
            timeout_s=float(settings.get("SMTP_TIMEOUT_S") or 30),
            tz=tz,
        )
    elif settings.get("MAIL_DIR"):
        email = MailDirSender(
            folder=str(settings["MAIL_DIR"]),
            sender=str(settings.get("SMTP_FROM") or "noreply@fieldline.invalid"),
            tz=tz,
        )
    push: Sender = Skip(PUSH_OFF)
    if settings.get("FCM_CREDENTIALS_FILE"):
        push = FcmSender(
            credentials_file=str(settings["FCM_CREDENTIALS_FILE"]),
            project_id=str(settings.get("FCM_PROJECT_ID") or ""),
            tz=tz,
        )
    return {
        "email": email,
        "push": push,
        "webhook": WebhookSender(timeout_s=float(settings.get("WEBHOOK_TIMEOUT_S") or 10)),
        "in_app": Stored(),
        "sms": Skip(NO_SMS),
    }


def retry_policy(settings: Mapping[str, Any]) -> policy.RetryPolicy:
    return policy.RetryPolicy(
        max_attempts=int(settings.get("NOTIFY_MAX_ATTEMPTS") or 8),
        base_s=int(settings.get("NOTIFY_RETRY_BASE_S") or 30),
        cap_s=int(settings.get("NOTIFY_RETRY_CAP_S") or 3600),
    )


def lease(settings: Mapping[str, Any]) -> timedelta:
    return timedelta(seconds=int(settings.get("NOTIFY_LEASE_S") or 300))


def log_configuration(settings: Mapping[str, Any]) -> None:
    """One line at start for each channel that is off, so nobody wonders where messages went."""
    if not settings.get("FCM_CREDENTIALS_FILE"):
        log.info(
            "push notifications off: %s; push messages are marked skipped and engineers' apps "
            "pick up every change on their next sync",
            PUSH_OFF,
        )
    if settings.get("SMTP_HOST"):
        return
    if settings.get("MAIL_DIR"):
        log.info("email is written to %s as .eml files (SMTP_HOST is empty)", settings["MAIL_DIR"])
    else:
        log.info("email notifications off: %s; email messages are marked skipped", EMAIL_OFF)
