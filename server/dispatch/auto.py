"""Auto-dispatch: with AUTO_DISPATCH_URGENT on, a new urgent order is assigned at once to the
engineer whose day it fits best (instant insertion), by a job queued in the same transaction
as the order, so a rolled-back intake dispatches nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from server import actors
from server.db import utcnow
from server.dispatch import runs
from server.dispatch.travel import provider_from_settings
from server.errors import DomainError
from server.tasks import defer, unit_of_work_task
from server.workorders import hooks
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder


@unit_of_work_task(name="dispatch.auto_assign")
def auto_assign(session: Session, *, work_order_id: str) -> dict[str, Any]:
    return assign_best(
        session,
        work_order_id=uuid.UUID(work_order_id),
        settings=current_app.config,
        now=utcnow(),
    )


def assign_best(
    session: Session, *, work_order_id: uuid.UUID, settings: Any, now: datetime
) -> dict[str, Any]:
    order = session.get(WorkOrder, work_order_id)
    if order is None or order.status != "new" or order.waiting_for_parts:
        return {"assigned": False, "reason": "not_dispatchable"}
    try:
        best = runs.suggestions(
            session,
            work_order_id=order.id,
            actor=actors.SYSTEM,
            travel=provider_from_settings(settings),
            now=now,
            timezone=settings["ORG_TIMEZONE"],
            limit=1,
        )
    except DomainError as refused:
        return {"assigned": False, "reason": refused.error}
    if not best:
        return {"assigned": False, "reason": "no_feasible_engineer"}
    choice = best[0]
    workorders_service.apply_transition(
        session,
        work_order_id=order.id,
        actor=actors.SYSTEM,
        change=workorders_service.TransitionInput(
            action="assign", technician_id=uuid.UUID(choice["technician_id"])
        ),
        now=now,
        timezone=settings["ORG_TIMEZONE"],
    )
    order.eta_at = choice["eta_at"]
    order.scheduled_start_at = choice["start_at"]
    return {"assigned": True, "technician_id": choice["technician_id"]}


def on_created(session: Session, order: WorkOrder, *, now: datetime, timezone: str) -> None:
    if order.priority != "urgent" or order.status != "new":
        return
    if not current_app or not current_app.config.get("AUTO_DISPATCH_URGENT"):
        return
    defer(session, auto_assign, work_order_id=str(order.id))


hooks.after_create.append(on_created)
