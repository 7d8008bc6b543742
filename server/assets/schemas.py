"""The API's shapes for assets, asset models, checklists, readings, maintenance plans and the
forecast (DESIGN §13, assets row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.assets.checklists import KINDS
from server.assets.models import (
    ASSET_STATUSES,
    PLAN_ANCHORS,
    PLAN_KINDS,
    PLAN_UNITS,
    PRIORITIES,
)
from server.assets.service import under_warranty
from server.fields import UtcDateTime
from server.workorders.schemas import SkillNeedSchema

CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$")


def meter_number(**options: Any) -> fields.Decimal:
    return fields.Decimal(
        as_string=True, allow_nan=False, validate=validate.Range(min=-1e14, max=1e14), **options
    )


class AssetNamesSchema(Schema):
    zh_cn = fields.String(
        data_key="zh-CN", attribute="zh-CN", required=True, validate=validate.Length(1, 200)
    )
    en = fields.String(required=True, validate=validate.Length(1, 200))


# --- checklist templates --------------------------------------------------------------------


class ChecklistItemSpecSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(1, 64))
    label = fields.Nested(AssetNamesSchema, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    required = fields.Boolean(load_default=True)
    min_value = fields.Decimal(allow_none=True, as_string=True, allow_nan=False)
    max_value = fields.Decimal(allow_none=True, as_string=True, allow_nan=False)
    unit = fields.String(allow_none=True, validate=validate.Length(1, 16))
    follow_up = fields.Boolean(
        load_default=False,
        metadata={"description": "a failed check or a number out of range opens a follow-up"},
    )
    follow_up_priority = fields.String(load_default="medium", validate=validate.OneOf(PRIORITIES))


class ChecklistTemplateSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    name = fields.Function(lambda t: {"zh-CN": t.name_zh, "en": t.name_en})
    items = fields.List(fields.Dict())
    active = fields.Boolean()


class ChecklistTemplateCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 64))
    name = fields.Nested(AssetNamesSchema, required=True)
    items = fields.List(
        fields.Nested(ChecklistItemSpecSchema), required=True, validate=validate.Length(1, 100)
    )


class ChecklistTemplateUpdateSchema(Schema):
    name = fields.Nested(AssetNamesSchema)
    items = fields.List(fields.Nested(ChecklistItemSpecSchema), validate=validate.Length(1, 100))
    active = fields.Boolean()


class ChecklistItemSchema(Schema):
    id = fields.UUID()
    position = fields.Integer()
    key = fields.String()
    label = fields.Function(lambda i: {"zh-CN": i.label_zh, "en": i.label_en})
    kind = fields.String()
    required = fields.Boolean()
    min_value = fields.Decimal(as_string=True, allow_none=True)
    max_value = fields.Decimal(as_string=True, allow_none=True)
    unit = fields.String(allow_none=True)
    follow_up = fields.Boolean()
    value = fields.Raw(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    note = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    answered_by = fields.String(allow_none=True)
    follow_up_work_order_id = fields.UUID(allow_none=True)


class ChecklistAnswerSchema(Schema):
    value = fields.Raw(
        required=True,
        allow_none=False,
        metadata={"description": "yes_no: true/false; number; text; photo/signature: sha256"},
    )
    unit = fields.String(validate=validate.Length(1, 16))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


# --- asset models and assets ----------------------------------------------------------------


class MeterSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    unit = fields.String(required=True, validate=validate.Length(1, 16))
    counter = fields.Boolean(
        load_default=True, metadata={"description": "only goes up (hours, kWh, starts)"}
    )


class CompatiblePartSchema(Schema):
    id = fields.UUID()
    sku = fields.String()
    name = fields.Function(lambda p: {"zh-CN": p.name_zh, "en": p.name_en})


class AssetModelRefSchema(Schema):
    id = fields.UUID()
    manufacturer = fields.String()
    model = fields.String()
    kind = fields.String()


class AssetModelSchema(Schema):
    id = fields.UUID()
    manufacturer = fields.String()
    model = fields.String()
    kind = fields.String()
    category_id = fields.UUID(allow_none=True)
    required_skills = fields.List(fields.Nested(SkillNeedSchema))
    checklist_template_id = fields.UUID(allow_none=True)
    meters = fields.List(fields.Nested(MeterSchema))
    parts = fields.List(fields.Nested(CompatiblePartSchema))
    active = fields.Boolean()


class _AssetModelFields(Schema):
    kind = fields.String(validate=CODE)
    category_id = fields.UUID(allow_none=True)
    required_skills = fields.List(fields.Nested(SkillNeedSchema), validate=validate.Length(max=10))
    checklist_template_id = fields.UUID(allow_none=True)
    meters = fields.List(fields.Nested(MeterSchema), validate=validate.Length(max=20))
    part_ids = fields.List(fields.UUID(), validate=validate.Length(max=500))


class AssetModelCreateSchema(_AssetModelFields):
    manufacturer = fields.String(required=True, validate=validate.Length(1, 120))
    model = fields.String(required=True, validate=validate.Length(1, 120))
    kind = fields.String(required=True, validate=CODE)


class AssetModelUpdateSchema(_AssetModelFields):
    active = fields.Boolean()


class AssetModelQueryArgsSchema(Schema):
    kind = fields.String(validate=CODE)
    q = fields.String(validate=validate.Length(1, 100))


class AssetSchema(Schema):
    id = fields.UUID()
    serial = fields.String()
    name = fields.String(allow_none=True)
    model = fields.Nested(AssetModelRefSchema)
    site = fields.Function(lambda a: {"id": str(a.site.id), "address": a.site.address})
    customer_id = fields.UUID()
    parent_id = fields.UUID(allow_none=True)
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True)
    under_warranty = fields.Method("_under_warranty")
    status = fields.String()
    qr_code = fields.String()
    meters = fields.Function(lambda a: a.meter_definitions)
    version = fields.Integer()
    created_at = fields.DateTime()

    def _under_warranty(self, asset: Any) -> bool:
        """Today, in the organisation's time zone (the day a warranty ends is still covered)."""
        today = datetime.now(ZoneInfo(current_app.config["ORG_TIMEZONE"])).date()
        return under_warranty(asset, on=today)


