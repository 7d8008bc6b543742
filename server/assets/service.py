"""Assets: checklist templates, asset models, assets, and what an alarm code means for one.
Readings and alarm codes are in `readings.py`, an asset's history in `history.py`, maintenance
plans in `maintenance.py`, and what assets add to work orders (checklists, warranty, the
completion guard) in `jobs.py`.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server.assets.models import (
    AlarmCode,
    Asset,
    AssetModel,
    ChecklistTemplate,
)
from server.customers import service as customers_service
from server.customers.models import Site
from server.errors import NotFound, ValidationFailed
from server.inventory import service as inventory_service
from server.queries import count_rows, flush_or_conflict, matches_any, one_page
from server.technicians import service as technicians_service
from server.workorders import service as workorders_service

ITEM_KEY = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


# --- checklist templates --------------------------------------------------------------------


def _check_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors: dict[int, dict[str, list[str]]] = {}
    seen: set[str] = set()
    clean = []
    for index, item in enumerate(items):
        problems: dict[str, list[str]] = {}
        key = item["key"]
        if not ITEM_KEY.match(key):
            problems["key"] = ["invalid_key"]
        elif key in seen:
            problems["key"] = ["duplicate_key"]
        seen.add(key)
        low, high = item.get("min_value"), item.get("max_value")
        if item["kind"] != "number" and (low is not None or high is not None or item.get("unit")):
            problems["kind"] = ["range_only_for_numbers"]
        if low is not None and high is not None and low > high:
            problems["max_value"] = ["max_below_min"]
        if item.get("follow_up") and item["kind"] not in ("yes_no", "number"):
            problems["follow_up"] = ["follow_up_needs_a_check"]
        if problems:
            errors[index] = problems
        clean.append(
            {
                "key": key,
                "label": item["label"],
                "kind": item["kind"],
                "required": item.get("required", True),
                "min_value": None if low is None else str(low),
                "max_value": None if high is None else str(high),
                "unit": item.get("unit"),
                "follow_up": item.get("follow_up", False),
                "follow_up_priority": item.get("follow_up_priority", "medium"),
            }
        )
    if errors:
        raise ValidationFailed({"items": errors})  # type: ignore[dict-item]
    return clean


def create_checklist_template(
    session: Session, *, code: str, name: dict[str, str], items: list[dict[str, Any]]
) -> ChecklistTemplate:
    if session.scalar(select(ChecklistTemplate.id).where(ChecklistTemplate.code == code)):
        raise ValidationFailed({"code": ["code_taken"]})
    template = ChecklistTemplate(
        code=code, name_zh=name["zh-CN"], name_en=name["en"], items=_check_items(items)
    )
    session.add(template)
    flush_or_conflict(session)
    return template


def update_checklist_template(
    session: Session, *, template_id: uuid.UUID, changes: dict[str, Any]
) -> ChecklistTemplate:
    """Orders already created keep the items they were given."""
    template = get_checklist_template(session, template_id=template_id)
    if "name" in changes:
        template.name_zh, template.name_en = changes["name"]["zh-CN"], changes["name"]["en"]
    if "items" in changes:
        template.items = _check_items(changes["items"])
    if "active" in changes:
        template.active = changes["active"]
    return template


def get_checklist_template(session: Session, *, template_id: uuid.UUID) -> ChecklistTemplate:
    template = session.get(ChecklistTemplate, template_id)
    if template is None:
        raise NotFound()
    return template


def list_checklist_templates(
    session: Session, *, page: int, page_size: int
) -> tuple[list[ChecklistTemplate], int]:
    stmt = select(ChecklistTemplate)
    total = count_rows(session, stmt)
    rows = session.scalars(
        one_page(stmt.order_by(ChecklistTemplate.code), page=page, page_size=page_size)
    )
    return list(rows), total


def check_checklist_template(session: Session, *, template_id: uuid.UUID | None) -> None:
    """A template a model or plan may point at: one that exists and is active."""
    if template_id is None:
        return
    template = session.get(ChecklistTemplate, template_id)
    if template is None or not template.active:
        raise ValidationFailed({"checklist_template_id": ["unknown_checklist_template"]})


def check_skills(session: Session, skills: list[dict[str, Any]]) -> None:
    if not skills:
        return
    known = {s.code for s in technicians_service.list_skills(session, page=1, page_size=500)[0]}
    unknown = {
        i: {"code": ["unknown_skill"]} for i, s in enumerate(skills) if s["code"] not in known
    }
    if unknown:
        raise ValidationFailed({"required_skills": unknown})  # type: ignore[dict-item]


# --- asset models ---------------------------------------------------------------------------


def _check_meters(meters: list[dict[str, Any]], field: str = "meters") -> list[dict[str, Any]]:
    codes = [m["code"] for m in meters]
    if len(set(codes)) != len(codes):
        raise ValidationFailed({field: ["duplicate_meter"]})
    return [
        {"code": m["code"], "unit": m["unit"], "counter": m.get("counter", True)} for m in meters
    ]


def create_asset_model(
    session: Session,
    *,
    manufacturer: str,
    model: str,
    kind: str,
    category_id: uuid.UUID | None = None,
    required_skills: list[dict[str, Any]] | None = None,
    checklist_template_id: uuid.UUID | None = None,
    meters: list[dict[str, Any]] | None = None,
    part_ids: list[uuid.UUID] | None = None,
) -> AssetModel:
    if session.scalar(
        select(AssetModel.id).where(
            AssetModel.manufacturer == manufacturer.strip(), AssetModel.model == model.strip()
        )
    ):
        raise ValidationFailed({"model": ["model_taken"]})
    row = AssetModel(
        manufacturer=manufacturer.strip(),
        model=model.strip(),
        kind=kind,
        active=True,
    )
    _fill_model(
        session,
        row,
        {
            "category_id": category_id,
            "required_skills": required_skills or [],
            "checklist_template_id": checklist_template_id,
            "meters": meters or [],
            "part_ids": part_ids or [],
        },
    )
    session.add(row)
    flush_or_conflict(session)
    return row


def _fill_model(session: Session, row: AssetModel, values: dict[str, Any]) -> None:
    if "category_id" in values:
        if values["category_id"] is not None and not workorders_service.category_exists(
            session, category_id=values["category_id"]
        ):
            raise ValidationFailed({"category_id": ["unknown_category"]})
        row.category_id = values["category_id"]
    if "required_skills" in values:
        check_skills(session, values["required_skills"])
        row.required_skills = values["required_skills"]
    if "checklist_template_id" in values:
        check_checklist_template(session, template_id=values["checklist_template_id"])
        row.checklist_template_id = values["checklist_template_id"]
    if "meters" in values:
        row.meters = _check_meters(values["meters"])
    if "part_ids" in values:
        row.parts = [
            inventory_service.get_part(session, part_id=part_id, field="part_ids")
            for part_id in dict.fromkeys(values["part_ids"])
        ]
    for key in ("kind", "active"):
        if key in values:
            setattr(row, key, values[key])


def update_asset_model(
    session: Session, *, model_id: uuid.UUID, changes: dict[str, Any]
) -> AssetModel:
    row = get_asset_model(session, model_id=model_id)
    _fill_model(session, row, changes)
    return row


def get_asset_model(session: Session, *, model_id: uuid.UUID) -> AssetModel:
    row = session.get(AssetModel, model_id)
    if row is None:
        raise NotFound()
    return row


def list_asset_models(
    session: Session, *, kind: str | None = None, q: str | None = None, page: int, page_size: int
) -> tuple[list[AssetModel], int]:
    stmt = select(AssetModel)
    if kind:
        stmt = stmt.where(AssetModel.kind == kind)
    if q:
        stmt = stmt.where(matches_any(q, AssetModel.manufacturer, AssetModel.model))
    total = count_rows(session, stmt)
    rows = session.scalars(
        one_page(
            stmt.order_by(AssetModel.manufacturer, AssetModel.model),
            page=page,
            page_size=page_size,
        )
    )
    return list(rows), total


# --- assets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetFilters:
    site_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    model_id: uuid.UUID | None = None
    status: str | None = None
    kind: str | None = None
    q: str | None = None


def new_qr_code() -> str:
    """What the sticker holds: unguessable, so the public form cannot be walked asset by asset."""
    return secrets.token_urlsafe(12)


def create_asset(
    session: Session,
    *,
    serial: str,
    model_id: uuid.UUID,
    site_id: uuid.UUID,
    parent_id: uuid.UUID | None = None,
    name: str | None = None,
    installed_on: date | None = None,
    warranty_until: date | None = None,
    status: str = "active",
    meters: list[dict[str, Any]] | None = None,
) -> Asset:
    serial = serial.strip()
    if find_asset_by_serial(session, serial=serial) is not None:
        raise ValidationFailed({"serial": ["serial_taken"]})
    model = _active_model(session, model_id)
    site = _known_site(session, site_id)
    asset = Asset(
        id=uuid.uuid4(),
        serial=serial,
        model_id=model.id,
        site_id=site.id,
        customer_id=site.customer_id,
        name=name,
        installed_on=installed_on,
        warranty_until=warranty_until,
        status=status,
        qr_code=new_qr_code(),
        meters=None if meters is None else _check_meters(meters),
        version=1,
    )
    _check_dates(installed_on, warranty_until)
    if parent_id is not None:
        _check_parent(session, asset, parent_id)
    asset.parent_id = parent_id
    session.add(asset)
    flush_or_conflict(session)
    return asset


def _active_model(session: Session, model_id: uuid.UUID) -> AssetModel:
    model = session.get(AssetModel, model_id)
    if model is None or not model.active:
        raise ValidationFailed({"model_id": ["unknown_asset_model"]})
    return model


def _known_site(session: Session, site_id: uuid.UUID) -> Site:
    try:
        return customers_service.get_site(session, site_id=site_id)
    except NotFound as exc:
        raise ValidationFailed({"site_id": ["unknown_site"]}) from exc


def _check_dates(installed_on: date | None, warranty_until: date | None) -> None:
    if installed_on and warranty_until and warranty_until < installed_on:
        raise ValidationFailed({"warranty_until": ["warranty_before_install"]})


def _check_parent(session: Session, asset: Asset, parent_id: uuid.UUID) -> None:
    parent = session.get(Asset, parent_id)
    if parent is None:
        raise ValidationFailed({"parent_id": ["unknown_asset"]})
    if parent.site_id != asset.site_id:
        raise ValidationFailed({"parent_id": ["parent_at_other_site"]})
    # A component cannot contain what contains it.
    seen = {asset.id}
    current: Asset | None = parent
    while current is not None:
        if current.id in seen:
            raise ValidationFailed({"parent_id": ["parent_cycle"]})
        seen.add(current.id)
        current = session.get(Asset, current.parent_id) if current.parent_id else None


ASSET_EDITABLE = ("name", "installed_on", "warranty_until", "status", "site_id", "parent_id")


def update_asset(session: Session, *, asset_id: uuid.UUID, changes: dict[str, Any]) -> Asset:
    asset = get_asset(session, asset_id=asset_id, lock=True)
    if "model_id" in changes:
        asset.model_id = _active_model(session, changes["model_id"]).id
    if "site_id" in changes and changes["site_id"] != asset.site_id:
        asset.customer_id = _known_site(session, changes["site_id"]).customer_id
    for key in ASSET_EDITABLE:
        if key in changes:
            setattr(asset, key, changes[key])
    if "meters" in changes:
        asset.meters = None if changes["meters"] is None else _check_meters(changes["meters"])
    _check_dates(asset.installed_on, asset.warranty_until)
    if changes.get("parent_id") is not None:
        _check_parent(session, asset, changes["parent_id"])
    asset.version += 1
    session.flush()  # the relationships of the response follow the new ids
    session.refresh(asset)
    return asset


def get_asset(session: Session, *, asset_id: uuid.UUID, lock: bool = False) -> Asset:
    stmt = select(Asset).where(Asset.id == asset_id)
    asset = session.scalar(stmt.with_for_update(of=Asset) if lock else stmt)
    if asset is None:
        raise NotFound()
    return asset


def find_asset_by_serial(session: Session, *, serial: str) -> Asset | None:
    return session.scalar(select(Asset).where(func.lower(Asset.serial) == serial.strip().lower()))


def find_asset_by_qr_code(session: Session, *, code: str) -> Asset | None:
    return session.scalar(select(Asset).where(Asset.qr_code == code))


def list_assets(
    session: Session, *, filters: AssetFilters, page: int, page_size: int
) -> tuple[list[Asset], int]:
    f = filters
    stmt = select(Asset)
    for column, value in (
        (Asset.site_id, f.site_id),
        (Asset.customer_id, f.customer_id),
        (Asset.parent_id, f.parent_id),
        (Asset.model_id, f.model_id),
        (Asset.status, f.status),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.kind or f.q:
        stmt = stmt.join(AssetModel, AssetModel.id == Asset.model_id)
        if f.kind:
            stmt = stmt.where(AssetModel.kind == f.kind)
        if f.q:
            stmt = stmt.where(
                matches_any(
                    f.q, Asset.serial, Asset.name, AssetModel.model, AssetModel.manufacturer
                )
            )
    total = count_rows(session, stmt, cap=10_000)
    rows = session.scalars(
        one_page(stmt.order_by(Asset.serial), page=page, page_size=page_size)
    ).all()
    return list(rows), total


def under_warranty(asset: Asset, *, on: date) -> bool:
    return asset.warranty_until is not None and on <= asset.warranty_until


def map_alarm(session: Session, *, asset: Asset, code: str) -> AlarmCode | None:
    """The rule for this code on this asset's model, else the rule for any model."""
    return session.scalar(
        select(AlarmCode)
        .where(
            AlarmCode.code == code,
            or_(AlarmCode.model_id == asset.model_id, AlarmCode.model_id.is_(None)),
        )
        .order_by(AlarmCode.model_id.is_(None))
        .limit(1)
    )
