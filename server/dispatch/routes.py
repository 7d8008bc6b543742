"""Dispatch over HTTP: service territories, optimizer runs, instant suggestions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask.views import MethodView

from server.api import Blueprint, parse_json_object
from server.auth.guard import current_actor
from server.db import db, utcnow
from server.dispatch import (
    auto,  # noqa: F401  (listens for new urgent orders)
    runs,
    territories,
)
from server.dispatch.models import DispatchRun, Territory
from server.dispatch.schemas import (
    ImportResultSchema,
    MembersSchema,
    RunCreateSchema,
    RunSchema,
    SuggestionArgsSchema,
    SuggestionSchema,
    TerritoryCreateSchema,
    TerritorySchema,
    TerritoryUpdateSchema,
)
from server.dispatch.tasks import solve_run
from server.dispatch.travel import provider_from_settings
from server.tasks import defer

territories_blp = Blueprint(
    "territories",
    __name__,
    url_prefix="/api/v1/territories",
    description="Service areas: which engineers cover which part of the city",
)
READERS = ("admin", "dispatcher", "manager", "agent")
EDITORS = ("admin", "dispatcher")


def _with_members(territory: Territory) -> Territory:
    territory.technician_ids = territories.members(db.session, territory_id=territory.id)  # type: ignore[attr-defined]
    return territory


def _names(args: dict[str, Any]) -> dict[str, Any]:
    return {**args.pop("name", {}), **args}


@territories_blp.route("")
class Territories(MethodView):
    @territories_blp.auth(*READERS)
    @territories_blp.response(200, TerritorySchema(many=True))
    def get(self) -> list[Territory]:
        """Active territories with their areas (GeoJSON) and engineers"""
        return [_with_members(t) for t in territories.list_territories(db.session)]

    @territories_blp.auth(*EDITORS)
    @territories_blp.arguments(TerritoryCreateSchema)
    @territories_blp.response(201, TerritorySchema)
    def post(self, args: dict[str, Any]) -> Territory:
        """Draw a territory (an invalid polygon is repaired; a non-polygon is refused)"""
        return _with_members(territories.create_territory(db.session, **_names(args)))


@territories_blp.route("/<uuid:territory_id>")
class TerritoryById(MethodView):
    @territories_blp.auth(*EDITORS)
    @territories_blp.arguments(TerritoryUpdateSchema)
    @territories_blp.response(200, TerritorySchema)
    def patch(self, args: dict[str, Any], territory_id: uuid.UUID) -> Territory:
        """Rename, redraw, make strict, or retire (`active: false`)"""
        territory = territories.update_territory(
            db.session, territory_id=territory_id, changes=_names(args)
        )
        return _with_members(territory)


@territories_blp.route("/<uuid:territory_id>/technicians")
class TerritoryMembers(MethodView):
    @territories_blp.auth(*EDITORS)
    @territories_blp.arguments(MembersSchema)
    @territories_blp.response(200, TerritorySchema)
    def put(self, args: dict[str, Any], territory_id: uuid.UUID) -> Territory:
        """The engineers who cover this territory (replaces the list)"""
        territories.set_members(
            db.session, territory_id=territory_id, technician_ids=args["technician_ids"]
        )
        return _with_members(territories.get_territory(db.session, territory_id=territory_id))


@territories_blp.route("/import")
class TerritoryImport(MethodView):
    @territories_blp.auth(*EDITORS)
    @territories_blp.response(200, ImportResultSchema)
    def post(self) -> dict[str, int]:
        """Import a GeoJSON FeatureCollection (properties: code, name_zh, name_en, strict)"""
        return territories.import_feature_collection(
            db.session, parse_json_object(request.get_data())
        )


dispatch_blp = Blueprint(
    "dispatch",
    __name__,
    url_prefix="/api/v1/dispatch",
    description="Optimizer runs (plan, preview the difference, apply) and instant suggestions",
)
DISPATCHERS = ("admin", "dispatcher")


@dispatch_blp.route("/runs")
class Runs(MethodView):
    @dispatch_blp.auth(*DISPATCHERS)
    @dispatch_blp.arguments(RunCreateSchema)
    @dispatch_blp.response(202, RunSchema)
    def post(self, args: dict[str, Any]) -> DispatchRun:
        """Plan the horizon (default today) in the background; poll the run for its plan"""
        run = runs.create_run(db.session, actor=current_actor(), options=args, today=_today())
        defer(db.session, solve_run, run_id=str(run.id))
        return run


@dispatch_blp.route("/runs/<uuid:run_id>")
class RunById(MethodView):
    @dispatch_blp.auth(*DISPATCHERS, "manager")
    @dispatch_blp.response(200, RunSchema)
    def get(self, run_id: uuid.UUID) -> DispatchRun:
        """Status, statistics, routes, unassigned jobs with reasons, and the diff"""
        return runs.get_run(db.session, run_id=run_id)


@dispatch_blp.route("/runs/<uuid:run_id>/apply")
class RunApply(MethodView):
    @dispatch_blp.auth(*DISPATCHERS)
    @dispatch_blp.response(200, RunSchema)
    @dispatch_blp.alt_response(409, description="The run has no plan yet (or failed)")
    def post(self, run_id: uuid.UUID) -> DispatchRun:
        """Assign as planned; orders changed since the snapshot are skipped and reported"""
        return runs.apply_run(
            db.session,
            run_id=run_id,
            actor=current_actor(),
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
        )


@dispatch_blp.route("/suggestions")
class Suggestions(MethodView):
    @dispatch_blp.auth(*DISPATCHERS, "agent")
    @dispatch_blp.arguments(SuggestionArgsSchema, location="query")
    @dispatch_blp.response(200, SuggestionSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """The best engineers for one order today, with ETA and added travel"""
        return runs.suggestions(
            db.session,
            work_order_id=args["work_order_id"],
            actor=current_actor(),
            travel=provider_from_settings(current_app.config),
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
            limit=args["limit"],
        )


def _today() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["ORG_TIMEZONE"])).date()
