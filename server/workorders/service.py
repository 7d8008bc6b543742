"""Work orders: create, read, list, edit, comment, and move through the life cycle (the last
in `transitions.py`, re-exported here so other domains need only this module).

Every change bumps `version` and appends an event in the same transaction. `status` changes only
through `apply_transition`, which asks the pure table in `states.py`.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, Text, and_, bindparam, case, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session, selectinload

from server.actors import Actor
from server.auth.models import User
from server.customers import service as customers_service
from server.customers.models import Customer
from server.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from server.geo import BBox, in_bbox
from server.notify import service as notify_service
from server.queries import count_rows, one_page
from server.technicians import service as technicians_service
from server.technicians.models import Technician
from server.workorders import clocks, hooks, states
from server.workorders.models import (
    ON_THE_BOARD,
    Category,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderNumberCounter,
)
from server.workorders.timeline import get_work_order, record, record_change, visible
from server.workorders.transitions import TransitionInput, apply_transition, ops_in_timeline

EDITABLE = (
    "summary",
    "description",
    "priority",
    "type",
    "category_id",
    "required_skills",
    "duration_minutes",
    "appointment_start_at",
    "appointment_end_at",
)
SORTS = {
    "created_at": WorkOrder.created_at,
    # Ascending priority means the most urgent first.
    "priority": case(
        {"urgent": 0, "high": 1, "medium": 2, "low": 3}, value=WorkOrder.priority, else_=4
    ),
    "resolve_due_at": WorkOrder.resolve_due_at,
    "response_due_at": WorkOrder.response_due_at,
    "updated_at": WorkOrder.updated_at,
    "number": WorkOrder.number,
}
# Totals above this are reported as COUNT_CAP + 1, meaning "more than 10,000".
COUNT_CAP = 10_000
NUMBER = re.compile(r"wo-\d{6}-\d{4,7}")
MENTION = re.compile(r"@([\w.\-]+(?:@[\w.\-]+)?)", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    status: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    type: str | None = None
    category_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    sla_state: str | None = None
    asset_id: uuid.UUID | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    bbox: BBox | None = None
    q: str | None = None


# --- numbers and codes ----------------------------------------------------------------------


def next_number(session: Session, *, now: datetime, timezone: str) -> str:
    """WO-YYMMDD-NNNN by the organisation's calendar day. The counter row is locked until the
    transaction ends, so concurrent creations get distinct numbers; a rolled-back creation
    returns its number (gaps cannot happen, but nothing depends on that)."""
    day: date = now.astimezone(ZoneInfo(timezone)).date()
    last = session.execute(
        insert(WorkOrderNumberCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(
            index_elements=["day"], set_={"last": WorkOrderNumberCounter.last + 1}
        )
        .returning(WorkOrderNumberCounter.last)
    ).scalar_one()
    return f"WO-{day:%y%m%d}-{last:04d}"


def new_tracking_code() -> str:
    """16 URL-safe characters (96 bits) from the OS CSPRNG: not guessable, short enough to type."""
    return secrets.token_urlsafe(12)


# --- reading --------------------------------------------------------------------------------


def find_by_tracking_code(session: Session, *, code: str) -> WorkOrder | None:
    return session.scalar(select(WorkOrder).where(WorkOrder.tracking_code == code))


def find_by_number(session: Session, *, number: str) -> WorkOrder | None:
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number.upper()))


def list_work_orders(
    session: Session,
    *,
    actor: Actor,
    filters: Filters,
    sort: str = "-created_at",
    page: int,
    page_size: int,
) -> tuple[list[WorkOrder], int]:
    stmt = visible(select(WorkOrder), actor)
    f = filters
    conditions = []
    if f.status:
        conditions.append(WorkOrder.status.in_(f.status))
    if f.priority:
        conditions.append(WorkOrder.priority.in_(f.priority))
    for column, value in (
        (WorkOrder.type, f.type),
        (WorkOrder.assignee_id, f.assignee_id),
        (WorkOrder.customer_id, f.customer_id),
        (WorkOrder.site_id, f.site_id),
        (WorkOrder.sla_state, f.sla_state),
        (WorkOrder.asset_id, f.asset_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if f.category_id is not None:
        # A category filter includes its sub-categories (the tree is three levels deep).
        children = select(Category.id).where(Category.parent_id == f.category_id)
        grandchildren = select(Category.id).where(Category.parent_id.in_(children))
        conditions.append(
            or_(
                WorkOrder.category_id == f.category_id,
                WorkOrder.category_id.in_(children),
                WorkOrder.category_id.in_(grandchildren),
            )
        )
    if f.created_from is not None:
        conditions.append(WorkOrder.created_at >= f.created_from)
    if f.created_to is not None:
        conditions.append(WorkOrder.created_at < f.created_to)
    if f.bbox is not None:
        conditions.append(in_bbox(WorkOrder.location, f.bbox))
    if f.q:
        conditions.extend(text_search(f.q))
    if conditions:
        stmt = stmt.where(and_(*conditions))
    total = count_rows(session, stmt, cap=COUNT_CAP)
    descending = sort.startswith("-")
    column = SORTS[sort.lstrip("-")]
    order = column.desc() if descending else column.asc()
    rows = session.scalars(
        one_page(stmt.order_by(order, WorkOrder.id.desc()), page=page, page_size=page_size)
    ).all()
    return list(rows), total


def text_search(q: str) -> list[ColumnElement[bool]]:
    """Substring match in number, summary and description, in any language. Every character
    bigram of the query must be in the row's indexed bigrams (fast, GIN); the substring check
    then confirms (strpos, which no index claims, so the planner keeps the bigram plan)."""
    needle = q.strip().lower()
    if NUMBER.fullmatch(needle):
        # Someone pasted a number: the unique index answers at once.
        return [WorkOrder.number == needle.upper()]
    conditions: list[ColumnElement[bool]] = [func.strpos(WorkOrder.search_text, needle) > 0]
    if len(needle) >= 2:
        bigrams = func.fieldline_bigrams(needle, type_=ARRAY(Text))
        conditions.append(WorkOrder.search_bigrams.contains(bigrams))
    return conditions


# --- an engineer's jobs, as the engineer app's sync asks for them ---------------------------

# Built once: a phone's sync runs these with its own parameters (`me`, `mine` = str(me),
# `since`), and most syncs run nothing else.
_PAYLOAD = WorkOrderEvent.payload
_MINE = bindparam("mine", type_=String)
# The orders whose timeline says they left me since `since`: reassigned or unassigned
# (transitions), declined, or taken back by the SLA clock (clocks).
_MOVED_AWAY = select(WorkOrderEvent.work_order_id).where(
    WorkOrderEvent.at >= bindparam("since"),
    or_(
        _PAYLOAD["previous_technician_id"].astext == _MINE,
        _PAYLOAD["unassigned_technician_id"].astext == _MINE,
        (WorkOrderEvent.action.in_(("unassign", "decline")))
        & (_PAYLOAD["technician_id"].astext == _MINE),
    ),
)
# Whether one of my orders changed, or one was moved away from me, since `since`: an index
# probe on (assignee_id, updated_at) and a short range of the events' time index.
_ANYTHING_SINCE = select(
    or_(
        select(WorkOrder.id)
        .where(WorkOrder.assignee_id == bindparam("me"), WorkOrder.updated_at >= bindparam("since"))
        .exists(),
        _MOVED_AWAY.exists(),
    )
)
_TAKEN_AWAY = select(WorkOrder.id).where(
    WorkOrder.id.in_(_MOVED_AWAY),
    or_(WorkOrder.assignee_id.is_(None), WorkOrder.assignee_id != bindparam("me")),
)


def list_assigned(
    session: Session,
    *,
    technician_id: uuid.UUID,
    statuses: Collection[str] | None = None,
    updated_since: datetime | None = None,
) -> list[WorkOrder]:
    """The engineer's orders (in these statuses, changed since a moment), by schedule."""
    stmt = select(WorkOrder).where(WorkOrder.assignee_id == technician_id)
    if statuses is not None:
        stmt = stmt.where(WorkOrder.status.in_(statuses))
    if updated_since is not None:
        stmt = stmt.where(WorkOrder.updated_at >= updated_since)
    # What a job list shows of its customer and engineer: not the customer's contacts, nor the
    # engineer's skills (two queries a page need not make). Built here, not at import: loader
    # options configure the mappers, and not every domain's models are imported yet then.
    shown = (
        selectinload(WorkOrder.customer).lazyload(Customer.contacts),
        selectinload(WorkOrder.assignee).lazyload(Technician.skills),
    )
    stmt = stmt.order_by(WorkOrder.scheduled_start_at, WorkOrder.id).options(*shown)
    return list(session.scalars(stmt))


