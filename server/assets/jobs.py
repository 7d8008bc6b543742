"""What assets add to work orders: the checklist (copied from a template, answered by the
engineer, guarding `complete`), follow-up orders raised by failed items, the warranty flag, and
the asset card the engineer's phone shows. Registered on the work-order hooks at import."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.actors import Actor
from server.assets import checklists, history
from server.assets import service as assets_service
from server.assets.models import Asset, ChecklistItem, ChecklistTemplate
from server.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from server.workorders import attachments, hooks
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder
from server.workorders.timeline import record, record_change

# Where an engineer can fill in the checklist: on site.
FILLABLE = ("in_progress", "on_hold")
OFFICE = ("admin", "dispatcher")


def local_day(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


# --- the checklist of an order --------------------------------------------------------------


def instantiate_checklist(
    session: Session, order: WorkOrder, template: ChecklistTemplate
) -> list[ChecklistItem]:
    """Copy the template's items onto the order (once: an order with a checklist keeps it)."""
    if session.scalar(select(ChecklistItem.id).where(ChecklistItem.work_order_id == order.id)):
        return []
    items = [
        ChecklistItem(
            id=uuid.uuid4(),
            work_order_id=order.id,
            position=position,
            key=spec["key"],
            label_zh=spec["label"]["zh-CN"],
            label_en=spec["label"]["en"],
            kind=spec["kind"],
            required=spec.get("required", True),
            min_value=_decimal(spec.get("min_value")),
            max_value=_decimal(spec.get("max_value")),
            unit=spec.get("unit"),
            follow_up=spec.get("follow_up", False),
            follow_up_priority=spec.get("follow_up_priority", "medium"),
        )
        for position, spec in enumerate(template.items)
    ]
    session.add_all(items)
    return items


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def checklist_of(
    session: Session, *, work_order_id: uuid.UUID, actor: Actor
) -> list[ChecklistItem]:
    order = workorders_service.get_work_order(session, work_order_id=work_order_id, actor=actor)
    return checklists_for(session, [order.id])[order.id]


def checklists_for(
    session: Session, order_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ChecklistItem]]:
    found: dict[uuid.UUID, list[ChecklistItem]] = {i: [] for i in order_ids}
    if order_ids:
        for item in session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.work_order_id.in_(order_ids))
            .order_by(ChecklistItem.work_order_id, ChecklistItem.position)
        ):
            found[item.work_order_id].append(item)
    return found


def answer_item(
    session: Session,
    *,
    work_order_id: uuid.UUID,
    item_id: uuid.UUID,
    value: Any,
    actor: Actor,
    now: datetime,
    timezone: str,
    note: str | None = None,
    unit: str | None = None,
    op_id: str | None = None,
) -> ChecklistItem:
    """Record the answer to one item (a later answer replaces an earlier one). A failed check
    on an item that asks for it opens a follow-up order, once."""
    order = workorders_service.get_work_order(
        session, work_order_id=work_order_id, actor=actor, lock=True
    )
    if actor.role == "technician":
        if actor.technician_id is None or order.assignee_id != actor.technician_id:
            raise Forbidden("not_assignee")
    elif actor.role not in OFFICE:
        raise Forbidden()
    if order.status not in FILLABLE:
        raise Conflict("checklist_not_editable", extra={"status_now": order.status})
    item = session.scalar(
        select(ChecklistItem)
        .where(ChecklistItem.id == item_id, ChecklistItem.work_order_id == order.id)
        .with_for_update()
    )
    if item is None:
        raise NotFound("checklist_item_not_found")
    spec = checklists.ItemSpec(
        kind=item.kind,
        required=item.required,
        min_value=item.min_value,
        max_value=item.max_value,
        unit=item.unit,
        follow_up=item.follow_up,
    )
    try:
        answer = checklists.evaluate(spec, value, unit=unit)
    except checklists.Unacceptable as refused:
        field = "unit" if refused.error == "wrong_unit" else "value"
        raise ValidationFailed({field: [refused.error]}) from refused
    if item.kind in ("photo", "signature"):
        _require_upload(session, order=order, sha=answer.value, kind=item.kind, actor=actor)
    item.value = answer.value
    item.passed = answer.passed
    item.note = note.strip() if note and note.strip() else None
    item.answered_at = now
    item.answered_by = actor.name
    record_change(
        session,
        order,
        actor=actor,
        action="checklist_item",
        payload={
            "item_id": str(item.id),
            "key": item.key,
            "value": answer.value,
            "passed": answer.passed,
            **({"op_id": op_id} if op_id else {}),
        },
        now=now,
    )
    if checklists.needs_follow_up(spec, answer) and item.follow_up_work_order_id is None:
        _open_follow_up(session, order, item, actor=actor, now=now, timezone=timezone)
    return item


def _require_upload(
    session: Session, *, order: WorkOrder, sha: str, kind: str, actor: Actor
) -> None:
    held = attachments.list_attachments(session, work_order_id=order.id, actor=actor)
    if not any(a.sha256 == sha and a.kind == kind for a in held):
        raise Conflict("upload_missing")


