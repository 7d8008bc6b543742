"""Inbound email, parsed: who sent it, what it says (HTML reduced to text safely), which work
order it answers, and its attachments. Standard library only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from html import unescape
from html.parser import HTMLParser

NUMBER = re.compile(r"\bWO-\d{6}-\d{4,7}\b", re.IGNORECASE)
# Message ids of our own mail name the order: <wo-261123-0001.<random>@fieldline>.
OUR_MESSAGE_ID = re.compile(r"<(wo-\d{6}-\d{4,7})\.[^@>]*@fieldline>", re.IGNORECASE)
MAX_TEXT = 20_000


@dataclass(frozen=True)
class MailAttachment:
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    from_address: str
    from_name: str | None
    subject: str
    text: str
    message_id: str | None
    answers_number: str | None
    attachments: tuple[MailAttachment, ...] = field(default=())


class _TextExtractor(HTMLParser):
    """Visible text of an HTML body: scripts, styles and markup dropped, blocks as lines."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table"})
    HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = unescape("".join(parser.parts))
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _strip_quoted_reply(text: str) -> str:
    """Keep what the sender wrote, not the quoted history below it."""
    kept = []
    for line in text.splitlines():
        if line.startswith(">") or re.match(r"^(On .+ wrote:|在.+写道：?)$", line.strip()):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def parse_mail(raw: bytes) -> ParsedMail:
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[assignment]
    name, address = parseaddr(str(message.get("From", "")))
    subject = str(message.get("Subject", "")).strip()
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    if plain is not None:
        text = plain.get_content()
    elif html is not None:
        text = html_to_text(html.get_content())
    else:
        text = ""
    in_reply_to = " ".join(str(message.get(h, "")) for h in ("In-Reply-To", "References"))
    answers = None
    found = NUMBER.search(subject) or OUR_MESSAGE_ID.search(in_reply_to)
    if found:
        answers = (found.group(1) if found.re is OUR_MESSAGE_ID else found.group(0)).upper()
    if answers:
        text = _strip_quoted_reply(text)
    attachments = tuple(
        MailAttachment(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
        for part in message.iter_attachments()
        if part.get_payload(decode=True)
    )
    return ParsedMail(
        from_address=address.strip().lower(),
        from_name=name.strip() or None,
        subject=subject,
        text=text.strip()[:MAX_TEXT],
        message_id=str(message.get("Message-ID", "")).strip() or None,
        answers_number=answers,
        attachments=attachments,
    )