def changed_for_technician(session: Session, *, technician_id: uuid.UUID, since: datetime) -> bool:
    """Whether one of the engineer's orders changed, or one was taken from them, since `since`
    (one statement)."""
    params = {"me": technician_id, "mine": str(technician_id), "since": since}
    return bool(session.execute(_ANYTHING_SINCE, params).scalar())


def taken_from_technician(
    session: Session, *, technician_id: uuid.UUID, since: datetime
) -> list[uuid.UUID]:
    """Orders moved away from the engineer since `since` that are no longer theirs."""
    params = {"me": technician_id, "mine": str(technician_id), "since": since}
    return list(session.scalars(_TAKEN_AWAY, params))


def category_exists(session: Session, *, category_id: uuid.UUID) -> bool:
    category = session.get(Category, category_id)
    return category is not None and category.active


def recent_on_assets(
    session: Session, *, asset_ids: list[uuid.UUID], per_asset: int = 5
) -> list[dict[str, Any]]:
    """The last `per_asset` orders on each asset (newest first), as small dicts, in one query."""
    ranked = select(
        WorkOrder.asset_id,
        WorkOrder.id,
        WorkOrder.number,
        WorkOrder.type,
        WorkOrder.status,
        WorkOrder.summary,
        WorkOrder.resolution,
        WorkOrder.created_at,
        WorkOrder.closed_at,
        func.row_number()
        .over(partition_by=WorkOrder.asset_id, order_by=WorkOrder.created_at.desc())
        .label("n"),
    ).where(WorkOrder.asset_id.in_(asset_ids))
    inner = ranked.subquery()
    rows = session.execute(
        select(inner).where(inner.c.n <= per_asset).order_by(inner.c.asset_id, inner.c.n)
    ).mappings()
    return [
        {
            "asset_id": row["asset_id"],
            "id": str(row["id"]),
            "number": row["number"],
            "type": row["type"],
            "status": row["status"],
            "summary": row["summary"],
            "resolution": row["resolution"],
            "created_at": row["created_at"].isoformat(),
            "closed_at": row["closed_at"].isoformat() if row["closed_at"] else None,
        }
        for row in rows
    ]


