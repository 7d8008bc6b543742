"""The installed base and its upkeep: asset models, assets, meter readings, checklist templates
and the checklists of work orders, maintenance plans and their occurrences, and the alarm codes
connected equipment sends."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Time,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.assets import plans
from server.customers.models import Site
from server.db import Base, Timestamps, UuidPk, one_of, utcnow
from server.workorders.models import PRIORITIES

ASSET_STATUSES = ("active", "out_of_service", "retired")
PLAN_KINDS = ("time", "meter")
# The plan arithmetic (pure) owns these; the table only checks them.
PLAN_UNITS = plans.UNITS
PLAN_ANCHORS = plans.ANCHORS
OCCURRENCE_STATUSES = plans.OUTCOMES
# Meter readings are exact decimals: kWh, running hours, starts, litres.
MeterValue = Numeric(18, 3)


asset_model_parts = Table(
    "asset_model_parts",
    Base.metadata,
    Column("model_id", ForeignKey("asset_models.id", ondelete="CASCADE"), primary_key=True),
    Column("part_id", ForeignKey("parts.id"), primary_key=True),
    Index("ix_asset_model_parts_part", "part_id"),
)


class ChecklistTemplate(UuidPk, Timestamps, Base):
    """Items to check on a job. `items`: [{key, label: {zh-CN, en}, kind, required, min_value,
    max_value, unit, follow_up, follow_up_priority}], in order (see `checklists.KINDS`)."""

    __tablename__ = "checklist_templates"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    active: Mapped[bool] = mapped_column(default=True, server_default="true")


class AssetModel(UuidPk, Timestamps, Base):
    """A make and model of equipment: what its assets measure, how they are checked, which
    parts fit them."""

    __tablename__ = "asset_models"
    __table_args__ = (Index("uq_asset_models_make_model", "manufacturer", "model", unique=True),)

    manufacturer: Mapped[str] = mapped_column(String(120))
    model: Mapped[str] = mapped_column(String(120))
    # air_conditioner | boiler | lift | switchgear | router | appliance | ...
    kind: Mapped[str] = mapped_column(String(32), index=True)
    # The work-order category its jobs get, and the skills they need.
    category_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("categories.id"))
    required_skills: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    checklist_template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("checklist_templates.id")
    )
    # [{code, unit, counter}]: a counter only goes up (running hours, kWh); a gauge may not.
    meters: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    active: Mapped[bool] = mapped_column(default=True, server_default="true")

    # Loaded on access: a work order's asset card needs neither.
    checklist_template: Mapped[ChecklistTemplate | None] = relationship(lazy="select")
    parts: Mapped[list[Any]] = relationship(
        "Part", secondary=asset_model_parts, lazy="select", order_by="Part.sku"
    )


class Asset(UuidPk, Timestamps, Base):
    """One installed machine at a site (or a component of another)."""

    __tablename__ = "assets"
    __table_args__ = (
        CheckConstraint(one_of("status", ASSET_STATUSES), name="status_known"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_assets_customer_status", "customer_id", "status"),
        Index("ix_assets_serial_lower", text("lower(serial)")),
    )

    serial: Mapped[str] = mapped_column(String(64), unique=True)
    model_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("asset_models.id"), index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    # The site's customer, kept here so lists filter without a join.
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("assets.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(120))
    installed_on: Mapped[date | None] = mapped_column(Date)
    warranty_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    # What the sticker's QR code holds: opens the request form with this asset filled in.
    qr_code: Mapped[str] = mapped_column(String(32), unique=True)
    # The model's meters, unless this asset has its own (same shape).
    meters: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    model: Mapped[AssetModel] = relationship(lazy="selectin")
    site: Mapped[Site] = relationship(lazy="selectin")

    @property
    def meter_definitions(self) -> list[dict[str, Any]]:
        return self.meters if self.meters is not None else list(self.model.meters)


class MeterReading(Base):
    """One reading of one meter. The same meter at the same instant is one reading (a resent
    batch changes nothing)."""

    __tablename__ = "meter_readings"
    __table_args__ = (
        Index("uq_meter_readings_asset_meter_at", "asset_id", "meter", "at", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id"))
    meter: Mapped[str] = mapped_column(String(32))
    value: Mapped[Decimal] = mapped_column(MeterValue)
    at: Mapped[datetime]
    # api | bulk | checklist | demo
    source: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class MaintenancePlan(UuidPk, Timestamps, Base):
    """Preventive work on one asset, or on every asset of a model."""

    __tablename__ = "maintenance_plans"
    __table_args__ = (
        CheckConstraint("(asset_id IS NULL) <> (model_id IS NULL)", name="asset_or_model"),
        CheckConstraint(one_of("kind", PLAN_KINDS), name="kind_known"),
        CheckConstraint(
            f"kind <> 'time' OR (interval_count >= 1 AND {one_of('interval_unit', PLAN_UNITS)}"
            f" AND {one_of('anchor', PLAN_ANCHORS)} AND start_on IS NOT NULL)",
            name="time_rule",
        ),
        CheckConstraint(
            "kind <> 'meter' OR (meter IS NOT NULL AND meter_interval > 0)", name="meter_rule"
        ),
        CheckConstraint("lead_days BETWEEN 0 AND 365", name="lead_range"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 1440", name="duration_range"),
        CheckConstraint(one_of("priority", PRIORITIES), name="priority_known"),
        CheckConstraint(
            "(window_start IS NULL) = (window_end IS NULL)"
            " AND (window_start IS NULL OR window_end > window_start)",
            name="window_ordered",
        ),
    )

    name: Mapped[str] = mapped_column(String(120))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("assets.id"), index=True)
    model_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset_models.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    interval_count: Mapped[int | None] = mapped_column(Integer)
    interval_unit: Mapped[str | None] = mapped_column(String(8))
    anchor: Mapped[str | None] = mapped_column(String(12))
    start_on: Mapped[date | None] = mapped_column(Date)
    meter: Mapped[str | None] = mapped_column(String(32))
    meter_interval: Mapped[Decimal | None] = mapped_column(MeterValue)
    lead_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    checklist_template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("checklist_templates.id")
    )
    required_skills: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    priority: Mapped[str] = mapped_column(String(8), default="low", server_default="low")
    # The preferred time of day, in the organisation's time zone.
    window_start: Mapped[time | None] = mapped_column(Time)
    window_end: Mapped[time | None] = mapped_column(Time)
    paused: Mapped[bool] = mapped_column(default=False, server_default="false")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    checklist_template: Mapped[ChecklistTemplate | None] = relationship(lazy="selectin")


class MaintenanceOccurrence(Base):
    """One due date of a plan on an asset: generated into a work order, skipped, done.

    The unique keys make generation happen exactly once however many workers run it: the
    same (plan, asset, due date) is one row, and a plan has at most one open occurrence per
    asset. Generators insert with ON CONFLICT DO NOTHING and create the work order only for
    the row they inserted."""

    __tablename__ = "maintenance_occurrences"
    __table_args__ = (
        CheckConstraint(one_of("status", OCCURRENCE_STATUSES), name="status_known"),
        Index(
            "uq_maintenance_occurrences_plan_asset_due",
            "plan_id",
            "asset_id",
            "due_on",
            unique=True,
        ),
        Index(
            "uq_maintenance_occurrences_one_open",
            "plan_id",
            "asset_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_maintenance_occurrences_asset", "asset_id", "due_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("maintenance_plans.id"))
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    # Meter plans: the value it fell due at, and the meter's value when it was done.
    due_value: Mapped[Decimal | None] = mapped_column(MeterValue)
    done_value: Mapped[Decimal | None] = mapped_column(MeterValue)
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("work_orders.id"), unique=True
    )
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    plan: Mapped[MaintenancePlan] = relationship(lazy="selectin")


class ChecklistItem(UuidPk, Base):
    """One item of one work order's checklist, copied from a template, and its answer."""

    __tablename__ = "work_order_checklist_items"
    __table_args__ = (
        Index("uq_work_order_checklist_items_order_key", "work_order_id", "key", unique=True),
    )

    work_order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("work_orders.id"))
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(64))
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool] = mapped_column(default=True)
    min_value: Mapped[Decimal | None] = mapped_column(MeterValue)
    max_value: Mapped[Decimal | None] = mapped_column(MeterValue)
    unit: Mapped[str | None] = mapped_column(String(16))
    follow_up: Mapped[bool] = mapped_column(default=False)
    follow_up_priority: Mapped[str] = mapped_column(String(8), default="medium")
    # The answer: a bool, a number as text, a text, or an upload's sha256.
    value: Mapped[Any | None] = mapped_column(JSONB)
    passed: Mapped[bool | None]
    note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(120))
    follow_up_work_order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("work_orders.id"))


class AlarmCode(UuidPk, Timestamps, Base):
    """What an alarm code from connected equipment means: the category and priority of the
    work order it opens (for one model, or for any model when `model_id` is empty)."""

    __tablename__ = "alarm_codes"
    __table_args__ = (
        CheckConstraint(one_of("priority", PRIORITIES), name="priority_known"),
        Index(
            "uq_alarm_codes_code_model",
            "code",
            text("coalesce(model_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
            unique=True,
        ),
    )

    code: Mapped[str] = mapped_column(String(64))
    model_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset_models.id"))
    category_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("categories.id"))
    priority: Mapped[str] = mapped_column(String(8))
    description_zh: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(String(200))
