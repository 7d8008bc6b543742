"""The API's shapes for triage rules and SLA settings."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.fields import UtcDateTime
from server.workorders import rules
from server.workorders.models import PRIORITIES

DEFINITION_KEYS = ("keywords", "pattern", "channels", "tiers", "set", "stop")


class TriageRuleSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    name = fields.String()
    position = fields.Integer()
    active = fields.Boolean()
    keywords = fields.Function(lambda r: r.definition.get("keywords", []))
    pattern = fields.Function(lambda r: r.definition.get("pattern"))
    channels = fields.Function(lambda r: r.definition.get("channels", []))
    tiers = fields.Function(lambda r: r.definition.get("tiers", []))
    set = fields.Function(lambda r: r.definition.get("set", {}))
    stop = fields.Function(lambda r: r.definition.get("stop", False))
    updated_at = UtcDateTime()


class _RuleDefinition(Schema):
    keywords = fields.List(fields.String(), metadata={"description": "any of them matches"})
    pattern = fields.String(allow_none=True, metadata={"description": "a regular expression"})
    channels = fields.List(fields.String(), metadata={"description": "empty: any channel"})
    tiers = fields.List(fields.String(), metadata={"description": "empty: any customer tier"})
    set = fields.Dict(
        metadata={"description": "priority, type, category (code), skills, duration_minutes"}
    )
    stop = fields.Boolean()


class TriageRuleCreateSchema(_RuleDefinition):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    position = fields.Integer(validate=validate.Range(min=0, max=1_000_000))


class TriageRuleUpdateSchema(_RuleDefinition):
    name = fields.String(validate=validate.Length(min=1, max=120))
    position = fields.Integer(validate=validate.Range(min=0, max=1_000_000))
    active = fields.Boolean()


class TriageTestSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    channel = fields.String(load_default="web", validate=validate.OneOf(rules.CHANNELS))
    tier = fields.String(load_default="standard", validate=validate.OneOf(rules.TIERS))


class TriageOutcomeSchema(Schema):
    priority = fields.String()
    type = fields.String()
    category = fields.String(allow_none=True)
    skills = fields.Function(lambda t: [{"code": c, "level": lv} for c, lv in t.skills])
    duration_minutes = fields.Integer()
    why = fields.Function(lambda t: t.explain())


class SlaCalendarSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    timezone = fields.String()
    working_hours = fields.Dict(allow_none=True, metadata={"description": "null: 24x7"})
    holidays = fields.List(fields.Date())
    workdays = fields.List(fields.Date(), metadata={"description": "make-up working days"})


class SlaCalendarCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    timezone = fields.String(required=True, validate=validate.Length(min=1, max=64))
    working_hours = fields.Dict(load_default=None, allow_none=True)
    holidays = fields.List(fields.Date(), load_default=list, validate=validate.Length(max=400))
    workdays = fields.List(fields.Date(), load_default=list, validate=validate.Length(max=400))


class SlaCalendarUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=64))
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    working_hours = fields.Dict(allow_none=True)
    holidays = fields.List(fields.Date(), validate=validate.Length(max=400))
    workdays = fields.List(fields.Date(), validate=validate.Length(max=400))


MINUTES = validate.Range(min=1, max=90 * 24 * 60)


class SlaPolicySchema(Schema):
    id = fields.UUID()
    priority = fields.String()
    tier = fields.String(allow_none=True)
    response_minutes = fields.Integer()
    resolve_minutes = fields.Integer()
    calendar = fields.Function(lambda p: {"id": str(p.calendar.id), "name": p.calendar.name})


class SlaPolicyCreateSchema(Schema):
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    tier = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(rules.TIERS))
    response_minutes = fields.Integer(required=True, validate=MINUTES)
    resolve_minutes = fields.Integer(required=True, validate=MINUTES)
    calendar_id = fields.UUID(required=True)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("resolve_minutes", 0) < data.get("response_minutes", 0):
            raise ValidationError(["resolve_before_response"], "resolve_minutes")


class SlaPolicyUpdateSchema(Schema):
    response_minutes = fields.Integer(validate=MINUTES)
    resolve_minutes = fields.Integer(validate=MINUTES)
    calendar_id = fields.UUID()
