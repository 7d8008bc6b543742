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


class RunCreateSchema(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    technician_ids = fields.List(fields.UUID(), validate=validate.Length(max=1000))
    work_order_ids = fields.List(fields.UUID(), validate=validate.Length(max=5000))
    time_limit_s = fields.Integer(load_default=10, validate=validate.Range(min=1, max=120))
    apply = fields.Boolean(load_default=False)


class RunSchema(Schema):
    id = fields.UUID()
    status = fields.String()
    options = fields.Dict()
    stats = fields.Dict(allow_none=True)
    diff = fields.Dict(allow_none=True)
    routes = fields.Function(lambda r: (r.plan or {}).get("routes", []))
    unassigned = fields.Function(lambda r: (r.plan or {}).get("unassigned", []))
    skipped = fields.Function(lambda r: (r.snapshot or {}).get("skipped", []))
    applied = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    requested_by_name = fields.String()
    created_at = UtcDateTime()
    started_at = UtcDateTime(allow_none=True)
    finished_at = UtcDateTime(allow_none=True)
    applied_at = UtcDateTime(allow_none=True)


class SuggestionArgsSchema(Schema):
    work_order_id = fields.UUID(required=True)
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))


class SuggestionSchema(Schema):
    technician_id = fields.String()
    name = fields.String(allow_none=True)
    position = fields.Integer()
    eta_at = UtcDateTime()
    start_at = UtcDateTime()
    added_travel_s = fields.Integer()
    added_distance_m = fields.Integer(allow_none=True)
    lateness_s = fields.Integer()
