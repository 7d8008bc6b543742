"""Which sender each channel uses, chosen by settings, and the one line that says so at start.

`settings` is the app's config, so every key is there: its one default lives in
`server.config.Config`, not here."""

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
    tz = str(settings["ORG_TIMEZONE"])
    email: Sender = Skip(EMAIL_OFF)
    if settings["SMTP_HOST"]:
        email = SmtpSender(
            host=str(settings["SMTP_HOST"]),
            port=int(settings["SMTP_PORT"]),
            sender=str(settings["SMTP_FROM"]),
            user=str(settings["SMTP_USER"]),
            password=str(settings["SMTP_PASSWORD"]),
            tls=str(settings["SMTP_TLS"]),
            timeout_s=float(settings["SMTP_TIMEOUT_S"]),
            tz=tz,
        )
    elif settings["MAIL_DIR"]:
        email = MailDirSender(
            folder=str(settings["MAIL_DIR"]),
            sender=str(settings["SMTP_FROM"]),
            tz=tz,
        )
    push: Sender = Skip(PUSH_OFF)
    if settings["FCM_CREDENTIALS_FILE"]:
        push = FcmSender(
            credentials_file=str(settings["FCM_CREDENTIALS_FILE"]),
            project_id=str(settings["FCM_PROJECT_ID"]),
            tz=tz,
        )
    return {
        "email": email,
        "push": push,
        "webhook": WebhookSender(timeout_s=float(settings["WEBHOOK_TIMEOUT_S"])),
        "in_app": Stored(),
        "sms": Skip(NO_SMS),
    }


def retry_policy(settings: Mapping[str, Any]) -> policy.RetryPolicy:
    return policy.RetryPolicy(
        max_attempts=int(settings["NOTIFY_MAX_ATTEMPTS"]),
        base_s=int(settings["NOTIFY_RETRY_BASE_S"]),
        cap_s=int(settings["NOTIFY_RETRY_CAP_S"]),
    )


def lease(settings: Mapping[str, Any]) -> timedelta:
    return timedelta(seconds=int(settings["NOTIFY_LEASE_S"]))


def log_configuration(settings: Mapping[str, Any]) -> None:
    """One line at start for each channel that is off, so nobody wonders where messages went."""
    if not settings["FCM_CREDENTIALS_FILE"]:
        log.info(
            "push notifications off: %s; push messages are marked skipped and engineers' apps "
            "pick up every change on their next sync",
            PUSH_OFF,
        )
    if settings["SMTP_HOST"]:
        return
    if settings["MAIL_DIR"]:
        log.info("email is written to %s as .eml files (SMTP_HOST is empty)", settings["MAIL_DIR"])
    else:
        log.info("email notifications off: %s; email messages are marked skipped", EMAIL_OFF)
