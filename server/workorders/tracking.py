"""The customer's view of their work order, reached by its tracking code (no account needed):
status, engineer, ETA, the public timeline; confirm or reject a completed job; rate it once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import actors
from server.actors import Actor
from server.errors import Conflict, NotFound
from server.storage import BlobStore, sha256_hex
from server.workorders import attachments, states
from server.workorders.clocks import promised_eta
from server.workorders.models import Attachment, WorkOrder, WorkOrderEvent, WorkOrderRating
from server.workorders.transitions import TransitionInput, apply_transition

# What the customer sees as steps (on_hold shows as in progress: the reason is internal).
STEPS = ("new", "assigned", "en_route", "in_progress", "completed", "closed")
STEP_OF = {
    "new": "new",
    "assigned": "assigned",
    "accepted": "assigned",
    "en_route": "en_route",
    "in_progress": "in_progress",
    "on_hold": "in_progress",
    "completed": "completed",
    "closed": "closed",
    "cancelled": "cancelled",
}

# Photos a customer may add to their own request: a few, small (the request form sends a
# JPEG of at most 1600 px, well under the cap), while the order is still open.
CUSTOMER_PHOTOS_MAX = 5
CUSTOMER_PHOTO_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class PublicEvent:
    action: str
    to_status: str | None
    at: datetime
    comment: str | None = None


@dataclass(frozen=True)
class TrackingView:
    number: str
    status: str
    step: str
    steps: tuple[str, ...]
    summary: str
    created_at: datetime
    engineer_name: str | None
    eta_at: datetime | None
    response_due_at: datetime | None
    resolve_due_at: datetime | None
    can_confirm: bool
    can_reject: bool
    can_rate: bool
    rating: dict[str, Any] | None
    timeline: list[PublicEvent] = field(default_factory=list)
    # Public photos and documents, by the URL a customer may fetch them from.
    attachments: list[dict[str, Any]] = field(default_factory=list)


def display_name(full_name: str) -> str:
    """What a customer sees of the engineer: 王伟 -> 王师傅; Alex Chen -> Alex."""
    name = full_name.strip()
    if name and "\u4e00" <= name[0] <= "\u9fff":
        return f"{name[0]}师傅"
    return name.split()[0] if name else ""


def _order(session: Session, code: str, *, lock: bool = False) -> WorkOrder:
    stmt = select(WorkOrder).where(WorkOrder.tracking_code == code)
    if lock:
        stmt = stmt.with_for_update()
    order = session.scalar(stmt)
    if order is None:
        raise NotFound()
    return order


def get_tracking(session: Session, *, code: str) -> TrackingView:
    order = _order(session, code)
    events = session.scalars(
        select(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.public.is_(True))
        .order_by(WorkOrderEvent.id)
    ).all()
    rating = session.get(WorkOrderRating, order.id)
    shared = session.scalars(
        select(Attachment)
        .where(Attachment.work_order_id == order.id, Attachment.public.is_(True))
        .order_by(Attachment.created_at, Attachment.id)
    ).all()
    return TrackingView(
        number=order.number,
        status=order.status,
        step=STEP_OF[order.status],
        steps=STEPS,
        summary=order.summary,
        created_at=order.created_at,
        engineer_name=display_name(order.assignee.user.name) if order.assignee else None,
        eta_at=promised_eta(order),
        response_due_at=order.response_due_at,
        resolve_due_at=order.resolve_due_at,
        can_confirm=order.status == states.Status.COMPLETED,
        can_reject=order.status == states.Status.COMPLETED,
        can_rate=order.status == states.Status.CLOSED and rating is None,
        rating=None if rating is None else {"score": rating.score, "comment": rating.comment},
        timeline=[
            PublicEvent(
                action=e.action,
                to_status=STEP_OF.get(e.to_status or ""),
                at=e.at,
                comment=e.payload.get("body") if e.action == "comment" else None,
            )
            for e in events
        ],
        attachments=[public_attachment(code, a) for a in shared],
    )


def public_attachment(code: str, attachment: Attachment) -> dict[str, Any]:
    """An attachment as the holder of the tracking code sees it: the display copy's URL."""
    return {
        "id": attachment.id,
        "kind": attachment.kind,
        "filename": attachment.filename,
        "mime": "image/jpeg" if attachment.display_sha256 else attachment.mime,
        "url": f"/api/v1/track/{code}/attachments/{attachment.id}",
        "created_at": attachment.created_at,
    }


