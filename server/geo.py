"""Locations: the API's `{"lat": .., "lon": ..}` and the database's `Geography(POINT, 4326)`.

Also the `bbox=minlon,minlat,maxlon,maxlat` query filter that map screens send.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from geoalchemy2 import Geometry
from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import ColumnElement, cast, func

SRID = 4326


class LocationSchema(Schema):
    lat = fields.Float(
        required=True, validate=validate.Range(min=-90, max=90, error="latitude_out_of_range")
    )
    lon = fields.Float(
        required=True, validate=validate.Range(min=-180, max=180, error="longitude_out_of_range")
    )


class Location(fields.Nested):
    """`{lat, lon}` in and out; the model attribute holds a Geography element."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(LocationSchema, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return from_geography(value)


def to_geography(lat: float, lon: float) -> WKTElement:
    """A point for a `Geography(POINT, 4326)` column. WKT is longitude first."""
    # repr keeps every digit of the float, so the point reads back exactly as it was given.
    return WKTElement(f"SRID={SRID};POINT({float(lon)!r} {float(lat)!r})", extended=True)


def from_geography(value: WKBElement | WKTElement | None) -> dict[str, float] | None:
    if value is None:
        return None
    point = to_shape(value)
    return {"lat": point.y, "lon": point.x}


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


class BBoxField(fields.String):
    """`minlon,minlat,maxlon,maxlat` (the order of GeoJSON and of map libraries)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> BBox:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            numbers = [float(part) for part in text.split(",")]
        except ValueError:
            raise ValidationError("bbox_format") from None
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise ValidationError("bbox_format")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise ValidationError("longitude_out_of_range")
        if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise ValidationError("latitude_out_of_range")
        if min_lon > max_lon or min_lat > max_lat:
            # A box across the antimeridian would need two; our map never shows one.
            raise ValidationError("bbox_min_above_max")
        return BBox(min_lon, min_lat, max_lon, max_lat)


def in_bbox(column: Any, bbox: BBox) -> ColumnElement[bool]:
    """Points of a Geography column inside the box, edges included.

    Compared as geometry because a map viewport is a lat/lon rectangle: a geography envelope's
    edges would be great circles, which bow away from the parallels the user sees.
    """
    envelope = func.ST_MakeEnvelope(bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat, SRID)
    return func.ST_Intersects(cast(column, Geometry(srid=SRID)), envelope)
