"""Maintenance plans over HTTP (editing, pause, skip, the forecast, a run on demand), the
checklist of a work order, and the signed feed of meter readings from gateways."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app
from flask.views import MethodView

from server.api import Blueprint, parse_json_object
from server.assets import generation, jobs, maintenance, readings
from server.assets.models import ChecklistItem, MaintenanceOccurrence, MaintenancePlan
from server.assets.schemas import (
    BulkReadingsSchema,
    BulkResultsSchema,
    ChecklistAnswerSchema,
    ChecklistItemSchema,
    ForecastArgsSchema,
    ForecastEntrySchema,
    GenerateResultSchema,
    OccurrenceSchema,
    PlanCreateSchema,
    PlanQueryArgsSchema,
    PlanSchema,
    PlanUpdateSchema,
    SkipSchema,
)
from server.auth.guard import authenticate_signed, current_actor
from server.db import db, utcnow

READERS = ("admin", "dispatcher", "agent", "manager", "technician", "warehouse")
PLANNERS = ("admin", "dispatcher", "manager")
CHECKLIST_WRITERS = ("admin", "dispatcher", "technician")

plans_blp = Blueprint(
    "maintenance_plans",
    __name__,
    url_prefix="/api/v1/maintenance-plans",
    description="Preventive maintenance on an asset or on every asset of a model",
)
checklist_blp = Blueprint(
    "work_order_checklist",
    __name__,
    url_prefix="/api/v1/work-orders",
    description="The checklist of a work order",
)
readings_feed_blp = Blueprint(
    "readings_feed",
    __name__,
    url_prefix="/api/v1/intake/iot/readings",
    description="Meter readings from connected equipment (signed)",
)


def _timezone() -> str:
    return str(current_app.config["ORG_TIMEZONE"])


@plans_blp.route("")
class Plans(MethodView):
    @plans_blp.auth(*READERS)
    @plans_blp.arguments(PlanQueryArgsSchema, location="query")
    @plans_blp.response(200, PlanSchema(many=True))
    @plans_blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[MaintenancePlan]:
        """Plans (an asset's own and its model's with `asset_id`)"""
        rows, total = maintenance.list_plans(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return rows

    @plans_blp.auth(*PLANNERS)
    @plans_blp.arguments(PlanCreateSchema)
    @plans_blp.response(201, PlanSchema)
    def post(self, args: dict[str, Any]) -> MaintenancePlan:
        """Add a plan: every N days/weeks/months or every N meter units"""
        return maintenance.create_plan(db.session, **args)


@plans_blp.route("/forecast")
class Forecast(MethodView):
    @plans_blp.auth(*READERS)
    @plans_blp.arguments(ForecastArgsSchema, location="query")
    @plans_blp.response(200, ForecastEntrySchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """What falls due in the next `days` (90 by default), by date"""
        return maintenance.forecast(db.session, now=utcnow(), timezone=_timezone(), **args)


@plans_blp.route("/generate")
class Generate(MethodView):
    @plans_blp.auth("admin", "dispatcher")
    @plans_blp.response(200, GenerateResultSchema)
    def post(self) -> Any:
        """Create the work orders now due (the periodic job does this every hour)"""
        return generation.generate_due(db.session, now=utcnow(), timezone=_timezone())


@plans_blp.route("/<uuid:plan_id>")
class PlanById(MethodView):
    @plans_blp.auth(*READERS)
    @plans_blp.response(200, PlanSchema)
    def get(self, plan_id: uuid.UUID) -> MaintenancePlan:
        """One plan"""
        return maintenance.get_plan(db.session, plan_id=plan_id)

    @plans_blp.auth(*PLANNERS)
    @plans_blp.arguments(PlanUpdateSchema)
    @plans_blp.response(200, PlanSchema)
    def patch(self, args: dict[str, Any], plan_id: uuid.UUID) -> MaintenancePlan:
        """Change a plan (orders already made keep theirs)"""
        return maintenance.update_plan(db.session, plan_id=plan_id, changes=args)


@plans_blp.route("/<uuid:plan_id>/pause")
class PausePlan(MethodView):
    @plans_blp.auth(*PLANNERS)
    @plans_blp.response(200, PlanSchema)
    def post(self, plan_id: uuid.UUID) -> MaintenancePlan:
        """Stop generating orders from this plan"""
        return maintenance.set_paused(db.session, plan_id=plan_id, paused=True)


@plans_blp.route("/<uuid:plan_id>/resume")
class ResumePlan(MethodView):
    @plans_blp.auth(*PLANNERS)
    @plans_blp.response(200, PlanSchema)
    def post(self, plan_id: uuid.UUID) -> MaintenancePlan:
        """Generate orders from this plan again"""
        return maintenance.set_paused(db.session, plan_id=plan_id, paused=False)


@plans_blp.route("/<uuid:plan_id>/skip")
class SkipOccurrence(MethodView):
    @plans_blp.auth(*PLANNERS)
    @plans_blp.arguments(SkipSchema)
    @plans_blp.response(201, OccurrenceSchema)
    @plans_blp.alt_response(409, description="Not the next occurrence, or one is open")
    def post(self, args: dict[str, Any], plan_id: uuid.UUID) -> MaintenanceOccurrence:
        """Skip the next occurrence on an asset (give its due date, as the forecast shows it)"""
        return maintenance.skip_occurrence(
            db.session,
            plan_id=plan_id,
            asset_id=args.get("asset_id"),
            due_on=args["due_on"],
            now=utcnow(),
            timezone=_timezone(),
        )


# --- the checklist of a work order ----------------------------------------------------------


@checklist_blp.route("/<uuid:work_order_id>/checklist")
class Checklist(MethodView):
    @checklist_blp.auth(*READERS)
    @checklist_blp.response(200, ChecklistItemSchema(many=True))
    def get(self, work_order_id: uuid.UUID) -> list[ChecklistItem]:
        """The order's checklist and its answers"""
        return jobs.checklist_of(db.session, work_order_id=work_order_id, actor=current_actor())


@checklist_blp.route("/<uuid:work_order_id>/checklist/<uuid:item_id>")
class ChecklistItemById(MethodView):
    @checklist_blp.auth(*CHECKLIST_WRITERS)
    @checklist_blp.arguments(ChecklistAnswerSchema)
    @checklist_blp.response(200, ChecklistItemSchema)
    @checklist_blp.alt_response(409, description="The job is not on site, or the upload is missing")
    def put(self, args: dict[str, Any], work_order_id: uuid.UUID, item_id: uuid.UUID) -> Any:
        """Answer one item (a failed check may open a follow-up order)"""
        return jobs.answer_item(
            db.session,
            work_order_id=work_order_id,
            item_id=item_id,
            actor=current_actor(),
            now=utcnow(),
            timezone=_timezone(),
            **args,
        )


# --- the signed readings feed ---------------------------------------------------------------


@readings_feed_blp.route("")
class ReadingsFeed(MethodView):
    @readings_feed_blp.integration
    @readings_feed_blp.response(200, BulkResultsSchema)
    def post(self) -> dict[str, Any]:
        """Readings from a gateway, signed like alarms: X-Timestamp and X-Signature"""
        now = utcnow()
        api_key, body = authenticate_signed("iot", now=now)
        batch = BulkReadingsSchema().load(parse_json_object(body))
        results = readings.record_readings_bulk(
            db.session, customer_id=api_key.customer_id, readings=batch["readings"], now=now
        )
        return {"results": results}