class _AssetFields(Schema):
    name = fields.String(allow_none=True, validate=validate.Length(max=120))
    site_id = fields.UUID()
    parent_id = fields.UUID(allow_none=True)
    installed_on = fields.Date(allow_none=True)
    warranty_until = fields.Date(allow_none=True)
    status = fields.String(validate=validate.OneOf(ASSET_STATUSES))
    meters = fields.List(
        fields.Nested(MeterSchema),
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "this asset's own meters; null: the model's"},
    )


class AssetCreateSchema(_AssetFields):
    serial = fields.String(required=True, validate=validate.Length(1, 64))
    model_id = fields.UUID(required=True)
    site_id = fields.UUID(required=True)


class AssetUpdateSchema(_AssetFields):
    model_id = fields.UUID()


class AssetQueryArgsSchema(Schema):
    site_id = fields.UUID()
    customer_id = fields.UUID()
    parent_id = fields.UUID(metadata={"description": "the components of this asset"})
    model_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(ASSET_STATUSES))
    kind = fields.String(validate=CODE)
    q = fields.String(validate=validate.Length(1, 100))


class HistoryArgsSchema(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class HistoryEntrySchema(Schema):
    at = fields.DateTime()
    kind = fields.String(metadata={"description": "work_order | part | reading | occurrence"})
    work_order = fields.Dict()
    part = fields.Dict()
    reading = fields.Dict()
    occurrence = fields.Dict()


# --- readings -------------------------------------------------------------------------------


class ReadingCreateSchema(Schema):
    meter = fields.String(required=True, validate=CODE)
    value = meter_number(required=True)
    at = UtcDateTime(required=True)
    unit = fields.String(validate=validate.Length(1, 16))


class ReadingSchema(Schema):
    id = fields.Integer()
    meter = fields.String()
    value = fields.Decimal(as_string=True)
    at = fields.DateTime()
    source = fields.String()


class ReadingQueryArgsSchema(Schema):
    meter = fields.String(validate=CODE)
    since = UtcDateTime()


class BulkReadingSchema(ReadingCreateSchema):
    serial = fields.String(required=True, validate=validate.Length(1, 64))


class BulkReadingsSchema(Schema):
    readings = fields.List(
        fields.Nested(BulkReadingSchema), required=True, validate=validate.Length(1, 1000)
    )


class BulkResultSchema(Schema):
    serial = fields.String()
    status = fields.String(metadata={"description": "stored | duplicate | rejected"})
    error = fields.String(allow_none=True)


class BulkResultsSchema(Schema):
    results = fields.List(fields.Nested(BulkResultSchema))


# --- alarm codes ----------------------------------------------------------------------------


class AlarmCodeSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    model_id = fields.UUID(allow_none=True)
    category_id = fields.UUID(allow_none=True)
    priority = fields.String()
    description = fields.Function(lambda a: {"zh-CN": a.description_zh, "en": a.description_en})


class AlarmCodeCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 64))
    model_id = fields.UUID(allow_none=True)
    category_id = fields.UUID(allow_none=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    description = fields.Nested(AssetNamesSchema, required=True)


# --- maintenance plans ----------------------------------------------------------------------


class PlanSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    asset_id = fields.UUID(allow_none=True)
    model_id = fields.UUID(allow_none=True)
    kind = fields.String()
    interval_count = fields.Integer(allow_none=True)
    interval_unit = fields.String(allow_none=True)
    anchor = fields.String(allow_none=True)
    start_on = fields.Date(allow_none=True)
    meter = fields.String(allow_none=True)
    meter_interval = fields.Decimal(as_string=True, allow_none=True)
    lead_days = fields.Integer()
    checklist_template_id = fields.UUID(allow_none=True)
    required_skills = fields.List(fields.Nested(SkillNeedSchema))
    duration_minutes = fields.Integer()
    priority = fields.String()
    window_start = fields.Time(allow_none=True)
    window_end = fields.Time(allow_none=True)
    paused = fields.Boolean()
    version = fields.Integer()


class _PlanFields(Schema):
    name = fields.String(validate=validate.Length(1, 120))
    interval_count = fields.Integer(allow_none=True, validate=validate.Range(1, 1000))
    interval_unit = fields.String(allow_none=True, validate=validate.OneOf(PLAN_UNITS))
    anchor = fields.String(
        allow_none=True,
        validate=validate.OneOf(PLAN_ANCHORS),
        metadata={"description": "fixed: on the calendar grid; completion: from the last one done"},
    )
    start_on = fields.Date(allow_none=True)
    meter = fields.String(allow_none=True, validate=CODE)
    meter_interval = fields.Decimal(
        allow_none=True, as_string=True, allow_nan=False, validate=validate.Range(0.001, 1e12)
    )
    lead_days = fields.Integer(validate=validate.Range(0, 365))
    checklist_template_id = fields.UUID(allow_none=True)
    required_skills = fields.List(fields.Nested(SkillNeedSchema), validate=validate.Length(max=10))
    duration_minutes = fields.Integer(validate=validate.Range(5, 1440))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    window_start = fields.Time(allow_none=True)
    window_end = fields.Time(allow_none=True)


class PlanCreateSchema(_PlanFields):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    kind = fields.String(required=True, validate=validate.OneOf(PLAN_KINDS))
    asset_id = fields.UUID(allow_none=True)
    model_id = fields.UUID(allow_none=True)

    @validates_schema
    def _one_target(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("asset_id") is None) == (data.get("model_id") is None):
            raise ValidationError("asset_or_model_required", field_name="asset_id")


class PlanUpdateSchema(_PlanFields):
    pass


class PlanQueryArgsSchema(Schema):
    asset_id = fields.UUID()
    model_id = fields.UUID()
    paused = fields.Boolean()


class SkipSchema(Schema):
    due_on = fields.Date(required=True)
    asset_id = fields.UUID(metadata={"description": "required for a plan on a model"})


class OccurrenceSchema(Schema):
    id = fields.UUID()
    plan_id = fields.UUID()
    asset_id = fields.UUID()
    due_on = fields.Date()
    status = fields.String()
    work_order_id = fields.UUID(allow_none=True)


class ForecastArgsSchema(Schema):
    days = fields.Integer(load_default=90, validate=validate.Range(1, 366))
    plan_id = fields.UUID()
    asset_id = fields.UUID()
    site_id = fields.UUID()
    customer_id = fields.UUID()
    model_id = fields.UUID()


class ForecastEntrySchema(Schema):
    plan_id = fields.UUID()
    plan_name = fields.String()
    kind = fields.String()
    asset_id = fields.UUID()
    serial = fields.String()
    model_id = fields.UUID()
    site_id = fields.UUID()
    customer_id = fields.UUID()
    due_on = fields.Date()
    due_value = fields.Decimal(as_string=True, allow_none=True)
    status = fields.String(metadata={"description": "open (order made) | planned | overdue"})
    work_order_id = fields.UUID(allow_none=True)
    duration_minutes = fields.Integer()


class GenerateResultSchema(Schema):
    created = fields.List(fields.UUID())
    failed = fields.List(fields.Dict())
