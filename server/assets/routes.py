"""Assets over HTTP: asset models, assets, their readings and history, checklist templates and
alarm codes. Maintenance plans, checklists on work orders and the signed readings feed are in
`routes_plans.py`."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from server.api import Blueprint, etag_headers
from server.assets import history, readings, service
from server.assets.models import AlarmCode, Asset, AssetModel, ChecklistTemplate, MeterReading
from server.assets.schemas import (
    AlarmCodeCreateSchema,
    AlarmCodeSchema,
    AssetCreateSchema,
    AssetModelCreateSchema,
    AssetModelQueryArgsSchema,
    AssetModelSchema,
    AssetModelUpdateSchema,
    AssetQueryArgsSchema,
    AssetSchema,
    AssetUpdateSchema,
    ChecklistTemplateCreateSchema,
    ChecklistTemplateSchema,
    ChecklistTemplateUpdateSchema,
    HistoryArgsSchema,
    HistoryEntrySchema,
    ReadingCreateSchema,
    ReadingQueryArgsSchema,
    ReadingSchema,
)
from server.auth.guard import current_actor
from server.db import db, utcnow

READERS = ("admin", "dispatcher", "agent", "manager", "technician", "warehouse")
EDITORS = ("admin", "dispatcher")
READING_WRITERS = ("admin", "dispatcher", "technician")

assets_blp = Blueprint(
    "assets", __name__, url_prefix="/api/v1/assets", description="Installed equipment"
)
models_blp = Blueprint(
    "asset_models", __name__, url_prefix="/api/v1/asset-models", description="Equipment models"
)
templates_blp = Blueprint(
    "checklist_templates",
    __name__,
    url_prefix="/api/v1/checklist-templates",
    description="Checklists copied onto work orders",
)
alarms_blp = Blueprint(
    "alarm_codes",
    __name__,
    url_prefix="/api/v1/alarm-codes",
    description="What connected equipment's alarm codes mean for the work orders they open",
)


# --- asset models ---------------------------------------------------------------------------


@models_blp.route("")
class AssetModels(MethodView):
    @models_blp.auth(*READERS)
    @models_blp.arguments(AssetModelQueryArgsSchema, location="query")
    @models_blp.response(200, AssetModelSchema(many=True))
    @models_blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[AssetModel]:
        """Equipment models (filter by kind; search make and model)"""
        rows, total = service.list_asset_models(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return rows

    @models_blp.auth(*EDITORS)
    @models_blp.arguments(AssetModelCreateSchema)
    @models_blp.response(201, AssetModelSchema)
    def post(self, args: dict[str, Any]) -> AssetModel:
        """Add a model: its meters, default checklist, skills and the parts that fit it"""
        return service.create_asset_model(db.session, **args)


@models_blp.route("/<uuid:model_id>")
class AssetModelById(MethodView):
    @models_blp.auth(*READERS)
    @models_blp.response(200, AssetModelSchema)
    def get(self, model_id: uuid.UUID) -> AssetModel:
        """One equipment model"""
        return service.get_asset_model(db.session, model_id=model_id)

    @models_blp.auth(*EDITORS)
    @models_blp.arguments(AssetModelUpdateSchema)
    @models_blp.response(200, AssetModelSchema)
    def patch(self, args: dict[str, Any], model_id: uuid.UUID) -> AssetModel:
        """Change a model's meters, checklist, skills or parts, or retire it"""
        return service.update_asset_model(db.session, model_id=model_id, changes=args)


# --- assets ---------------------------------------------------------------------------------