def allowed_actions_for(order: WorkOrder, actor: Actor) -> list[str]:
    is_assignee = actor.technician_id is not None and actor.technician_id == order.assignee_id
    return states.allowed_actions(order.status, role=actor.role, is_assignee=is_assignee)


def present(order: WorkOrder, actor: Actor) -> WorkOrder:
    """Attach what the response needs besides columns (allowed actions for this caller)."""
    order.allowed_actions = allowed_actions_for(order, actor)  # type: ignore[attr-defined]
    return order


# --- writing --------------------------------------------------------------------------------


def _check_references(session: Session, values: dict[str, Any]) -> None:
    errors: dict[str, Any] = {}
    category_id = values.get("category_id")
    if category_id is not None and not category_exists(session, category_id=category_id):
        errors["category_id"] = ["unknown_category"]
    skills = values.get("required_skills") or []
    if skills:
        known = {s.code for s in technicians_service.list_skills(session, page=1, page_size=500)[0]}
        unknown = {
            i: {"code": ["unknown_skill"]} for i, s in enumerate(skills) if s["code"] not in known
        }
        if unknown:
            errors["required_skills"] = unknown
    start, end = values.get("appointment_start_at"), values.get("appointment_end_at")
    if (start is None) != (end is None):
        errors["appointment_end_at" if start else "appointment_start_at"] = [
            "appointment_incomplete"
        ]
    elif start is not None and end <= start:
        errors["appointment_end_at"] = ["appointment_end_before_start"]
    if errors:
        raise ValidationFailed(errors)


