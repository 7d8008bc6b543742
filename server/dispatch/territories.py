"""Service territories: polygons in PostGIS, created from GeoJSON (one at a time or a whole
FeatureCollection), checked and repaired with shapely, and the engineers who cover each.

GeoJSON as drawn by hand or exported from a GIS is often not valid (self-intersecting rings,
duplicate points); `make_valid` repairs it and only the polygonal part is kept. Coordinates are
WGS-84 longitude, latitude, as GeoJSON says.
"""

from __future__ import annotations

import uuid
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from shapely import geometry as shapely_geometry
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.validation import make_valid
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.dispatch.models import TechnicianTerritory, Territory
from server.errors import NotFound, ValidationFailed
from server.queries import flush_or_conflict
from server.technicians.models import Technician

MAX_VERTICES = 20_000


def to_multipolygon(geojson: Any, *, field: str = "area") -> MultiPolygon:
    """A valid MultiPolygon from a GeoJSON Polygon, MultiPolygon or Feature, or 422."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationFailed({field: ["polygon_required"]})
    try:
        raw = shape(geojson)
    except (ShapelyError, GEOSException, ValueError, TypeError, IndexError, KeyError) as exc:
        raise ValidationFailed({field: ["invalid_geometry"]}) from exc
    if _vertices(raw) > MAX_VERTICES:
        raise ValidationFailed({field: ["geometry_too_complex"]})
    minx, miny, maxx, maxy = raw.bounds if not raw.is_empty else (0, 0, 0, 0)
    if raw.is_empty or not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationFailed({field: ["invalid_geometry"]})
    repaired = raw if raw.is_valid else make_valid(raw)
    polygons = _polygons(repaired)
    if not polygons:
        raise ValidationFailed({field: ["invalid_geometry"]})
    return MultiPolygon(polygons)


def _polygons(geom: Any) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty and geom.area > 0 else []
    if isinstance(geom, MultiPolygon | shapely_geometry.GeometryCollection):
        found: list[Polygon] = []
        for part in geom.geoms:
            found.extend(_polygons(part))
        return found
    return []


def _vertices(geom: Any) -> int:
    if isinstance(geom, Polygon):
        return len(geom.exterior.coords) + sum(len(r.coords) for r in geom.interiors)
    if hasattr(geom, "geoms"):
        return sum(_vertices(g) for g in geom.geoms)
    return 0


def as_geojson(territory: Territory) -> dict[str, Any]:
    return dict(mapping(to_shape(territory.area)))


def list_territories(session: Session, *, active: bool | None = True) -> list[Territory]:
    stmt = select(Territory)
    if active is not None:
        stmt = stmt.where(Territory.active.is_(active))
    return list(session.scalars(stmt.order_by(Territory.code)))


def get_territory(session: Session, *, territory_id: uuid.UUID) -> Territory:
    territory = session.get(Territory, territory_id)
    if territory is None:
        raise NotFound()
    return territory


def create_territory(
    session: Session,
    *,
    code: str,
    name_zh: str,
    name_en: str,
    area: Any,
    strict: bool = False,
) -> Territory:
    territory = Territory(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        area=from_shape(to_multipolygon(area), srid=4326),
        strict=strict,
        active=True,
    )
    session.add(territory)
    flush_or_conflict(session)
    return territory


def update_territory(
    session: Session, *, territory_id: uuid.UUID, changes: dict[str, Any]
) -> Territory:
    territory = get_territory(session, territory_id=territory_id)
    if "area" in changes:
        territory.area = from_shape(to_multipolygon(changes.pop("area")), srid=4326)
    for key, value in changes.items():
        setattr(territory, key, value)
    session.flush()
    return territory


def import_feature_collection(session: Session, collection: Any) -> dict[str, int]:
    """Upsert territories by `properties.code`; every feature is checked before any is saved."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ValidationFailed({"type": ["feature_collection_required"]})
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationFailed({"features": ["required"]})
    checked: list[tuple[dict[str, Any], MultiPolygon]] = []
    errors: dict[int, Any] = {}
    for index, feature in enumerate(features):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict) or not str(properties.get("code") or "").strip():
            errors[index] = {"properties": {"code": ["required"]}}
            continue
        try:
            checked.append((properties, to_multipolygon(feature, field="geometry")))
        except ValidationFailed as exc:
            errors[index] = (exc.errors or {}).get("json", {})
    if errors:
        raise ValidationFailed({"features": errors})
    created = updated = 0
    existing = {t.code: t for t in session.scalars(select(Territory))}
    for properties, area in checked:
        code = str(properties["code"]).strip()[:32]
        name_zh = str(properties.get("name_zh") or properties.get("name") or code)[:120]
        name_en = str(properties.get("name_en") or properties.get("name") or code)[:120]
        row = existing.get(code)
        if row is None:
            row = Territory(code=code, active=True)
            session.add(row)
            existing[code] = row
            created += 1
        else:
            updated += 1
        row.name_zh, row.name_en = name_zh, name_en
        row.area = from_shape(area, srid=4326)
        row.strict = bool(properties.get("strict", False))
    session.flush()
    return {"created": created, "updated": updated}


def set_members(
    session: Session, *, territory_id: uuid.UUID, technician_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    territory = get_territory(session, territory_id=territory_id)
    wanted = set(technician_ids)
    known = set(session.scalars(select(Technician.id).where(Technician.id.in_(wanted))))
    unknown = sorted(str(t) for t in wanted - known)
    if unknown:
        raise ValidationFailed({"technician_ids": ["unknown_technician"]})
    session.execute(
        delete(TechnicianTerritory).where(TechnicianTerritory.territory_id == territory.id)
    )
    session.add_all(
        TechnicianTerritory(technician_id=t, territory_id=territory.id) for t in sorted(wanted)
    )
    session.flush()
    return sorted(wanted)


def members(session: Session, *, territory_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(TechnicianTerritory.technician_id)
            .where(TechnicianTerritory.territory_id == territory_id)
            .order_by(TechnicianTerritory.technician_id)
        )
    )


def technician_territories(session: Session) -> dict[uuid.UUID, list[str]]:
    rows = session.execute(
        select(TechnicianTerritory.technician_id, Territory.code)
        .join(Territory, Territory.id == TechnicianTerritory.territory_id)
        .where(Territory.active.is_(True))
    ).all()
    result: dict[uuid.UUID, list[str]] = {}
    for technician_id, code in rows:
        result.setdefault(technician_id, []).append(code)
    return result