@assets_blp.route("")
class Assets(MethodView):
    @assets_blp.auth(*READERS)
    @assets_blp.arguments(AssetQueryArgsSchema, location="query")
    @assets_blp.response(200, AssetSchema(many=True))
    @assets_blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Asset]:
        """Installed equipment (filter by site, customer, model, kind, status; search serials)"""
        rows, total = service.list_assets(
            db.session,
            filters=service.AssetFilters(**args),
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return rows

    @assets_blp.auth(*EDITORS)
    @assets_blp.arguments(AssetCreateSchema)
    @assets_blp.response(201, AssetSchema)
    def post(self, args: dict[str, Any]) -> Any:
        """Register an installed machine (serial unique); answers its QR code value"""
        asset = service.create_asset(db.session, **args)
        return asset, 201, etag_headers(asset.version)


@assets_blp.route("/<uuid:asset_id>")
class AssetById(MethodView):
    @assets_blp.auth(*READERS)
    @assets_blp.response(200, AssetSchema)
    def get(self, asset_id: uuid.UUID) -> Any:
        """One asset"""
        asset = service.get_asset(db.session, asset_id=asset_id)
        return asset, 200, etag_headers(asset.version)

    @assets_blp.auth(*EDITORS)
    @assets_blp.arguments(AssetUpdateSchema)
    @assets_blp.response(200, AssetSchema)
    def patch(self, args: dict[str, Any], asset_id: uuid.UUID) -> Any:
        """Move, re-parent, change warranty or status of an asset"""
        asset = service.update_asset(db.session, asset_id=asset_id, changes=args)
        return asset, 200, etag_headers(asset.version)


@assets_blp.route("/<uuid:asset_id>/history")
class AssetHistory(MethodView):
    @assets_blp.auth(*READERS)
    @assets_blp.arguments(HistoryArgsSchema, location="query")
    @assets_blp.response(200, HistoryEntrySchema(many=True))
    def get(self, args: dict[str, Any], asset_id: uuid.UUID) -> list[dict[str, Any]]:
        """One timeline: work orders, parts used, readings and plan occurrences, newest first"""
        return history.asset_history(
            db.session, asset_id=asset_id, actor=current_actor(), limit=args["limit"]
        )


@assets_blp.route("/<uuid:asset_id>/readings")
class AssetReadings(MethodView):
    @assets_blp.auth(*READERS)
    @assets_blp.arguments(ReadingQueryArgsSchema, location="query")
    @assets_blp.response(200, ReadingSchema(many=True))
    @assets_blp.paginate()
    def get(
        self, args: dict[str, Any], asset_id: uuid.UUID, pagination_parameters: Any
    ) -> list[MeterReading]:
        """Meter readings of an asset, newest first"""
        rows, total = readings.list_readings(
            db.session,
            asset_id=asset_id,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return rows

    @assets_blp.auth(*READING_WRITERS)
    @assets_blp.arguments(ReadingCreateSchema)
    @assets_blp.response(201, ReadingSchema)
    @assets_blp.alt_response(200, description="The same reading was already stored")
    @assets_blp.alt_response(409, description="Another value at the same instant")
    def post(self, args: dict[str, Any], asset_id: uuid.UUID) -> Any:
        """Record a meter reading (known meter, its unit, not in the future, counters rise)"""
        outcome = readings.record_reading(
            db.session, asset_id=asset_id, now=utcnow(), source="api", **args
        )
        return outcome.reading, 201 if outcome.created else 200


# --- checklist templates --------------------------------------------------------------------


@templates_blp.route("")
class ChecklistTemplates(MethodView):
    @templates_blp.auth(*READERS)
    @templates_blp.response(200, ChecklistTemplateSchema(many=True))
    @templates_blp.paginate()
    def get(self, pagination_parameters: Any) -> list[ChecklistTemplate]:
        """Checklist templates"""
        rows, total = service.list_checklist_templates(
            db.session, page=pagination_parameters.page, page_size=pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return rows

    @templates_blp.auth(*EDITORS)
    @templates_blp.arguments(ChecklistTemplateCreateSchema)
    @templates_blp.response(201, ChecklistTemplateSchema)
    def post(self, args: dict[str, Any]) -> ChecklistTemplate:
        """Add a template: yes/no, numbers with a range and unit, text, photo, signature"""
        return service.create_checklist_template(db.session, **args)


@templates_blp.route("/<uuid:template_id>")
class ChecklistTemplateById(MethodView):
    @templates_blp.auth(*READERS)
    @templates_blp.response(200, ChecklistTemplateSchema)
    def get(self, template_id: uuid.UUID) -> ChecklistTemplate:
        """One checklist template"""
        return service.get_checklist_template(db.session, template_id=template_id)

    @templates_blp.auth(*EDITORS)
    @templates_blp.arguments(ChecklistTemplateUpdateSchema)
    @templates_blp.response(200, ChecklistTemplateSchema)
    def patch(self, args: dict[str, Any], template_id: uuid.UUID) -> ChecklistTemplate:
        """Change a template (orders already created keep their checklists)"""
        return service.update_checklist_template(db.session, template_id=template_id, changes=args)


# --- alarm codes ----------------------------------------------------------------------------


@alarms_blp.route("")
class AlarmCodes(MethodView):
    @alarms_blp.auth(*READERS)
    @alarms_blp.response(200, AlarmCodeSchema(many=True))
    @alarms_blp.paginate()
    def get(self, pagination_parameters: Any) -> list[AlarmCode]:
        """Alarm codes and the category and priority of the orders they open"""
        rows, total = readings.list_alarm_codes(
            db.session, page=pagination_parameters.page, page_size=pagination_parameters.page_size
        )
        pagination_parameters.item_count = total
        return rows

    @alarms_blp.auth(*EDITORS)
    @alarms_blp.arguments(AlarmCodeCreateSchema)
    @alarms_blp.response(201, AlarmCodeSchema)
    def post(self, args: dict[str, Any]) -> AlarmCode:
        """Map an alarm code (for one model, or any) to a category and priority"""
        return readings.create_alarm_code(db.session, **args)


@alarms_blp.route("/<uuid:alarm_code_id>")
class AlarmCodeById(MethodView):
    @alarms_blp.auth(*EDITORS)
    @alarms_blp.response(204)
    def delete(self, alarm_code_id: uuid.UUID) -> None:
        """Remove a mapping (the code then goes through the ordinary triage rules)"""
        readings.delete_alarm_code(db.session, alarm_code_id=alarm_code_id)