def _open_follow_up(
    session: Session,
    order: WorkOrder,
    item: ChecklistItem,
    *,
    actor: Actor,
    now: datetime,
    timezone: str,
) -> None:
    shown = item.value if item.unit is None else f"{item.value} {item.unit}"
    follow = workorders_service.create_work_order(
        session,
        actor=actor,
        customer_id=order.customer_id,
        site_id=order.site_id,
        asset_id=order.asset_id,
        summary=f"{item.label_zh} / {item.label_en}: {shown}"[:200],
        description=(
            f"{order.number}: {item.label_zh} / {item.label_en} = {shown}"
            + (f"\n{item.note}" if item.note else "")
        ),
        channel=order.channel,
        type="repair",
        priority=item.follow_up_priority,
        category_id=order.category_id,
        required_skills=order.required_skills,
        now=now,
        timezone=timezone,
    )
    follow.follow_up_of_id = order.id
    item.follow_up_work_order_id = follow.id
    record(
        session,
        order,
        actor=actor,
        action="follow_up_created",
        payload={"work_order_id": str(follow.id), "number": follow.number, "item": item.key},
        now=now,
    )


def missing_items(session: Session, order_id: uuid.UUID) -> list[ChecklistItem]:
    return list(
        session.scalars(
            select(ChecklistItem)
            .where(
                ChecklistItem.work_order_id == order_id,
                ChecklistItem.required.is_(True),
                ChecklistItem.value.is_(None),
            )
            .order_by(ChecklistItem.position)
        )
    )


# --- hooks on the work-order life cycle -----------------------------------------------------


def refuse_incomplete_checklist(
    session: Session, order: WorkOrder, *, action: str, now: datetime
) -> None:
    """`complete` needs every required checklist item answered (409 with the missing ones)."""
    if action != "complete":
        return
    missing = missing_items(session, order.id)
    if missing:
        raise InvalidTransition(
            "checklist_incomplete",
            extra={
                "status_now": order.status,
                "action": action,
                "missing_items": [
                    {
                        "id": str(item.id),
                        "key": item.key,
                        "label": {"zh-CN": item.label_zh, "en": item.label_en},
                    }
                    for item in missing
                ],
            },
        )


def check_order_asset(session: Session, *, values: dict[str, Any]) -> None:
    """An order's asset belongs to its customer; the order is at the asset's site."""
    asset = session.get(Asset, values["asset_id"])
    if asset is None or asset.customer_id != values["customer_id"]:
        raise ValidationFailed({"asset_id": ["unknown_asset"]})
    if values["site_id"] is None:
        values["site_id"] = asset.site_id
    elif values["site_id"] != asset.site_id:
        raise ValidationFailed({"asset_id": ["asset_at_other_site"]})


def on_order_created(session: Session, order: WorkOrder, *, now: datetime, timezone: str) -> None:
    """Work on equipment under warranty is not billable; an order on an asset whose model has
    a checklist gets it (maintenance orders get their plan's, see `maintenance`)."""
    if order.asset_id is None:
        return
    asset = session.get(Asset, order.asset_id)
    if asset is None:  # pragma: no cover - checked before the order was created
        return
    order.billable = not assets_service.under_warranty(asset, on=local_day(now, timezone))
    template = asset.model.checklist_template
    if order.channel != "maintenance" and template is not None and template.active:
        instantiate_checklist(session, order, template)


hooks.before_create.append(check_order_asset)
hooks.after_create.append(on_order_created)
hooks.before_transition.append(refuse_incomplete_checklist)


# --- the engineer's phone -------------------------------------------------------------------


def asset_cards(
    session: Session, orders: list[WorkOrder], *, now: datetime, timezone: str
) -> dict[uuid.UUID, dict[str, Any]]:
    """For each asset on these orders: what it is, its warranty, and its last few jobs."""
    asset_ids = list({o.asset_id for o in orders if o.asset_id is not None})
    if not asset_ids:
        return {}
    today = local_day(now, timezone)
    recent = history.recent_orders_on(session, asset_ids=asset_ids)
    cards = {}
    for asset in session.scalars(select(Asset).where(Asset.id.in_(asset_ids))):
        cards[asset.id] = {
            "id": str(asset.id),
            "serial": asset.serial,
            "name": asset.name,
            "model": f"{asset.model.manufacturer} {asset.model.model}",
            "kind": asset.model.kind,
            "installed_on": asset.installed_on.isoformat() if asset.installed_on else None,
            "warranty_until": asset.warranty_until.isoformat() if asset.warranty_until else None,
            "under_warranty": assets_service.under_warranty(asset, on=today),
            "meters": asset.meter_definitions,
            "history": recent.get(asset.id, []),
        }
    return cards


def attach_for_phone(
    session: Session, orders: list[WorkOrder], *, now: datetime, timezone: str
) -> None:
    """Each order's checklist and its asset's card, for the engineer app's copy of the job (a
    few queries for the whole page)."""
    found = checklists_for(session, list({o.id for o in orders}))
    cards = asset_cards(session, orders, now=now, timezone=timezone)
    for order in orders:
        order.checklist = found[order.id]  # type: ignore[attr-defined]
        order.asset_card = cards.get(order.asset_id) if order.asset_id else None  # type: ignore[attr-defined]