def customer_actor(session: Session, *, code: str) -> tuple[WorkOrder, Actor]:
    """The holder of a tracking code, acting as that order's customer."""
    order = _order(session, code)
    return order, actors.customer(order.id)


def confirm(session: Session, *, code: str, now: datetime, timezone: str) -> TrackingView:
    order = _order(session, code)
    apply_transition(
        session,
        work_order_id=order.id,
        actor=actors.customer(order.id),
        change=TransitionInput(action=states.Action.CUSTOMER_CONFIRM.value),
        now=now,
        timezone=timezone,
    )
    return get_tracking(session, code=code)


def reject(
    session: Session, *, code: str, reason: str, now: datetime, timezone: str
) -> TrackingView:
    order = _order(session, code)
    apply_transition(
        session,
        work_order_id=order.id,
        actor=actors.customer(order.id),
        change=TransitionInput(action=states.Action.CUSTOMER_REJECT.value, reason=reason),
        now=now,
        timezone=timezone,
    )
    return get_tracking(session, code=code)


def rate(
    session: Session, *, code: str, score: int, now: datetime, comment: str | None = None
) -> TrackingView:
    """Once, after the job is closed."""
    order = _order(session, code, lock=True)
    if order.status != states.Status.CLOSED:
        raise Conflict("rating_not_open")
    if session.get(WorkOrderRating, order.id) is not None:
        raise Conflict("already_rated")
    session.add(WorkOrderRating(work_order_id=order.id, score=score, comment=comment, at=now))
    session.add(
        WorkOrderEvent(
            work_order_id=order.id,
            actor_kind="customer",
            action="rating",
            payload={"score": score, "comment": comment},
            public=False,
            version=order.version,
            at=now,
        )
    )
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("already_rated") from exc
    return get_tracking(session, code=code)


def add_customer_photo(
    session: Session,
    *,
    code: str,
    store: BlobStore,
    data: bytes,
    filename: str,
    limits: attachments.Limits,
    now: datetime,
) -> tuple[Attachment, bool]:
    """A photo the customer adds to their own open request (the request form sends it right
    after intake, with the code it got back): images only, checked by content like every
    upload, shared back on the tracking page without metadata. The attachment and whether it
    is new; the same bytes again (a retried upload) are the same attachment."""
    order = _order(session, code, lock=True)
    if not states.is_open(order.status):
        raise Conflict("photos_closed")
    from_customer = (Attachment.work_order_id == order.id, Attachment.uploaded_by_id.is_(None))
    count = session.scalar(select(func.count()).select_from(Attachment).where(*from_customer))
    if (count or 0) >= CUSTOMER_PHOTOS_MAX:
        repeat = session.scalar(
            select(Attachment.id).where(*from_customer, Attachment.sha256 == sha256_hex(data))
        )
        if repeat is None:
            raise Conflict(
                "photo_limit_reached",
                max_photos=CUSTOMER_PHOTOS_MAX,
                extra={"max_photos": CUSTOMER_PHOTOS_MAX},
            )
    return attachments.add_attachment(
        session,
        store=store,
        work_order_id=order.id,
        actor=actors.customer(order.id, name=order.customer.name),
        data=data,
        filename=filename,
        kind="photo",
        public=True,
        limits=attachments.Limits(
            min(limits.max_bytes, CUSTOMER_PHOTO_MAX_BYTES), limits.max_pixels
        ),
        now=now,
    )
