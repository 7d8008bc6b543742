"""Demo territories: one per group of districts, drawn as the union of the districts' circles,
and every demo engineer in the territory of their home district."""

from __future__ import annotations

import math
import uuid

from shapely.affinity import scale, translate
from shapely.geometry import Point, Polygon, mapping
from shapely.ops import unary_union
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.auth.models import User
from server.demo.city import DISTRICTS, generate
from server.dispatch import territories
from server.dispatch.models import Territory
from server.technicians.models import Technician

GROUPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("CENTRAL", "中心城区", "Central",
     ("Huangpu", "Xuhui", "Changning", "Jing'an", "Putuo", "Hongkou", "Yangpu")),
    ("PUDONG", "浦东", "Pudong", ("Pudong",)),
    ("NORTH", "北部", "North", ("Baoshan", "Jiading")),
    ("SOUTHWEST", "西南", "South-west", ("Minhang", "Songjiang", "Qingpu")),
    ("SOUTH", "南部", "South", ("Fengxian",)),
)  # fmt: skip


def _circle(lat: float, lon: float, radius_km: float) -> Polygon:
    # Degrees per km differ by axis; an ellipse in degrees is a circle on the ground.
    circle = Point(0, 0).buffer(1.0, 32)
    dlat = radius_km / 111.0
    dlon = radius_km / (111.0 * math.cos(math.radians(lat)))
    return translate(scale(circle, dlon, dlat, origin=(0, 0)), lon, lat)


def seed_territories(session: Session, *, seed: int = 20261123) -> int:
    if session.scalar(select(func.count()).select_from(Territory)):
        return 0
    by_name = {d.name_en: d for d in DISTRICTS}
    group_of_district: dict[str, str] = {}
    created = 0
    for code, zh, en, names in GROUPS:
        # A little wider than the district circles, so the edges of the city are covered.
        area = unary_union([_circle(by_name[n].lat, by_name[n].lon, by_name[n].radius_km * 1.4)
                            for n in names])  # fmt: skip
        territories.create_territory(
            session, code=code, name_zh=f"{zh}片区", name_en=f"{en} area", area=mapping(area)
        )
        created += 1
        for name in names:
            group_of_district[name] = code
            group_of_district[by_name[name].name_zh] = code
    demo_techs, _ = generate(seed)
    by_code = {t.code: t for t in session.scalars(select(Territory))}
    members: dict[str, list[uuid.UUID]] = {code: [] for code, *_ in GROUPS}
    for demo in demo_techs:
        technician = session.scalar(
            select(Technician).join(User).where(User.email == f"tech{demo.number}@fieldline.demo")
        )
        code = group_of_district.get(demo.district)
        if technician is not None and code is not None:
            members[code].append(technician.id)
    for code, ids in members.items():
        territories.set_members(session, territory_id=by_code[code].id, technician_ids=ids)
    return created
