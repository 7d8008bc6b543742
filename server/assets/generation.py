"""Generating maintenance work orders: where each plan stands on each asset, and the work order
of each due occurrence, created exactly once. The date arithmetic is in `plans.py`.

Exactly once: an occurrence is a row keyed by (plan, asset, due date), and a plan has at most
one open occurrence per asset (a partial unique index). The generator inserts the row with
ON CONFLICT DO NOTHING and creates the work order only when its own insert went in; a second
worker doing the same at the same moment waits on the first one's row, then inserts nothing.
Completing the order (a work-order hook) moves the plan on.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.orm import Session, lazyload

from server import actors
from server.assets import jobs, plans, readings
from server.assets.models import (
    Asset,
    MaintenanceOccurrence,
    MaintenancePlan,
    MeterReading,
)
from server.errors import DomainError
from server.workorders import hooks
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder

log = logging.getLogger(__name__)


# --- where each plan stands on each asset ---------------------------------------------------


@dataclass(frozen=True)
class Due:
    plan: MaintenancePlan
    asset: Asset
    due_on: date
    due_value: Any = None


def plan_assets(
    session: Session, *, plan_ids: list[uuid.UUID] | None = None
) -> list[tuple[MaintenancePlan, Asset]]:
    """Each active asset with each unpaused plan on it (its own, or its model's)."""
    stmt = (
        select(MaintenancePlan, Asset)
        .join(
            Asset,
            or_(Asset.id == MaintenancePlan.asset_id, Asset.model_id == MaintenancePlan.model_id),
        )
        .where(Asset.status == "active", MaintenancePlan.paused.is_(False))
        # Only ids of sites are needed here: their rows (and points) stay unloaded.
        .options(lazyload(Asset.site))
        .order_by(MaintenancePlan.id, Asset.id)
    )
    if plan_ids is not None:
        stmt = stmt.where(MaintenancePlan.id.in_(plan_ids))
    return [(plan, asset) for plan, asset in session.execute(stmt)]


def last_occurrences(
    session: Session, plan_ids: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], plans.Last]:
    if not plan_ids:
        return {}
    rows = session.scalars(
        select(MaintenanceOccurrence)
        .where(MaintenanceOccurrence.plan_id.in_(plan_ids))
        .ext(distinct_on(MaintenanceOccurrence.plan_id, MaintenanceOccurrence.asset_id))
        .order_by(
            MaintenanceOccurrence.plan_id,
            MaintenanceOccurrence.asset_id,
            MaintenanceOccurrence.due_on.desc(),
        )
    )
    return {
        (row.plan_id, row.asset_id): plans.Last(
            due_date=row.due_on,
            outcome=row.status,
            done_on=row.done_on,
            due_value=row.due_value,
            done_value=row.done_value,
        )
        for row in rows
    }


def readings_for(
    session: Session, pairs: list[tuple[MaintenancePlan, Asset]]
) -> dict[tuple[uuid.UUID, str], list[plans.Reading]]:
    """The readings each meter plan among `pairs` is counted on, in one query: the last 90
    days of its meter, and the first reading ever (a plan with no history counts from it)."""
    wanted = {(a.id, p.meter) for p, a in pairs if p.kind == "meter" and p.meter}
    found: dict[tuple[uuid.UUID, str], list[plans.Reading]] = {key: [] for key in wanted}
    if not wanted:
        return found
    series = (MeterReading.asset_id, MeterReading.meter)
    inner = (
        select(
            MeterReading.asset_id,
            MeterReading.meter,
            MeterReading.at,
            MeterReading.value,
            func.max(MeterReading.at).over(partition_by=series).label("newest"),
            func.row_number().over(partition_by=series, order_by=MeterReading.at).label("n"),
        )
        .where(MeterReading.asset_id.in_({asset_id for asset_id, _ in wanted}))
        .subquery()
    )
    rows = session.execute(
        select(inner.c.asset_id, inner.c.meter, inner.c.at, inner.c.value)
        .where(or_(inner.c.n == 1, inner.c.at >= inner.c.newest - plans.RATE_WINDOW))
        .order_by(inner.c.asset_id, inner.c.meter, inner.c.at)
    )
    for asset_id, meter, at, value in rows:
        if (asset_id, meter) in found:
            found[(asset_id, meter)].append(plans.Reading(at, value))
    return found


def time_rule(plan: MaintenancePlan) -> plans.TimeRule:
    return plans.TimeRule(
        every=plan.interval_count or 1,
        unit=plan.interval_unit or "day",
        anchor=plan.anchor or "fixed",
        start=plan.start_on or date.min,
    )


def earliest(plan: MaintenancePlan, asset: Asset, tz: ZoneInfo) -> date:
    """A plan begun in the past (or an asset added later) starts from when both existed."""
    return max(plan.created_at, asset.created_at).astimezone(tz).date()


