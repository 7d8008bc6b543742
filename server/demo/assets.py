"""Demo installed base: about 1,500 machines across the demo sites (air conditioners, boilers,
lifts, switchgear, routers, appliances), maintenance plans on most of them, a few weeks of
meter readings on the metered ones, and alarm codes for the connected ones.

Templates and models go through the service (a few dozen rows); assets, plans and readings
are bulk inserts, so the whole installed base takes well under a second to write.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from server.assets import readings
from server.assets import service as assets_service
from server.assets.models import Asset, MaintenancePlan, MeterReading
from server.customers.models import Site
from server.inventory.models import Part
from server.workorders.models import Category

TARGET_ASSETS = 1500


@dataclass(frozen=True)
class Kind:
    code: str
    prefix: str
    skill: str
    category: str
    # (manufacturer, model) pairs
    models: tuple[tuple[str, str], ...]
    meters: tuple[dict[str, Any], ...]
    # Share of the installed base, in percent.
    share: int
    # every N months, lead days, duration; None: no time plan for this kind
    plan: tuple[int, int, int] | None
    # meter, units per service, units a day (demo rate)
    meter_plan: tuple[str, int, int] | None
    items: tuple[dict[str, Any], ...]


def _yes(key: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "label": {"zh-CN": zh, "en": en}, "kind": "yes_no", **extra}


def _number(key: str, zh: str, en: str, low: str, high: str, unit: str) -> dict[str, Any]:
    return {
        "key": key,
        "label": {"zh-CN": zh, "en": en},
        "kind": "number",
        "min_value": Decimal(low),
        "max_value": Decimal(high),
        "unit": unit,
        "follow_up": True,
        "follow_up_priority": "high",
    }


PHOTO = {"key": "photo", "label": {"zh-CN": "现场照片", "en": "Photo of the unit"}, "kind": "photo",
         "required": False}  # fmt: skip
NOTES = {"key": "notes", "label": {"zh-CN": "备注", "en": "Notes"}, "kind": "text",
         "required": False}  # fmt: skip

KINDS: tuple[Kind, ...] = (
    Kind(
        "air_conditioner",
        "AC",
        "hvac",
        "hvac",
        (
            ("Gree", "GMV6 28kW"),
            ("Daikin", "VRV-X 22.4kW"),
            ("Midea", "MDV-V 16kW"),
            ("Haier", "KFR-72LW"),
        ),
        ({"code": "run_hours", "unit": "h", "counter": True},),
        38,
        (3, 10, 90),
        None,
        (
            _yes("filter_clean", "滤网已清洗", "Filters cleaned", follow_up=True),
            _number("supply_temp", "出风温度", "Supply air temperature", "7", "16", "°C"),
            _number("suction_pressure", "低压压力", "Suction pressure", "0.8", "1.4", "MPa"),
            _yes("drain_clear", "冷凝水排水通畅", "Condensate drain clear", follow_up=True),
            PHOTO,
            NOTES,
        ),
    ),
    Kind(
        "boiler",
        "BLR",
        "plumbing",
        "plumbing.water_heater",
        (("Viessmann", "Vitodens 200-W"), ("Bosch", "Condens 7000 W"), ("A.O. Smith", "JSQ33")),
        (
            {"code": "burner_hours", "unit": "h", "counter": True},
            {"code": "pressure", "unit": "bar", "counter": False},
        ),
        14,
        (12, 21, 120),
        ("burner_hours", 2000, 12),
        (
            _number("flue_co", "烟气一氧化碳", "Flue CO", "0", "100", "ppm"),
            _number("system_pressure", "系统压力", "System pressure", "1", "2", "bar"),
            _yes("safety_valve", "安全阀动作正常", "Safety valve works", follow_up=True),
            NOTES,
        ),
    ),
    Kind(
        "lift",
        "LFT",
        "elevator",
        "elevator",
        (("Otis", "Gen2 1000kg"), ("Schindler", "3300"), ("Mitsubishi", "NexWay")),
        ({"code": "trips", "unit": "次", "counter": True},),
        10,
        (1, 7, 120),
        ("trips", 30000, 300),
        (
            _yes("door_sensors", "门光幕正常", "Door sensors work", follow_up=True),
            _yes("brake_test", "制动器试验通过", "Brake test passed", follow_up=True),
            _yes("alarm_button", "紧急呼叫正常", "Alarm button works", follow_up=True),
            {
                "key": "signature",
                "label": {"zh-CN": "物业签字", "en": "Building manager's signature"},
                "kind": "signature",
            },
            NOTES,
        ),
    ),
    Kind(
        "switchgear",
        "SWG",
        "electrical",
        "electrical",
        (("Schneider", "MVnex 12kV"), ("ABB", "UniGear ZS1"), ("Siemens", "8DJH")),
        (),
        8,
        (12, 30, 180),
        None,
        (
            _number("insulation", "绝缘电阻", "Insulation resistance", "100", "100000", "MΩ"),
            _yes("thermal_scan", "红外测温无异常", "Thermal scan clear", follow_up=True),
            _yes("interlocks", "联锁正常", "Interlocks work", follow_up=True),
            PHOTO,
            NOTES,
        ),
    ),
    Kind(
        "router",
        "NET",
        "network",
        "network",
        (("Huawei", "AR6140"), ("H3C", "MSR3620"), ("Cisco", "ISR 1100")),
        (),
        12,
        (6, 14, 60),
        None,
        (
            _yes("firmware", "固件为最新版本", "Firmware up to date"),
            _yes("backup", "配置已备份", "Configuration backed up"),
            NOTES,
        ),
    ),
    Kind(
        "appliance",
        "APL",
        "appliance",
        "appliance",
        (("Siemens", "KA92NV02TI"), ("Haier", "EG100HB129G"), ("Fotile", "JPSD-XB1")),
        (),
        18,
        None,
        None,
        (_yes("works", "运行正常", "Works normally", follow_up=True), NOTES),
    ),
)
ALARMS = (
    ("E1", "air_conditioner", "high", "高压保护", "High pressure trip"),
    ("E4", "air_conditioner", "medium", "排气温度过高", "Discharge temperature high"),
    ("F0", "boiler", "urgent", "熄火保护", "Flame failure"),
    ("P1", "boiler", "high", "水压过低", "Water pressure low"),
    ("DOOR", "lift", "high", "门锁回路故障", "Door lock circuit fault"),
    ("TRAP", "lift", "urgent", "困人报警", "Passenger trapped"),
    ("LINK", "router", "high", "上行链路中断", "Uplink down"),
)


@dataclass
class AssetsReport:
    models: int = 0
    assets: int = 0
    plans: int = 0
    readings: int = 0

    def __str__(self) -> str:
        return (
            f"{self.assets} assets of {self.models} models, {self.plans} maintenance plans, "
            f"{self.readings} meter readings"
        )


def seed_assets(
    session: Session, *, now: datetime, seed: int = 20261123, target: int = TARGET_ASSETS
) -> AssetsReport:
    report = AssetsReport()
    if session.scalar(select(func.count()).select_from(Asset)):
        return report
    sites = list(session.execute(select(Site.id, Site.customer_id).where(Site.active)).all())
    if not sites:
        return report
    rng = random.Random(seed)
    categories = dict(session.execute(select(Category.code, Category.id)).all())
    models_by_kind = _models(session, rng, categories)
    report.models = sum(len(m) for m in models_by_kind.values())
    today = now.date()
    weights = [k.share for k in KINDS]
    assets: list[dict[str, Any]] = []
    for n in range(target):
        kind = rng.choices(KINDS, weights=weights)[0]
        model = rng.choice(models_by_kind[kind.code])
        site_id, customer_id = sites[rng.randrange(len(sites))]
        installed = today - timedelta(days=rng.randint(30, 365 * 9))
        assets.append(
            {
                "id": uuid.uuid4(),
                "serial": f"{kind.prefix}-{seed % 1000:03d}-{n + 1:05d}",
                "model_id": model.id,
                "site_id": site_id,
                "customer_id": customer_id,
                "name": None,
                "installed_on": installed,
                "warranty_until": installed + timedelta(days=365 * rng.choice((1, 2, 3, 5))),
                "status": "active" if rng.random() < 0.96 else "out_of_service",
                "qr_code": assets_service.new_qr_code(),
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "_kind": kind,
            }
        )
    session.execute(insert(Asset), [{k: v for k, v in a.items() if k != "_kind"} for a in assets])
    report.assets = len(assets)
    plans, reading_rows = _plans_and_readings(rng, assets, now=now)
    if plans:
        session.execute(insert(MaintenancePlan), plans)
    if reading_rows:
        session.execute(insert(MeterReading), reading_rows)
    report.plans, report.readings = len(plans), len(reading_rows)
    for code, kind_code, priority, zh, en in ALARMS:
        kind = next(k for k in KINDS if k.code == kind_code)
        readings.create_alarm_code(
            session,
            code=code,
            priority=priority,
            description={"zh-CN": zh, "en": en},
            category_id=categories.get(kind.category),
            model_id=models_by_kind[kind_code][0].id,
        )
    return report


def _models(
    session: Session, rng: random.Random, categories: dict[str, uuid.UUID]
) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    skills = {code for (code,) in session.execute(select(Part.skill_code).distinct())}
    for kind in KINDS:
        template = assets_service.create_checklist_template(
            session,
            code=f"pm-{kind.code}",
            name={"zh-CN": f"{kind.code} 保养检查", "en": f"{kind.code} service check"},
            items=list(kind.items),
        )
        parts = (
            list(session.scalars(select(Part.id).where(Part.skill_code == kind.skill)))
            if kind.skill in skills
            else []
        )
        found[kind.code] = [
            assets_service.create_asset_model(
                session,
                manufacturer=manufacturer,
                model=model,
                kind=kind.code,
                category_id=categories.get(kind.category),
                required_skills=[{"code": kind.skill, "level": 2}],
                checklist_template_id=template.id,
                meters=list(kind.meters),
                part_ids=rng.sample(parts, k=min(len(parts), 4)),
            )
            for manufacturer, model in kind.models
        ]
    return found


def _plans_and_readings(
    rng: random.Random, assets: list[dict[str, Any]], *, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A time plan on most assets (first due spread over the coming interval, so the
    forecast has work every week), a meter plan and readings on the metered kinds."""
    plans: list[dict[str, Any]] = []
    readings: list[dict[str, Any]] = []
    today = now.date()
    for asset in assets:
        kind: Kind = asset["_kind"]
        base = {
            "asset_id": asset["id"],
            "model_id": None,
            "lead_days": 7,
            "required_skills": [{"code": kind.skill, "level": 2}],
            "priority": "low",
            "window_start": time(9),
            "window_end": time(12) if rng.random() < 0.5 else time(17),
            "paused": False,
            "version": 1,
            "created_at": now - timedelta(days=30),
            "updated_at": now,
            "checklist_template_id": None,
            "interval_count": None,
            "interval_unit": None,
            "anchor": None,
            "start_on": None,
            "meter": None,
            "meter_interval": None,
        }
        if kind.plan is not None and rng.random() < 0.9:
            months, lead, minutes = kind.plan
            plans.append(
                {
                    **base,
                    "id": uuid.uuid4(),
                    "name": f"{months} 个月保养 / {months}-month service",
                    "kind": "time",
                    "interval_count": months,
                    "interval_unit": "month",
                    "anchor": rng.choice(("fixed", "fixed", "completion")),
                    "start_on": today + timedelta(days=rng.randint(1, 30 * months)),
                    "lead_days": lead,
                    "duration_minutes": minutes,
                }
            )
        if kind.meter_plan is not None:
            meter, every, per_day = kind.meter_plan
            plans.append(
                {
                    **base,
                    "id": uuid.uuid4(),
                    "name": f"每 {every} {meter} 保养 / service every {every} {meter}",
                    "kind": "meter",
                    "meter": meter,
                    "meter_interval": Decimal(every),
                    "duration_minutes": 90,
                }
            )
            value = rng.randint(every // 4, every * 3)
            for week in range(8, -1, -1):
                value += int(per_day * 7 * rng.uniform(0.6, 1.4))
                readings.append(
                    {
                        "asset_id": asset["id"],
                        "meter": meter,
                        "value": Decimal(value),
                        "at": now - timedelta(days=7 * week, hours=rng.randint(1, 20)),
                        "source": "demo",
                        "recorded_at": now,
                    }
                )
    return plans, readings
