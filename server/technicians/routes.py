"""The skills catalogue and technicians."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from server.api import Blueprint
from server.auth.models import Role
from server.db import db
from server.technicians import service as technicians_service
from server.technicians.models import Skill, Technician
from server.technicians.schemas import (
    SkillCreateSchema,
    SkillQueryArgsSchema,
    SkillSchema,
    SkillUpdateSchema,
    TechnicianCreateSchema,
    TechnicianQueryArgsSchema,
    TechnicianSchema,
    TechnicianUpdateSchema,
)

blp = Blueprint(
    "technicians", __name__, url_prefix="/api/v1", description="Technicians and their skills"
)

ADMIN = (Role.ADMIN,)
# Engineers see themselves through the mobile API, not the crew list.
READERS = (Role.ADMIN, Role.DISPATCHER, Role.AGENT, Role.MANAGER, Role.WAREHOUSE)
WRITERS = (Role.ADMIN, Role.DISPATCHER)


@blp.route("/skills")
class Skills(MethodView):
    @blp.auth()
    @blp.arguments(SkillQueryArgsSchema, location="query")
    @blp.response(200, SkillSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Skill]:
        """List the skills catalogue"""
        skills, total = technicians_service.list_skills(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return skills

    @blp.auth(*ADMIN)
    @blp.arguments(SkillCreateSchema)
    @blp.response(201, SkillSchema)
    def post(self, args: dict[str, Any]) -> Skill:
        """Add a skill to the catalogue"""
        return technicians_service.create_skill(db.session, **args)


@blp.route("/skills/<string:code>")
class SkillByCode(MethodView):
    @blp.auth()
    @blp.response(200, SkillSchema)
    def get(self, code: str) -> Skill:
        """One skill"""
        return technicians_service.get_skill(db.session, code=code)

    @blp.auth(*ADMIN)
    @blp.arguments(SkillUpdateSchema)
    @blp.response(200, SkillSchema)
    def patch(self, args: dict[str, Any], code: str) -> Skill:
        """Rename or (de)activate a skill (the code never changes)"""
        return technicians_service.update_skill(db.session, code=code, changes=args)


@blp.route("/technicians")
class Technicians(MethodView):
    @blp.auth(*READERS)
    @blp.arguments(TechnicianQueryArgsSchema, location="query")
    @blp.response(200, TechnicianSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Technician]:
        """List technicians"""
        technicians, total = technicians_service.list_technicians(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return technicians

    @blp.auth(*WRITERS)
    @blp.arguments(TechnicianCreateSchema)
    @blp.response(201, TechnicianSchema)
    def post(self, args: dict[str, Any]) -> Technician:
        """Create a technician, for an existing user or with a new user account"""
        return technicians_service.create_technician(db.session, **args)


@blp.route("/technicians/<uuid:technician_id>")
class TechnicianById(MethodView):
    @blp.auth(*READERS)
    @blp.response(200, TechnicianSchema)
    def get(self, technician_id: uuid.UUID) -> Technician:
        """One technician"""
        return technicians_service.get_technician(db.session, technician_id=technician_id)

    @blp.auth(*WRITERS)
    @blp.arguments(TechnicianUpdateSchema)
    @blp.response(200, TechnicianSchema)
    def patch(self, args: dict[str, Any], technician_id: uuid.UUID) -> Technician:
        """Change a technician (skills, when given, replace the list)"""
        return technicians_service.update_technician(
            db.session, technician_id=technician_id, changes=args
        )

    @blp.auth(*WRITERS)
    @blp.response(204)
    def delete(self, technician_id: uuid.UUID) -> None:
        """Deactivate a technician (kept: jobs and stock moves name them)"""
        technicians_service.deactivate_technician(db.session, technician_id=technician_id)
