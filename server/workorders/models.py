"""Work orders, their append-only timeline, the category tree, and the daily number counter."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.customers.models import Customer, Site
from server.db import Base, Timestamps, UuidPk, one_of, utcnow
from server.technicians.models import Technician

CHANNELS = ("web", "api", "email", "iot", "phone", "maintenance")
TYPES = ("repair", "install", "maintenance", "inspection", "consultation")
PRIORITIES = ("urgent", "high", "medium", "low")
STATUSES = (
    "new",
    "assigned",
    "accepted",
    "en_route",
    "in_progress",
    "on_hold",
    "completed",
    "closed",
    "cancelled",
)
SLA_STATES = ("ok", "at_risk", "breached")
# Statuses a dispatcher's board shows (work still to be done in the field).
ON_THE_BOARD = ("new", "assigned", "accepted", "en_route", "in_progress", "on_hold")
ATTACHMENT_KINDS = ("photo", "signature", "document")


class Category(UuidPk, Timestamps, Base):
    """A node of the 3-level category tree (e.g. HVAC > Air conditioning > Not cooling)."""

    __tablename__ = "categories"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),)

    code: Mapped[str] = mapped_column(String(64), unique=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default="true")


class WorkOrder(UuidPk, Timestamps, Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel_known"),
        CheckConstraint(one_of("type", TYPES), name="type_known"),
        CheckConstraint(one_of("priority", PRIORITIES), name="priority_known"),
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        CheckConstraint(one_of("sla_state", SLA_STATES), name="sla_state_known"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 1440", name="duration_range"),
        CheckConstraint(
            "appointment_start_at IS NULL OR appointment_end_at > appointment_start_at",
            name="appointment_ordered",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        # The board's queue and most list filters: open work by status, newest first.
        Index("ix_work_orders_status_created", "status", text("created_at DESC")),
        Index("ix_work_orders_assignee_status", "assignee_id", "status"),
        # The engineer app's delta sync: "did any of my orders change since the cursor?", one
        # short range however long the engineer's history.
        Index("ix_work_orders_assignee_updated", "assignee_id", "updated_at"),
        Index("ix_work_orders_customer_created", "customer_id", text("created_at DESC")),
        Index("ix_work_orders_created", text("created_at DESC")),
        # Free text in Chinese and English. Chinese words are mostly two characters, which
        # trigrams cannot index; character bigrams can (see migration 0004's function).
        Index("ix_work_orders_search_bigrams", "search_bigrams", postgresql_using="gin"),
        # The board: open jobs in a map window, compared as geometry (see geo.in_bbox), so the
        # index is on that expression. Closed history (most rows) stays out of it.
        Index(
            "ix_work_orders_open_geometry",
            text("(CAST(location AS geometry(GEOMETRY,4326)))"),
            postgresql_using="gist",
            postgresql_where=text(f"status IN ({', '.join(repr(s) for s in ON_THE_BOARD)})"),
        ),
        Index(
            "ix_work_orders_sla_next_check",
            "sla_next_check_at",
            postgresql_where=text("sla_next_check_at IS NOT NULL"),
        ),
    )

    number: Mapped[str] = mapped_column(String(20), unique=True)
    tracking_code: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    category_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("categories.id"), index=True)
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sites.id"), index=True)
    # A copy of the site's point, so the board's bounding-box query needs no join.
    location: Mapped[Any | None] = mapped_column(Geography("POINT", srid=4326), nullable=True)
    summary: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # What free-text search looks in, and its lower-cased character bigrams (GIN-indexed),
    # both kept by PostgreSQL itself.
    search_text: Mapped[str] = mapped_column(
        Text,
        Computed(
            "lower(number || ' ' || summary || ' ' || coalesce(description, ''))", persisted=True
        ),
    )
    search_bigrams: Mapped[list[str]] = mapped_column(
        ARRAY(Text),
        Computed(
            "fieldline_bigrams(number || ' ' || summary || ' ' || coalesce(description, ''))",
            persisted=True,
        ),
    )
    # [{"code": "hvac", "level": 3}, ...]
    required_skills: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    appointment_start_at: Mapped[datetime | None]
    appointment_end_at: Mapped[datetime | None]
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("technicians.id"))
    scheduled_start_at: Mapped[datetime | None]
    eta_at: Mapped[datetime | None]
    response_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    sla_state: Mapped[str] = mapped_column(String(10), default="ok", server_default="ok")
    # The targets this order's clocks run to, copied from its policy when the clocks start
    # (a later edit of the policy does not move promises already made):
    # {"policy_id", "calendar_id", "response_minutes", "resolve_minutes"}.
    sla_terms: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Periods on hold waiting for the customer: [[start, end or null], ...] (ISO 8601).
    sla_pauses: Mapped[list[list[str | None]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    # When a clock next crosses a threshold (warning or breach); the periodic check reads it.
    sla_next_check_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    resolution: Mapped[str | None] = mapped_column(Text)
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    signer_name: Mapped[str | None] = mapped_column(String(120))
    # Which triage rules fired and what they set: the answer to "why is this urgent?".
    triage: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    duplicate_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("work_orders.id"), index=True
    )
    waiting_for_parts: Mapped[bool] = mapped_column(default=False, server_default="false")
    # The dispatcher holds this job to its engineer: optimizer runs plan around it, never move
    # it. Cleared with the assignee (unassign, decline) and when the order is cancelled.
    pinned: Mapped[bool] = mapped_column(default=False, server_default="false")
    # The machine the job is about (see server/assets), and whether the customer pays: work on
    # equipment under warranty is not billable.
    asset_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("assets.id"), index=True)
    billable: Mapped[bool] = mapped_column(default=True, server_default="true")
    # The job whose checklist found the fault this one is to fix.
    follow_up_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("work_orders.id"), index=True
    )
    # Where a machine-made request came from (e.g. "iot:<asset serial>"), for deduplication.
    source_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # Loaded in one extra query per page of results, never per row.
    customer: Mapped[Customer] = relationship(lazy="selectin")
    site: Mapped[Site | None] = relationship(lazy="selectin")
    category: Mapped[Category | None] = relationship(lazy="selectin")
    assignee: Mapped[Technician | None] = relationship(lazy="selectin")
    duplicate_of: Mapped[WorkOrder | None] = relationship(
        remote_side="WorkOrder.id", lazy="selectin", foreign_keys=[duplicate_of_id]
    )
    # Defined in server/assets (looked up by name, so work orders import nothing from there).
    asset: Mapped[Any | None] = relationship("Asset", lazy="selectin", viewonly=True)


class WorkOrderEvent(Base):
    """The append-only timeline and audit trail (a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "work_order_events"
    __table_args__ = (
        Index("ix_work_order_events_order_at", "work_order_id", "id"),
        # The engineer app's sync looks for jobs moved away from someone since a moment.
        Index("ix_work_order_events_at", "at"),
        # A connected system's retry of a request that joined an open order finds it here.
        Index(
            "ix_work_order_events_source_ref",
            text("(payload ->> 'source_ref')"),
            postgresql_where=text("action = 'duplicate_request'"),
        ),
        # A client's op id is applied at most once, across every work order.
        Index(
            "uq_work_order_events_op_id",
            "op_id",
            unique=True,
            postgresql_where=text("op_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    work_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_orders.id"))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # user | customer | system | integration
    actor_kind: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    public: Mapped[bool] = mapped_column(default=False, server_default="false")
    op_id: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class WorkOrderNumberCounter(Base):
    """Last number handed out per day (WO-YYMMDD-NNNN)."""

    __tablename__ = "work_order_number_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class WorkOrderRating(Base):
    """The customer's rating of a closed job: one per work order."""

    __tablename__ = "work_order_ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    work_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_orders.id"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Attachment(UuidPk, Timestamps, Base):
    """A photo, signature or document on a work order. The bytes live in blob storage under
    their sha256; derived copies (thumbnail, display copy without metadata) under theirs."""

    __tablename__ = "work_order_attachments"
    __table_args__ = (
        CheckConstraint(one_of("kind", ATTACHMENT_KINDS), name="kind_known"),
        CheckConstraint("size > 0", name="size_positive"),
        # The same bytes attached twice to one order are one attachment (a retried upload).
        Index("uq_work_order_attachments_order_sha", "work_order_id", "sha256", unique=True),
    )

    work_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_orders.id"))
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64))
    display_sha256: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    # Where and when a photo was taken (EXIF), kept for the record; never on customer copies.
    taken_at: Mapped[datetime | None]
    taken_location: Mapped[Any | None] = mapped_column(
        Geography("POINT", srid=4326, spatial_index=False), nullable=True
    )
    # Shown on the customer's tracking page (as the display copy).
    public: Mapped[bool] = mapped_column(default=False, server_default="false")
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    uploaded_by_name: Mapped[str] = mapped_column(String(120))