def create_work_order(
    session: Session,
    *,
    actor: Actor,
    customer_id: uuid.UUID,
    summary: str,
    now: datetime,
    timezone: str,
    channel: str = "phone",
    site_id: uuid.UUID | None = None,
    description: str | None = None,
    type: str = "repair",
    priority: str = "medium",
    category_id: uuid.UUID | None = None,
    required_skills: list[dict[str, Any]] | None = None,
    duration_minutes: int = 60,
    appointment_start_at: datetime | None = None,
    appointment_end_at: datetime | None = None,
    triage: dict[str, Any] | None = None,
    response_due_at: datetime | None = None,
    resolve_due_at: datetime | None = None,
    asset_id: uuid.UUID | None = None,
) -> WorkOrder:
    try:
        customer = customers_service.get_customer(session, customer_id=customer_id)
    except NotFound as exc:
        raise ValidationFailed({"customer_id": ["unknown_customer"]}) from exc
    if not customer.active:
        raise ValidationFailed({"customer_id": ["customer_inactive"]})
    if asset_id is not None:
        # The asset's domain checks it and may fill in the site it stands at.
        where = {"customer_id": customer.id, "site_id": site_id, "asset_id": asset_id}
        hooks.run_before_create(session, values=where)
        site_id = where["site_id"]
    location = None
    if site_id is not None:
        try:
            site = customers_service.get_site(session, site_id=site_id)
        except NotFound as exc:
            raise ValidationFailed({"site_id": ["unknown_site"]}) from exc
        if site.customer_id != customer.id:
            raise ValidationFailed({"site_id": ["site_of_other_customer"]})
        location = site.location
    values = {
        "category_id": category_id,
        "required_skills": required_skills or [],
        "appointment_start_at": appointment_start_at,
        "appointment_end_at": appointment_end_at,
    }
    _check_references(session, values)
    order = WorkOrder(
        id=uuid.uuid4(),
        tracking_code=new_tracking_code(),
        channel=channel,
        type=type,
        priority=priority,
        status=states.Status.NEW.value,
        customer_id=customer.id,
        site_id=site_id,
        location=location,
        summary=summary.strip(),
        description=description,
        duration_minutes=duration_minutes,
        triage=triage or {},
        created_by_id=actor.user_id,
        version=1,
        response_due_at=response_due_at,
        resolve_due_at=resolve_due_at,
        asset_id=asset_id,
        sla_state="ok",
        created_at=now,
        updated_at=now,
        **values,
    )
    # Last, so the counter row is locked for as short a time as possible.
    order.number = next_number(session, now=now, timezone=timezone)
    session.add(order)
    session.flush()  # the events' foreign key needs the row
    if response_due_at is None and resolve_due_at is None:
        clocks.start(session, order, tier=customer.tier, now=now)
    record(
        session,
        order,
        actor=actor,
        action="create",
        to_status=order.status,
        payload={"channel": channel, "number": order.number},
        public=True,
        now=now,
    )
    hooks.run_after_create(session, order, now=now, timezone=timezone)
    return order


def update_work_order(
    session: Session,
    *,
    work_order_id: uuid.UUID,
    actor: Actor,
    expected_version: int,
    changes: dict[str, Any],
    now: datetime,
) -> WorkOrder:
    """Edit fields of an open order; `expected_version` is the If-Match the caller read."""
    if actor.role not in {"admin", "dispatcher", "agent"}:
        raise Forbidden()
    order = get_work_order(session, work_order_id=work_order_id, actor=actor, lock=True)
    if order.version != expected_version:
        raise VersionConflict(extra={"current_version": order.version})
    if not states.is_open(order.status) or order.status == states.Status.COMPLETED:
        raise Conflict("not_editable")
    merged = {key: changes.get(key, getattr(order, key)) for key in EDITABLE}
    _check_references(session, merged)
    diff = {}
    for key in EDITABLE:
        if key in changes and changes[key] != getattr(order, key):
            diff[key] = {"from": _jsonable(getattr(order, key)), "to": _jsonable(changes[key])}
            setattr(order, key, changes[key])
    if not diff:
        return order
    if "priority" in diff:
        # A new priority is a new promise, counted from when the order came in.
        clocks.start(session, order, tier=order.customer.tier, now=now)
    record_change(session, order, actor=actor, action="update", payload={"changes": diff}, now=now)
    return order


