"""One asset's history: work orders, parts used on them, readings and plan occurrences in a
single timeline; and the last few jobs on each asset for the engineer's phone."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.actors import Actor
from server.assets.models import MaintenanceOccurrence, MeterReading
from server.assets.service import get_asset
from server.inventory import service as inventory_service
from server.workorders import service as workorders_service

# --- history --------------------------------------------------------------------------------


def asset_history(
    session: Session, *, asset_id: uuid.UUID, actor: Actor, limit: int = 100
) -> list[dict[str, Any]]:
    """Work orders, parts used on them, readings and plan occurrences, newest first."""
    asset = get_asset(session, asset_id=asset_id)
    orders, _ = workorders_service.list_work_orders(
        session,
        actor=actor,
        filters=workorders_service.Filters(asset_id=asset.id),
        page=1,
        page_size=limit,
    )
    entries: list[dict[str, Any]] = [
        {
            "at": order.created_at,
            "kind": "work_order",
            "work_order": {
                "id": str(order.id),
                "number": order.number,
                "type": order.type,
                "status": order.status,
                "summary": order.summary,
                "closed_at": _iso(order.closed_at),
                "billable": order.billable,
            },
        }
        for order in orders
    ]
    numbers = {o.id: o.number for o in orders}
    for move in inventory_service.consumed_for_work_orders(session, work_order_ids=list(numbers)):
        part = inventory_service.get_part(session, part_id=move.part_id)
        entries.append(
            {
                "at": move.at,
                "kind": "part",
                "part": {
                    "id": str(move.part_id),
                    "sku": part.sku,
                    "name": {"zh-CN": part.name_zh, "en": part.name_en},
                    "quantity": str(move.quantity),
                    "unit": part.unit,
                    "work_order_number": numbers.get(move.work_order_id),
                },
            }
        )
    for reading in session.scalars(
        select(MeterReading)
        .where(MeterReading.asset_id == asset.id)
        .order_by(MeterReading.at.desc())
        .limit(limit)
    ):
        entries.append(
            {
                "at": reading.at,
                "kind": "reading",
                "reading": {"meter": reading.meter, "value": str(reading.value)},
            }
        )
    for occurrence in session.scalars(
        select(MaintenanceOccurrence)
        .where(MaintenanceOccurrence.asset_id == asset.id)
        .order_by(MaintenanceOccurrence.due_on.desc())
        .limit(limit)
    ):
        entries.append(
            {
                "at": occurrence.created_at,
                "kind": "occurrence",
                "occurrence": {
                    "plan_id": str(occurrence.plan_id),
                    "plan": occurrence.plan.name,
                    "due_on": occurrence.due_on.isoformat(),
                    "status": occurrence.status,
                    "work_order_id": _str(occurrence.work_order_id),
                    "done_on": _iso(occurrence.done_on),
                },
            }
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _str(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def recent_orders_on(
    session: Session, *, asset_ids: list[uuid.UUID], per_asset: int = 5
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The last few jobs on each asset, for an engineer's phone (one query for them all)."""
    if not asset_ids:
        return {}
    rows = workorders_service.recent_on_assets(session, asset_ids=asset_ids, per_asset=per_asset)
    found: dict[uuid.UUID, list[dict[str, Any]]] = {a: [] for a in asset_ids}
    for row in rows:
        found[row["asset_id"]].append({k: v for k, v in row.items() if k != "asset_id"})
    return found
