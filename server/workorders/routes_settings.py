"""Admin settings of the work-order domain over HTTP: the category tree, triage rules (with a
dry run that answers "what would this request become, and why?"), SLA calendars and policies."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from server.api import Blueprint
from server.db import db
from server.workorders import categories, rules, settings, triage
from server.workorders.models import Category, SlaCalendar, SlaPolicy, TriageRule
from server.workorders.schemas import (
    CategoryCreateSchema,
    CategoryQueryArgsSchema,
    CategorySchema,
    CategoryUpdateSchema,
)
from server.workorders.schemas_settings import (
    DEFINITION_KEYS,
    SlaCalendarCreateSchema,
    SlaCalendarSchema,
    SlaCalendarUpdateSchema,
    SlaPolicyCreateSchema,
    SlaPolicySchema,
    SlaPolicyUpdateSchema,
    TriageOutcomeSchema,
    TriageRuleCreateSchema,
    TriageRuleSchema,
    TriageRuleUpdateSchema,
    TriageTestSchema,
)

READERS = ("admin", "dispatcher", "agent", "manager")

# --- triage rules ---------------------------------------------------------------------------

rules_blp = Blueprint(
    "triage_rules",
    __name__,
    url_prefix="/api/v1/triage-rules",
    description="Ordered classification rules for new requests (keywords and patterns in "
    "zh-CN and en)",
)


def _definition(args: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    definition = dict(base or {})
    definition.update({k: args.pop(k) for k in DEFINITION_KEYS if k in args})
    return definition


@rules_blp.route("")
class TriageRules(MethodView):
    @rules_blp.auth(*READERS)
    @rules_blp.response(200, TriageRuleSchema(many=True))
    def get(self) -> list[TriageRule]:
        """Every rule in the order it is applied (retired ones included, `active: false`)"""
        return triage.list_rules(db.session)

    @rules_blp.auth("admin")
    @rules_blp.arguments(TriageRuleCreateSchema)
    @rules_blp.response(201, TriageRuleSchema)
    def post(self, args: dict[str, Any]) -> TriageRule:
        """Add a rule (at the end unless `position` says where)"""
        definition = _definition(args)
        return triage.create_rule(db.session, definition=definition, **args)


@rules_blp.route("/<uuid:rule_id>")
class TriageRuleById(MethodView):
    @rules_blp.auth("admin")
    @rules_blp.arguments(TriageRuleUpdateSchema)
    @rules_blp.response(200, TriageRuleSchema)
    def patch(self, args: dict[str, Any], rule_id: uuid.UUID) -> TriageRule:
        """Change a rule's words, effects, place or `active`"""
        row = triage.get_rule(db.session, rule_id=rule_id)
        if any(k in args for k in DEFINITION_KEYS):
            args["definition"] = _definition(args, row.definition)
        return triage.update_rule(db.session, rule_id=rule_id, changes=args)


@rules_blp.route("/test")
class TriageTest(MethodView):
    @rules_blp.auth(*READERS)
    @rules_blp.arguments(TriageTestSchema)
    @rules_blp.response(200, TriageOutcomeSchema)
    def post(self, args: dict[str, Any]) -> rules.Triage:
        """Classify a text with the active rules without creating anything"""
        return triage.classify(db.session, **args)


# --- SLA ------------------------------------------------------------------------------------

sla_blp = Blueprint(
    "sla",
    __name__,
    url_prefix="/api/v1/sla",
    description="SLA calendars (working hours, holidays) and policies by priority and tier",
)


@sla_blp.route("/calendars")
class Calendars(MethodView):
    @sla_blp.auth(*READERS)
    @sla_blp.response(200, SlaCalendarSchema(many=True))
    def get(self) -> list[SlaCalendar]:
        """Every calendar"""
        return settings.list_calendars(db.session)

    @sla_blp.auth("admin")
    @sla_blp.arguments(SlaCalendarCreateSchema)
    @sla_blp.response(201, SlaCalendarSchema)
    def post(self, args: dict[str, Any]) -> SlaCalendar:
        """Add a calendar (no working_hours: 24x7)"""
        return settings.create_calendar(db.session, **args)


@sla_blp.route("/calendars/<uuid:calendar_id>")
class CalendarById(MethodView):
    @sla_blp.auth("admin")
    @sla_blp.arguments(SlaCalendarUpdateSchema)
    @sla_blp.response(200, SlaCalendarSchema)
    def patch(self, args: dict[str, Any], calendar_id: uuid.UUID) -> SlaCalendar:
        """Change hours, holidays or make-up days (counts for clocks started from now on)"""
        return settings.update_calendar(db.session, calendar_id=calendar_id, changes=args)

    @sla_blp.auth("admin")
    @sla_blp.response(204)
    def delete(self, calendar_id: uuid.UUID) -> None:
        """Remove a calendar no policy uses"""
        settings.delete_calendar(db.session, calendar_id=calendar_id)


@sla_blp.route("/policies")
class Policies(MethodView):
    @sla_blp.auth(*READERS)
    @sla_blp.response(200, SlaPolicySchema(many=True))
    def get(self) -> list[SlaPolicy]:
        """Every policy, most urgent first"""
        return settings.list_policies(db.session)

    @sla_blp.auth("admin")
    @sla_blp.arguments(SlaPolicyCreateSchema)
    @sla_blp.response(201, SlaPolicySchema)
    def post(self, args: dict[str, Any]) -> SlaPolicy:
        """Add targets for a priority and a tier (tier null: every tier without its own)"""
        return settings.create_policy(db.session, **args)


@sla_blp.route("/policies/<uuid:policy_id>")
class PolicyById(MethodView):
    @sla_blp.auth("admin")
    @sla_blp.arguments(SlaPolicyUpdateSchema)
    @sla_blp.response(200, SlaPolicySchema)
    def patch(self, args: dict[str, Any], policy_id: uuid.UUID) -> SlaPolicy:
        """Change targets (new orders get them; promises already made stay)"""
        return settings.update_policy(db.session, policy_id=policy_id, changes=args)

    @sla_blp.auth("admin")
    @sla_blp.response(204)
    def delete(self, policy_id: uuid.UUID) -> None:
        """Remove a policy"""
        settings.delete_policy(db.session, policy_id=policy_id)


categories_blp = Blueprint(
    "categories",
    __name__,
    url_prefix="/api/v1/categories",
    description="The three-level category tree",
)


def _names(args: dict[str, Any]) -> dict[str, Any]:
    return {**args.pop("name", {}), **args}


@categories_blp.route("")
class Categories(MethodView):
    @categories_blp.auth()
    @categories_blp.arguments(CategoryQueryArgsSchema, location="query")
    @categories_blp.response(200, CategorySchema(many=True))
    def get(self, args: dict[str, Any]) -> list[Category]:
        """Every category, level by level (a client builds the tree from parent_id)"""
        return categories.list_categories(db.session, **args)

    @categories_blp.auth("admin")
    @categories_blp.arguments(CategoryCreateSchema)
    @categories_blp.response(201, CategorySchema)
    def post(self, args: dict[str, Any]) -> Category:
        """Add a category under a parent (at most three levels)"""
        return categories.create_category(db.session, **_names(args))


@categories_blp.route("/<uuid:category_id>")
class CategoryById(MethodView):
    @categories_blp.auth("admin")
    @categories_blp.arguments(CategoryUpdateSchema)
    @categories_blp.response(200, CategorySchema)
    def patch(self, args: dict[str, Any], category_id: uuid.UUID) -> Category:
        """Rename, reorder, retire or restore a category"""
        return categories.update_category(db.session, category_id=category_id, changes=_names(args))