def record_resolution(
    session: Session, *, work_order_id: uuid.UUID, actor: Actor, resolution: str, now: datetime
) -> WorkOrder:
    """The engineer's account of the work, written before completing (offline, in pieces)."""
    order = get_work_order(session, work_order_id=work_order_id, actor=actor, lock=True)
    if actor.role == "technician" and order.assignee_id != actor.technician_id:
        raise Forbidden()
    if order.status not in ("in_progress", "on_hold", "completed"):
        raise Conflict("not_editable")
    text = resolution.strip()
    if not text:
        raise ValidationFailed({"resolution": ["required"]})
    order.resolution = text[:10000]
    record_change(
        session, order, actor=actor, action="resolution", payload={"resolution": text}, now=now
    )
    return order


# Who may pin a job to its engineer (the people who plan the day and those who oversee them).
PINNERS = frozenset({"admin", "dispatcher", "manager"})


def set_pinned(
    session: Session,
    *,
    work_order_id: uuid.UUID,
    actor: Actor,
    pinned: bool,
    expected_version: int | None = None,
    now: datetime,
) -> WorkOrder:
    """Pin an assigned job to its engineer (optimizer runs plan around it) or release it.
    Asking for the state the order is already in changes nothing."""
    if actor.role not in PINNERS:
        raise Forbidden()
    order = get_work_order(session, work_order_id=work_order_id, actor=actor, lock=True)
    if expected_version is not None and order.version != expected_version:
        raise VersionConflict(extra={"current_version": order.version})
    if order.pinned == pinned:
        return order
    if pinned:
        # A pin lives while the job is on the board with an engineer (transitions clear it).
        if order.status not in ON_THE_BOARD:
            raise Conflict("not_editable")
        if order.assignee_id is None:
            raise Conflict("pin_needs_assignee")
    order.pinned = pinned
    record_change(
        session,
        order,
        actor=actor,
        action="pin" if pinned else "unpin",
        payload={"technician_id": str(order.assignee_id) if order.assignee_id else None},
        now=now,
    )
    return order


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def list_events(
    session: Session, *, work_order_id: uuid.UUID, actor: Actor, public_only: bool = False
) -> list[WorkOrderEvent]:
    if actor.kind != "customer":
        get_work_order(session, work_order_id=work_order_id, actor=actor)
    stmt = select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order_id)
    if public_only:
        stmt = stmt.where(WorkOrderEvent.public.is_(True))
    return list(session.scalars(stmt.order_by(WorkOrderEvent.id)))


def add_comment(
    session: Session,
    *,
    work_order_id: uuid.UUID,
    actor: Actor,
    body: str,
    public: bool,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> WorkOrderEvent:
    """A note on the timeline; `@email` or `@name` mentions notify those staff users."""
    if actor.role == "warehouse":
        raise Forbidden()
    order = get_work_order(session, work_order_id=work_order_id, actor=actor, lock=True)
    # Only staff mention staff: a customer's email must not page people by name.
    mentioned = _mentioned_users(session, body) if actor.kind == "user" else []
    event = record_change(
        session,
        order,
        actor=actor,
        action="comment",
        payload={"body": body, "mentions": [str(u.id) for u in mentioned], **(extra or {})},
        public=public,
        now=now,
    )
    session.flush()  # the event id names the notifications
    for user in mentioned:
        notify_service.enqueue(
            session,
            channel="in_app",
            recipient=str(user.id),
            recipient_user_id=user.id,
            template="comment_mention",
            idempotency_key=f"mention:{event.id}:{user.id}",
            locale=user.locale or "zh-CN",
            payload={"number": order.number, "body": body[:500], "by": actor.name},
            work_order_id=order.id,
        )
    return event


def _mentioned_users(session: Session, body: str) -> list[User]:
    handles = {m.group(1).lower() for m in MENTION.finditer(body)}
    if not handles:
        return []
    users = session.scalars(
        select(User).where(
            User.active.is_(True),
            or_(func.lower(User.email).in_(handles), func.lower(User.name).in_(handles)),
        )
    ).all()
    return sorted(users, key=lambda u: u.email)


__all__ = [
    "Filters",
    "TransitionInput",
    "add_comment",
    "allowed_actions_for",
    "apply_transition",
    "changed_for_technician",
    "create_work_order",
    "find_by_number",
    "find_by_tracking_code",
    "get_work_order",
    "list_assigned",
    "list_events",
    "list_work_orders",
    "next_number",
    "ops_in_timeline",
    "present",
    "set_pinned",
    "taken_from_technician",
    "update_work_order",
]