def next_due(
    session: Session,
    plan: MaintenancePlan,
    asset: Asset,
    last: plans.Last | None,
    *,
    today: date,
    tz: ZoneInfo,
    readings: list[plans.Reading] | None = None,
) -> Due | None:
    if plan.kind == "time":
        due = plans.next_time_due(time_rule(plan), last, earliest=earliest(plan, asset, tz))
        return None if due is None else Due(plan, asset, due)
    if readings is None:
        readings = readings_for(session, [(plan, asset)]).get((asset.id, plan.meter or ""), [])
    value = plans.next_meter_due_value(plan.meter_interval or Decimal(1), last, readings)
    if value is None:
        return None
    when = plans.forecast_meter_date(value, readings, today=today, tz=tz)
    return None if when is None else Due(plan, asset, when, value)


# --- generation -----------------------------------------------------------------------------


@dataclass
class GenerationResult:
    created: list[uuid.UUID] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)


def generate_due(
    session: Session,
    *,
    now: datetime,
    timezone: str,
    plan_ids: list[uuid.UUID] | None = None,
) -> GenerationResult:
    """Create the work order of every occurrence now within its plan's lead time, once."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    pairs = plan_assets(session, plan_ids=plan_ids)
    lasts = last_occurrences(session, list({plan.id for plan, _ in pairs}))
    series = readings_for(session, pairs)
    result = GenerationResult()
    for plan, asset in pairs:
        due = next_due(
            session, plan, asset, lasts.get((plan.id, asset.id)), today=today, tz=tz,
            readings=series.get((asset.id, plan.meter or "")),
        )  # fmt: skip
        if due is None or not plans.is_due(due.due_on, lead_days=plan.lead_days, today=today):
            continue
        try:
            # One savepoint per occurrence: a plan that cannot make its order (a customer
            # since deactivated) leaves no occurrence behind and stops no other plan.
            with session.begin_nested():
                order_id = _generate_one(session, due, now=now, timezone=timezone, today=today)
        except DomainError as refused:
            log.warning(
                "maintenance occurrence not generated",
                extra={"plan_id": str(plan.id), "asset_id": str(asset.id), "error": refused.error},
            )
            result.failed.append(
                {"plan_id": str(plan.id), "asset_id": str(asset.id), "error": refused.error}
            )
            continue
        if order_id is not None:
            result.created.append(order_id)
    return result


def _generate_one(
    session: Session, due: Due, *, now: datetime, timezone: str, today: date
) -> uuid.UUID | None:
    plan, asset = due.plan, due.asset
    occurrence_id = session.execute(
        insert(MaintenanceOccurrence)
        .values(
            id=uuid.uuid4(),
            plan_id=plan.id,
            asset_id=asset.id,
            due_on=due.due_on,
            status=plans.OPEN,
            due_value=due.due_value,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(MaintenanceOccurrence.id)
    ).scalar_one_or_none()
    if occurrence_id is None:
        return None  # generated already (by another worker, or an earlier run)
    window = (
        plans.appointment_window(due.due_on, plan.window_start, plan.window_end, ZoneInfo(timezone))
        if due.due_on >= today
        else None
    )
    model = asset.model
    order = workorders_service.create_work_order(
        session,
        actor=actors.SYSTEM,
        customer_id=asset.customer_id,
        site_id=asset.site_id,
        asset_id=asset.id,
        summary=f"{plan.name} · {model.manufacturer} {model.model} {asset.serial}"[:200],
        description=_describe(due),
        channel="maintenance",
        type="maintenance",
        priority=plan.priority,
        category_id=model.category_id,
        required_skills=plan.required_skills or model.required_skills,
        duration_minutes=plan.duration_minutes,
        appointment_start_at=window[0] if window else None,
        appointment_end_at=window[1] if window else None,
        now=now,
        timezone=timezone,
    )
    template = plan.checklist_template or model.checklist_template
    if template is not None and template.active:
        jobs.instantiate_checklist(session, order, template)
    session.execute(
        update(MaintenanceOccurrence)
        .where(MaintenanceOccurrence.id == occurrence_id)
        .values(work_order_id=order.id)
    )
    session.flush()  # inside the savepoint, so a refusal here undoes the occurrence too
    return order.id


def _describe(due: Due) -> str:
    text = f"{due.plan.name}: due {due.due_on.isoformat()}"
    if due.due_value is not None:
        text += f" at {due.plan.meter} {due.due_value}"
    return text


def on_order_transition(
    session: Session, order: WorkOrder, *, action: str, now: datetime, timezone: str, **_: Any
) -> None:
    """Completing a maintenance order moves its plan on; cancelling it gives up the occurrence
    (the next one is counted from its due date)."""
    if order.channel != "maintenance" or action not in ("complete", "cancel", "merge"):
        return
    occurrence = session.scalar(
        select(MaintenanceOccurrence)
        .where(MaintenanceOccurrence.work_order_id == order.id)
        .with_for_update()
    )
    if occurrence is None or occurrence.status != plans.OPEN:
        return
    if action == "complete":
        occurrence.status = plans.DONE
        occurrence.done_on = jobs.local_day(now, timezone)
        plan = occurrence.plan
        if plan.kind == "meter" and plan.meter:
            occurrence.done_value = readings.latest_value(
                session, asset_id=occurrence.asset_id, meter=plan.meter
            )
    else:
        occurrence.status = plans.CANCELLED


hooks.after_transition.append(on_order_transition)
