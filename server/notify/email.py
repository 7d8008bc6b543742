"""Email over SMTP (smtplib): a text and an HTML part in the reader's language, with a
Message-ID derived from the outbox key (the same message always carries the same id)."""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import tempfile
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Any

from server.db import utcnow
from server.notify import templates
from server.notify.delivery import Outgoing, SendResult

TLS_MODES = ("starttls", "ssl", "none")


def message_id(idempotency_key: str, sender: str) -> str:
    """`<hash-of-key@sender-domain>`: stable for a key, unique across keys."""
    addresses = getaddresses([sender])
    domain = addresses[0][1].rpartition("@")[2] if addresses and "@" in addresses[0][1] else ""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain or 'fieldline.invalid'}>"


def build_message(message: Outgoing, *, sender: str, tz: str) -> EmailMessage:
    rendered = templates.render(message.template, message.locale, dict(message.payload), tz=tz)
    mail = EmailMessage()
    mail["Subject"] = rendered.subject
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Date"] = format_datetime(utcnow())
    mail["Message-ID"] = message_id(message.idempotency_key, sender)
    # Automated: no out-of-office replies, please (RFC 3834).
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Fieldline-Idempotency-Key"] = message.idempotency_key
    mail.set_content(rendered.text)
    mail.add_alternative(rendered.html, subtype="html")
    # After the body: setting the content clears Content-* headers.
    mail["Content-Language"] = message.locale
    return mail


def _compose(message: Outgoing, *, sender: str, tz: str) -> EmailMessage | SendResult:
    """The email for `message`, or a failed result when it could never be sent (an unknown
    template, a malformed address): retrying would not help."""
    if not templates.has_template(message.template):
        return SendResult.failed(f"unknown template {message.template}")
    try:
        Address(addr_spec=message.recipient)
    except (ValueError, IndexError) as exc:
        return SendResult.failed(f"bad recipient address: {exc}")
    return build_message(message, sender=sender, tz=tz)


class SmtpSender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        tz: str,
        user: str = "",
        password: str = "",
        tls: str = "starttls",
        timeout_s: float = 30,
    ) -> None:
        if tls not in TLS_MODES:
            raise ValueError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}: {tls!r}")
        self.host, self.port, self.sender, self.tz = host, port, sender, tz
        self.user, self.password, self.tls, self.timeout_s = user, password, tls, timeout_s

    def send(self, message: Outgoing) -> SendResult:
        mail = _compose(message, sender=self.sender, tz=self.tz)
        if isinstance(mail, SendResult):
            return mail
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            return _by_code(code, reply)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return _by_code(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPResponseException as exc:
            return _by_code(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError) as exc:
            # Connection refused or dropped, a timeout, TLS trouble: the server may be back soon.
            return SendResult.retry(f"{type(exc).__name__}: {exc}")
        if refused:  # pragma: no cover - one recipient per message: refusal raises above
            return SendResult.retry(f"refused: {refused}")
        return SendResult.sent(mail["Message-ID"], 250)

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout_s, context=ssl.create_default_context()
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        if self.tls == "starttls":
            try:
                smtp.starttls(context=ssl.create_default_context())
            except BaseException:
                smtp.close()
                raise
        return smtp


class MailDirSender:
    """Writes each email as an `.eml` file into a folder instead of sending it: the local
    default of `make run`, so that a demo's acknowledgements and links can be opened in any
    mail reader without a mail server. The file is named after the message's key, so a repeated
    delivery rewrites the same file rather than adding a second one."""

    def __init__(self, *, folder: str | Path, sender: str, tz: str) -> None:
        self.folder, self.sender, self.tz = Path(folder), sender, tz

    def send(self, message: Outgoing) -> SendResult:
        mail = _compose(message, sender=self.sender, tz=self.tz)
        if isinstance(mail, SendResult):
            return mail
        name = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:40] + ".eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: a reader never sees half a message.
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(mail.as_bytes())
            os.replace(temporary, self.folder / name)
        except OSError as exc:
            return SendResult.retry(f"{type(exc).__name__}: {exc}")
        return SendResult.sent(str(self.folder / name))


def _by_code(code: int, reply: Any) -> SendResult:
    """4xx: try again later; 5xx: the server refuses for good."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    detail = f"{code} {text}"
    if 400 <= code < 500:
        return SendResult.retry(detail, code)
    return SendResult.failed(detail, code)
