"""Maintenance plans: editing them, pausing, skipping one occurrence, and the forecast of what
falls due. Generating their work orders is in `generation.py`; the date arithmetic in
`plans.py`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from server.assets import generation, plans
from server.assets import service as assets_service
from server.assets.models import (
    Asset,
    AssetModel,
    MaintenanceOccurrence,
    MaintenancePlan,
)
from server.errors import Conflict, NotFound, ValidationFailed
from server.queries import count_rows, one_page

PLAN_FIELDS = (
    "name",
    "interval_count",
    "interval_unit",
    "anchor",
    "start_on",
    "meter",
    "meter_interval",
    "lead_days",
    "checklist_template_id",
    "required_skills",
    "duration_minutes",
    "priority",
    "window_start",
    "window_end",
)


# --- editing --------------------------------------------------------------------------------


def _check_plan(session: Session, plan: MaintenancePlan) -> None:
    errors: dict[str, list[str]] = {}
    if plan.kind == "time":
        for key in ("interval_count", "interval_unit", "start_on"):
            if getattr(plan, key) is None:
                errors[key] = ["required_for_time_plans"]
        plan.anchor = plan.anchor or "fixed"
        plan.meter = None
        plan.meter_interval = None
    else:
        for key in ("meter", "meter_interval"):
            if getattr(plan, key) is None:
                errors[key] = ["required_for_meter_plans"]
        if plan.meter is not None:
            meters = _meters_of(session, plan)
            if plan.meter not in meters:
                errors["meter"] = ["unknown_meter"]
        plan.interval_count = plan.interval_unit = plan.anchor = None
        plan.start_on = None
    if (plan.window_start is None) != (plan.window_end is None):
        errors["window_end"] = ["window_incomplete"]
    elif plan.window_start is not None and plan.window_end <= plan.window_start:  # type: ignore[operator]
        errors["window_end"] = ["window_end_before_start"]
    if errors:
        raise ValidationFailed(errors)
    assets_service.check_skills(session, plan.required_skills or [])
    assets_service.check_checklist_template(session, template_id=plan.checklist_template_id)


def _meters_of(session: Session, plan: MaintenancePlan) -> set[str]:
    if plan.asset_id is not None:
        asset = session.get(Asset, plan.asset_id)
        return {m["code"] for m in asset.meter_definitions} if asset else set()
    model = session.get(AssetModel, plan.model_id)
    return {m["code"] for m in model.meters} if model else set()


def create_plan(
    session: Session,
    *,
    name: str,
    kind: str,
    asset_id: uuid.UUID | None = None,
    model_id: uuid.UUID | None = None,
    **values: Any,
) -> MaintenancePlan:
    if (asset_id is None) == (model_id is None):
        raise ValidationFailed({"asset_id": ["asset_or_model_required"]})
    if asset_id is not None and session.get(Asset, asset_id) is None:
        raise ValidationFailed({"asset_id": ["unknown_asset"]})
    if model_id is not None and session.get(AssetModel, model_id) is None:
        raise ValidationFailed({"model_id": ["unknown_asset_model"]})
    plan = MaintenancePlan(
        id=uuid.uuid4(),
        name=name.strip(),
        kind=kind,
        asset_id=asset_id,
        model_id=model_id,
        lead_days=values.pop("lead_days", 7),
        duration_minutes=values.pop("duration_minutes", 60),
        priority=values.pop("priority", "low"),
        required_skills=values.pop("required_skills", []),
        paused=False,
        version=1,
    )
    for key, value in values.items():
        if key in PLAN_FIELDS:
            setattr(plan, key, value)
    _check_plan(session, plan)
    session.add(plan)
    session.flush()  # the id for the response
    return plan


def update_plan(
    session: Session, *, plan_id: uuid.UUID, changes: dict[str, Any]
) -> MaintenancePlan:
    """Occurrences already generated keep their orders; the next ones follow the new rule."""
    plan = get_plan(session, plan_id=plan_id, lock=True)
    for key in PLAN_FIELDS:
        if key in changes:
            setattr(plan, key, changes[key])
    _check_plan(session, plan)
    plan.version += 1
    return plan


def set_paused(session: Session, *, plan_id: uuid.UUID, paused: bool) -> MaintenancePlan:
    """A paused plan generates nothing; resumed, it continues from where it stands."""
    plan = get_plan(session, plan_id=plan_id, lock=True)
    if plan.paused != paused:
        plan.paused = paused
        plan.version += 1
    return plan


def get_plan(session: Session, *, plan_id: uuid.UUID, lock: bool = False) -> MaintenancePlan:
    stmt = select(MaintenancePlan).where(MaintenancePlan.id == plan_id)
    plan = session.scalar(stmt.with_for_update() if lock else stmt)
    if plan is None:
        raise NotFound()
    return plan


def list_plans(
    session: Session,
    *,
    asset_id: uuid.UUID | None = None,
    model_id: uuid.UUID | None = None,
    paused: bool | None = None,
    page: int,
    page_size: int,
) -> tuple[list[MaintenancePlan], int]:
    stmt = select(MaintenancePlan)
    if asset_id is not None:
        # The asset's own plans and its model's.
        model_of = select(Asset.model_id).where(Asset.id == asset_id).scalar_subquery()
        stmt = stmt.where(
            or_(MaintenancePlan.asset_id == asset_id, MaintenancePlan.model_id == model_of)
        )
    if model_id is not None:
        stmt = stmt.where(MaintenancePlan.model_id == model_id)
    if paused is not None:
        stmt = stmt.where(MaintenancePlan.paused.is_(paused))
    total = count_rows(session, stmt)
    rows = session.scalars(
        one_page(
            stmt.order_by(MaintenancePlan.name, MaintenancePlan.id), page=page, page_size=page_size
        )
    )
    return list(rows), total


# --- skipping and the forecast --------------------------------------------------------------


def skip_occurrence(
    session: Session,
    *,
    plan_id: uuid.UUID,
    asset_id: uuid.UUID | None,
    due_on: date,
    now: datetime,
    timezone: str,
) -> MaintenanceOccurrence:
    """Skip the next occurrence (not yet generated) of a plan on an asset; the one after it is
    counted as if this one had been due and passed."""
    plan = get_plan(session, plan_id=plan_id, lock=True)
    asset_id = asset_id or plan.asset_id
    if asset_id is None:
        raise ValidationFailed({"asset_id": ["required"]})
    asset = session.get(Asset, asset_id)
    if (
        asset is None
        or (plan.asset_id or asset_id) != asset_id
        or (plan.model_id is not None and asset.model_id != plan.model_id)
    ):
        raise ValidationFailed({"asset_id": ["asset_not_in_plan"]})
    tz = ZoneInfo(timezone)
    last = generation.last_occurrences(session, [plan.id]).get((plan.id, asset.id))
    if last is not None and last.outcome == plans.OPEN:
        raise Conflict("occurrence_open")
    due = generation.next_due(session, plan, asset, last, today=now.astimezone(tz).date(), tz=tz)
    if due is None or due.due_on != due_on:
        raise Conflict(
            "not_next_occurrence",
            extra={"next_due_on": due.due_on.isoformat() if due else None},
        )
    occurrence = MaintenanceOccurrence(
        id=uuid.uuid4(),
        plan_id=plan.id,
        asset_id=asset.id,
        due_on=due_on,
        status=plans.SKIPPED,
        due_value=due.due_value,
        created_at=now,
    )
    session.add(occurrence)
    session.flush()  # the plan's row lock keeps a generator from racing this insert
    return occurrence


def forecast(
    session: Session,
    *,
    days: int,
    now: datetime,
    timezone: str,
    plan_id: uuid.UUID | None = None,
    asset_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    model_id: uuid.UUID | None = None,
) -> list[dict[str, Any]]:
    """What falls due in the next `days`: open occurrences (with their orders) and the dates
    the plans will reach, as if each were done on the day it is due."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    until = today + timedelta(days=days)
    pairs = [
        (plan, asset)
        for plan, asset in generation.plan_assets(session, plan_ids=[plan_id] if plan_id else None)
        if (asset_id is None or asset.id == asset_id)
        and (site_id is None or asset.site_id == site_id)
        and (customer_id is None or asset.customer_id == customer_id)
        and (model_id is None or asset.model_id == model_id)
    ]
    plan_ids = list({plan.id for plan, _ in pairs})
    lasts = generation.last_occurrences(session, plan_ids)
    series = generation.readings_for(session, pairs)
    open_rows = (
        {
            (row.plan_id, row.asset_id): row
            for row in session.scalars(
                select(MaintenanceOccurrence).where(
                    MaintenanceOccurrence.plan_id.in_(plan_ids),
                    MaintenanceOccurrence.status == plans.OPEN,
                )
            )
        }
        if plan_ids
        else {}
    )
    entries: list[dict[str, Any]] = []
    for plan, asset in pairs:
        key = (plan.id, asset.id)
        last = lasts.get(key)
        base = _entry(plan, asset)
        if key in open_rows:
            row = open_rows[key]
            entries.append(
                {
                    **base,
                    "due_on": row.due_on,
                    "status": "open",
                    "work_order_id": row.work_order_id,
                    "due_value": row.due_value,
                }
            )
        if plan.kind == "time":
            dates = [
                (d, None)
                for d in plans.project_time(
                    generation.time_rule(plan),
                    last,
                    earliest=generation.earliest(plan, asset, tz),
                    until=until,
                )
            ]
        else:
            readings = series[(asset.id, plan.meter or "")]
            dates = list(
                plans.project_meter(
                    plan.meter_interval or Decimal(1),
                    last,
                    readings,
                    today=today,
                    until=until,
                    tz=tz,
                )
            )
        for due_on, value in dates:
            entries.append(
                {
                    **base,
                    "due_on": due_on,
                    "status": "overdue" if due_on < today else "planned",
                    "work_order_id": None,
                    "due_value": value,
                }
            )
    entries.sort(key=lambda e: (e["due_on"], e["serial"]))
    return entries


def _entry(plan: MaintenancePlan, asset: Asset) -> dict[str, Any]:
    return {
        "plan_id": plan.id,
        "plan_name": plan.name,
        "kind": plan.kind,
        "asset_id": asset.id,
        "serial": asset.serial,
        "model_id": asset.model_id,
        "site_id": asset.site_id,
        "customer_id": asset.customer_id,
        "duration_minutes": plan.duration_minutes,
    }
