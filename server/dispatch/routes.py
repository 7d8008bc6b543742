"""Dispatch over HTTP: service territories (and, with the optimizer, runs and suggestions)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import request
from flask.views import MethodView

from server.api import Blueprint, parse_json_object
from server.db import db
from server.dispatch import territories
from server.dispatch.models import Territory
from server.dispatch.schemas import (
    ImportResultSchema,
    MembersSchema,
    TerritoryCreateSchema,
    TerritorySchema,
    TerritoryUpdateSchema,
)

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
