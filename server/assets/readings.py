"""Meter readings (one at a time from the API, or signed batches from gateways) and the alarm
codes connected equipment sends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.assets import checklists
from server.assets.models import AlarmCode, AssetModel, MeterReading
from server.assets.service import find_asset_by_serial, get_asset
from server.errors import Conflict, NotFound, ValidationFailed
from server.queries import count_rows, flush_or_conflict, one_page
from server.workorders import service as workorders_service

# A reading stamped a little ahead of our clock is a gateway's clock drift, not the future.
CLOCK_SKEW = timedelta(minutes=5)


# --- meter readings -------------------------------------------------------------------------


def meter_value(value: Any) -> Decimal:
    """A reading as stored: at most three decimals, below a trillion (`as_number`'s bound)."""
    try:
        number = checklists.as_number(value)
    except checklists.Unacceptable as exc:
        raise ValidationFailed({"value": ["number_required"]}) from exc
    if number != number.quantize(Decimal("0.001")):
        raise ValidationFailed({"value": ["value_out_of_range"]})
    return number


@dataclass(frozen=True)
class ReadingOutcome:
    reading: MeterReading
    created: bool


def record_reading(
    session: Session,
    *,
    asset_id: uuid.UUID,
    meter: str,
    value: Decimal,
    at: datetime,
    now: datetime,
    unit: str | None = None,
    source: str = "api",
) -> ReadingOutcome:
    """A known meter, in its unit, not in the future; a counter never goes down (compared
    with the readings before and after `at`). The asset's row lock orders concurrent readings.
    The same meter at the same instant with the same value is the same reading (a resend)."""
    asset = get_asset(session, asset_id=asset_id, lock=True)
    definition = next((m for m in asset.meter_definitions if m["code"] == meter), None)
    if definition is None:
        raise ValidationFailed({"meter": ["unknown_meter"]})
    if unit is not None and unit != definition["unit"]:
        raise ValidationFailed({"unit": ["wrong_unit"]})
    if at > now + CLOCK_SKEW:
        raise ValidationFailed({"at": ["reading_in_future"]})
    value = meter_value(value)
    same = session.scalar(
        select(MeterReading).where(
            MeterReading.asset_id == asset.id, MeterReading.meter == meter, MeterReading.at == at
        )
    )
    if same is not None:
        if same.value == value:
            return ReadingOutcome(same, created=False)
        raise Conflict("reading_conflict")
    if definition.get("counter", True):
        before = session.scalar(
            select(MeterReading.value)
            .where(
                MeterReading.asset_id == asset.id,
                MeterReading.meter == meter,
                MeterReading.at < at,
            )
            .order_by(MeterReading.at.desc())
            .limit(1)
        )
        after = session.scalar(
            select(MeterReading.value)
            .where(
                MeterReading.asset_id == asset.id,
                MeterReading.meter == meter,
                MeterReading.at > at,
            )
            .order_by(MeterReading.at.asc())
            .limit(1)
        )
        if (before is not None and value < before) or (after is not None and value > after):
            raise ValidationFailed({"value": ["counter_went_down"]})
    reading = MeterReading(
        asset_id=asset.id, meter=meter, value=value, at=at, source=source, recorded_at=now
    )
    session.add(reading)
    session.flush()  # the id for the response
    return ReadingOutcome(reading, created=True)


def record_readings_bulk(
    session: Session,
    *,
    customer_id: uuid.UUID | None,
    readings: list[dict[str, Any]],
    now: datetime,
) -> list[dict[str, Any]]:
    """Readings from a gateway, each taken or refused on its own (a savepoint each): answers
    `stored`, `duplicate` or `rejected` with the reason, in the order sent."""
    results = []
    for item in readings:
        asset = find_asset_by_serial(session, serial=item["serial"])
        if asset is None or (customer_id is not None and asset.customer_id != customer_id):
            results.append(
                {"serial": item["serial"], "status": "rejected", "error": "unknown_asset"}
            )
            continue
        try:
            with session.begin_nested():
                outcome = record_reading(
                    session,
                    asset_id=asset.id,
                    meter=item["meter"],
                    value=item["value"],
                    at=item["at"],
                    unit=item.get("unit"),
                    now=now,
                    source="bulk",
                )
        except ValidationFailed as refused:
            fields = (refused.errors or {}).get("json", {})
            reason = next(iter(fields.values()), ["invalid"])[0] if fields else refused.error
            results.append({"serial": item["serial"], "status": "rejected", "error": reason})
            continue
        except Conflict as refused:
            results.append({"serial": item["serial"], "status": "rejected", "error": refused.error})
            continue
        results.append(
            {
                "serial": item["serial"],
                "status": "stored" if outcome.created else "duplicate",
                "error": None,
            }
        )
    return results


def list_readings(
    session: Session,
    *,
    asset_id: uuid.UUID,
    meter: str | None = None,
    since: datetime | None = None,
    page: int,
    page_size: int,
) -> tuple[list[MeterReading], int]:
    get_asset(session, asset_id=asset_id)
    stmt = select(MeterReading).where(MeterReading.asset_id == asset_id)
    if meter:
        stmt = stmt.where(MeterReading.meter == meter)
    if since:
        stmt = stmt.where(MeterReading.at >= since)
    total = count_rows(session, stmt, cap=10_000)
    rows = session.scalars(
        one_page(stmt.order_by(MeterReading.at.desc()), page=page, page_size=page_size)
    )
    return list(rows), total


def latest_value(session: Session, *, asset_id: uuid.UUID, meter: str) -> Decimal | None:
    return session.scalar(
        select(MeterReading.value)
        .where(MeterReading.asset_id == asset_id, MeterReading.meter == meter)
        .order_by(MeterReading.at.desc())
        .limit(1)
    )


# --- alarm codes ----------------------------------------------------------------------------


def create_alarm_code(
    session: Session,
    *,
    code: str,
    priority: str,
    description: dict[str, str],
    model_id: uuid.UUID | None = None,
    category_id: uuid.UUID | None = None,
) -> AlarmCode:
    if model_id is not None and session.get(AssetModel, model_id) is None:
        raise ValidationFailed({"model_id": ["unknown_asset_model"]})
    if category_id is not None and not workorders_service.category_exists(
        session, category_id=category_id
    ):
        raise ValidationFailed({"category_id": ["unknown_category"]})
    taken = session.scalar(
        select(AlarmCode.id).where(
            AlarmCode.code == code,
            AlarmCode.model_id.is_(None) if model_id is None else AlarmCode.model_id == model_id,
        )
    )
    if taken:
        raise ValidationFailed({"code": ["code_taken"]})
    row = AlarmCode(
        code=code,
        model_id=model_id,
        category_id=category_id,
        priority=priority,
        description_zh=description["zh-CN"],
        description_en=description["en"],
    )
    session.add(row)
    flush_or_conflict(session)
    return row


def list_alarm_codes(session: Session, *, page: int, page_size: int) -> tuple[list[AlarmCode], int]:
    stmt = select(AlarmCode)
    total = count_rows(session, stmt)
    rows = session.scalars(
        one_page(stmt.order_by(AlarmCode.code, AlarmCode.model_id), page=page, page_size=page_size)
    )
    return list(rows), total


def delete_alarm_code(session: Session, *, alarm_code_id: uuid.UUID) -> None:
    row = session.get(AlarmCode, alarm_code_id)
    if row is None:
        raise NotFound()
    session.delete(row)
