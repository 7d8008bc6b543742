"""Photos, signatures and documents on a work order.

Bytes are checked by content (`uploads.inspect`) before anything is stored; a refused file
leaves neither a blob nor a row. Originals (with EXIF) are served only to those who may see the
work order; customers get the display copy of public attachments, which has no metadata.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.actors import Actor
from server.errors import Forbidden, NotFound
from server.geo import to_geography
from server.storage import BlobStore, sha256_hex
from server.workorders import uploads
from server.workorders.models import Attachment, WorkOrder
from server.workorders.timeline import get_work_order, record_change

# Warehouse staff read work orders for parts; they do not add to them.
UPLOADERS = frozenset({"admin", "dispatcher", "agent", "manager", "technician"})


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int


def add_attachment(
    session: Session,
    *,
    store: BlobStore,
    work_order_id: uuid.UUID,
    actor: Actor,
    data: bytes,
    filename: str,
    kind: str | None,
    public: bool,
    limits: Limits,
    now: datetime,
) -> tuple[Attachment, bool]:
    """The attachment and whether it is new (the same bytes again on one order are one)."""
    if actor.kind == "user" and actor.role not in UPLOADERS:
        raise Forbidden()
    order = get_work_order(session, work_order_id=work_order_id, actor=actor, lock=True)
    existing = session.scalar(
        select(Attachment).where(
            Attachment.work_order_id == order.id,
            Attachment.sha256 == sha256_hex(data),
        )
    )
    if existing is not None:
        return existing, False
    facts = uploads.inspect(
        data,
        filename=filename,
        kind=kind,
        max_bytes=limits.max_bytes,
        max_pixels=limits.max_pixels,
    )
    attachment = store_checked(
        session,
        store=store,
        order=order,
        actor=actor,
        data=data,
        facts=facts,
        filename=filename,
        public=public,
        now=now,
    )
    return attachment, True


def store_checked(
    session: Session,
    *,
    store: BlobStore,
    order: WorkOrder,
    actor: Actor,
    data: bytes,
    facts: uploads.Inspected,
    filename: str,
    public: bool,
    now: datetime,
) -> Attachment:
    """Blobs first (content-addressed, so a rolled-back request leaves only harmless bytes),
    then the row and its timeline event in the caller's transaction."""
    thumbnail = display = None
    if facts.width is not None:
        thumb_bytes, display_bytes = uploads.derived_copies(data)
        thumbnail, display = store.put(thumb_bytes), store.put(display_bytes)
    sha = store.put(data)
    location = (
        to_geography(facts.lat, facts.lon)
        if facts.lat is not None and facts.lon is not None
        else None
    )
    attachment = Attachment(
        work_order_id=order.id,
        kind=facts.kind,
        filename=_safe_name(filename, facts.mime),
        mime=facts.mime,
        size=facts.size,
        sha256=sha,
        thumbnail_sha256=thumbnail,
        display_sha256=display,
        width=facts.width,
        height=facts.height,
        taken_at=facts.taken_at,
        taken_location=location,
        public=public,
        uploaded_by_id=actor.user_id,
        uploaded_by_name=actor.name or "",
        created_at=now,
        updated_at=now,
    )
    session.add(attachment)
    session.flush()
    record_change(
        session,
        order,
        actor=actor,
        action="attachment",
        payload={
            "attachment_id": str(attachment.id),
            "kind": attachment.kind,
            "filename": attachment.filename,
        },
        public=public,
        now=now,
    )
    return attachment


def _safe_name(filename: str, mime: str) -> str:
    """The last path segment, printable, at most 200 characters; a default when empty."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')
    name = name.strip(" .")[:200]
    if name:
        return name
    return {"application/pdf": "document.pdf"}.get(mime, "photo." + mime.rsplit("/", 1)[-1])


def list_attachments(
    session: Session, *, work_order_id: uuid.UUID, actor: Actor
) -> list[Attachment]:
    order = get_work_order(session, work_order_id=work_order_id, actor=actor)
    stmt = select(Attachment).where(Attachment.work_order_id == order.id)
    if actor.kind == "customer":
        stmt = stmt.where(Attachment.public.is_(True))
    return list(session.scalars(stmt.order_by(Attachment.created_at, Attachment.id)))


VARIANTS = ("original", "thumbnail", "display")


def attachment_content(
    session: Session,
    *,
    store: BlobStore,
    work_order_id: uuid.UUID,
    attachment_id: uuid.UUID,
    variant: str,
    actor: Actor,
) -> tuple[Attachment, bytes, str]:
    """The bytes and their type. Customers see public attachments only, and never an original
    photo (its EXIF may say where the engineer's phone was)."""
    order = get_work_order(session, work_order_id=work_order_id, actor=actor)
    attachment = session.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.work_order_id == order.id
        )
    )
    if attachment is None or (actor.kind == "customer" and not attachment.public):
        raise NotFound()
    if attachment.width is None:
        # A document has no derived copies: every variant is the file itself.
        variant = "original"
    elif actor.kind == "customer" and variant == "original":
        variant = "display"
    sha, mime = {
        "original": (attachment.sha256, attachment.mime),
        "thumbnail": (attachment.thumbnail_sha256, "image/jpeg"),
        "display": (attachment.display_sha256, "image/jpeg"),
    }[variant]
    data = store.get(sha) if sha is not None else None
    if data is None:
        raise NotFound()
    return attachment, data, mime