class TriageRule(UuidPk, Timestamps, Base):
    """One admin-managed classification rule, applied in `position` order by `rules.classify`.
    `definition` is the rule's conditions and effects in the shape `rules.parse_rule` reads."""

    __tablename__ = "triage_rules"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, index=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    active: Mapped[bool] = mapped_column(default=True, server_default="true")


class SlaCalendar(UuidPk, Timestamps, Base):
    """Working time the SLA targets are counted in; no `working_hours` means 24x7."""

    __tablename__ = "sla_calendars"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    working_hours: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    holidays: Mapped[list[date]] = mapped_column(
        ARRAY(Date), default=list, server_default=text("'{}'")
    )
    # Make-up working days (a Saturday worked in exchange for a holiday).
    workdays: Mapped[list[date]] = mapped_column(
        ARRAY(Date), default=list, server_default=text("'{}'")
    )


class SlaPolicy(UuidPk, Timestamps, Base):
    """Response and resolution targets for a priority, for one customer tier or (tier NULL)
    for every tier without its own policy."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint(one_of("priority", PRIORITIES), name="priority_known"),
        CheckConstraint("response_minutes > 0 AND resolve_minutes > 0", name="targets_positive"),
        Index(
            "uq_sla_policies_priority_tier", "priority", text("coalesce(tier, '*')"), unique=True
        ),
    )

    priority: Mapped[str] = mapped_column(String(8))
    tier: Mapped[str | None] = mapped_column(String(16))
    response_minutes: Mapped[int] = mapped_column(Integer)
    resolve_minutes: Mapped[int] = mapped_column(Integer)
    calendar_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sla_calendars.id"))
    calendar: Mapped[SlaCalendar] = relationship(lazy="joined")


class SlaEscalationStep(Base):
    """An escalation step taken on one clock of one order. The primary key makes each step
    happen once, however many workers check the clocks at the same moment."""

    __tablename__ = "sla_escalation_steps"

    work_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_orders.id"), primary_key=True)
    clock: Mapped[str] = mapped_column(String(10), primary_key=True)  # response | resolve
    step: Mapped[str] = mapped_column(String(10), primary_key=True)  # at_risk | breached
    at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
