"""The API's shapes for dispatch: territories (and, with the optimizer, runs and suggestions)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.dispatch import territories
from server.fields import UtcDateTime

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


class TerritoryNameSchema(Schema):
    name_zh = fields.String(data_key="zh-CN", required=True, validate=validate.Length(1, 120))
    name_en = fields.String(data_key="en", required=True, validate=validate.Length(1, 120))


class TerritorySchema(Schema):
    id = fields.UUID()
    code = fields.String()
    name = fields.Function(lambda t: {"zh-CN": t.name_zh, "en": t.name_en})
    area = fields.Function(territories.as_geojson, metadata={"description": "GeoJSON MultiPolygon"})
    strict = fields.Boolean()
    active = fields.Boolean()
    technician_ids = fields.Function(lambda t: [str(i) for i in getattr(t, "technician_ids", [])])
    updated_at = UtcDateTime()


class TerritoryCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name = fields.Nested(TerritoryNameSchema, required=True)
    area = fields.Dict(required=True, metadata={"description": "GeoJSON Polygon or MultiPolygon"})
    strict = fields.Boolean(load_default=False)


class TerritoryUpdateSchema(Schema):
    name = fields.Nested(TerritoryNameSchema)
    area = fields.Dict()
    strict = fields.Boolean()
    active = fields.Boolean()


class MembersSchema(Schema):
    technician_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(max=1000))


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
