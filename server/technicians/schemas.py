"""The API's shapes for skills and technicians (written by hand: this is the contract)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from server.auth.schemas import PHONE
from server.geo import Location
from server.technicians.hours import DAYS, WorkingHoursError, default_working_hours, normalise_week
from server.technicians.models import MAX_JOBS_PER_DAY, STATUS_VALUES

SKILL_CODE = validate.Regexp(r"^[a-z][a-z0-9_-]{0,31}$", error="skill_code_format")
SKILL_LEVEL = validate.Range(min=1, max=5)
_SKILL_FILTER = re.compile(r"^([a-z][a-z0-9_-]{0,31})(?::([1-5]))?$")


# --- skills -------------------------------------------------------------------------------


class LocalizedNameSchema(Schema):
    name_zh = fields.String(
        data_key="zh-CN", required=True, validate=validate.Length(min=1, max=120)
    )
    name_en = fields.String(data_key="en", required=True, validate=validate.Length(min=1, max=120))


class LocalizedNameUpdateSchema(Schema):
    name_zh = fields.String(data_key="zh-CN", validate=validate.Length(min=1, max=120))
    name_en = fields.String(data_key="en", validate=validate.Length(min=1, max=120))


class LocalizedName(fields.Nested):
    """`{"zh-CN": .., "en": ..}` over the columns `name_zh` and `name_en` of the object.

    Loads to `{"name_zh": .., "name_en": ..}`; the schema's `_flatten_name` merges that in.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(LocalizedNameSchema, **kwargs)

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        return {"zh-CN": obj.name_zh, "en": obj.name_en}


def _flatten_name(data: dict[str, Any]) -> dict[str, Any]:
    data.update(data.pop("name", {}))
    return data


class SkillSchema(Schema):
    code = fields.String()
    name = LocalizedName()
    active = fields.Boolean()


class SkillCreateSchema(Schema):
    code = fields.String(
        required=True,
        validate=SKILL_CODE,
        metadata={"description": "A lowercase slug, e.g. `hvac`; it never changes"},
    )
    name = LocalizedName(required=True)
    active = fields.Boolean(load_default=True)

    @post_load
    def _flatten(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return _flatten_name(data)


class SkillUpdateSchema(Schema):
    name = fields.Nested(LocalizedNameUpdateSchema)
    active = fields.Boolean()

    @post_load
    def _flatten(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return _flatten_name(data)


class SkillQueryArgsSchema(Schema):
    active = fields.Boolean()


# --- technicians --------------------------------------------------------------------------


class WorkingHours(fields.Dict):
    """The weekly schedule; see `server.technicians.hours`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "metadata",
            {
                "description": "Per weekday (mon … sun), [start, end] ranges of local time "
                "HH:MM that do not overlap; a missing day has no hours",
                "example": default_working_hours(),
            },
        )
        super().__init__(
            keys=fields.String(validate=validate.OneOf(DAYS)),
            values=fields.List(fields.List(fields.String())),
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return normalise_week(value)
        except WorkingHoursError as exc:
            raise ValidationError(exc.errors) from exc


class SkillFilter(fields.String):
    """`code` or `code:min_level`, e.g. `hvac:3`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        match = _SKILL_FILTER.match(text.strip())
        if match is None:
            raise ValidationError("skill_filter_format")
        return (match.group(1), int(match.group(2) or 1))


class TechnicianUserSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)


class TechnicianSkillSchema(Schema):
    code = fields.String(attribute="skill_code")
    level = fields.Integer()


class TechnicianSchema(Schema):
    id = fields.UUID(dump_only=True)
    user = fields.Nested(TechnicianUserSchema)
    skills = fields.List(fields.Nested(TechnicianSkillSchema))
    home = Location()
    working_hours = WorkingHours()
    max_jobs_per_day = fields.Integer()
    active = fields.Boolean()
    status = fields.String()
    last_position = Location(allow_none=True)
    last_position_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SkillLevelSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    level = fields.Integer(required=True, validate=SKILL_LEVEL)


class NewTechnicianUserSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(allow_none=True, validate=PHONE)
    password = fields.String(required=True, validate=validate.Length(min=8, max=1024))
    locale = fields.String(allow_none=True, validate=validate.OneOf(["zh-CN", "en"]))


MAX_JOBS = validate.Range(min=1, max=MAX_JOBS_PER_DAY)


class TechnicianCreateSchema(Schema):
    user_id = fields.UUID(metadata={"description": "An existing user with the technician role"})
    user = fields.Nested(
        NewTechnicianUserSchema,
        metadata={"description": "Or: a new user, created with the technician role"},
    )
    skills = fields.List(fields.Nested(SkillLevelSchema), load_default=list)
    home = Location(required=True)
    working_hours = WorkingHours(load_default=default_working_hours)
    max_jobs_per_day = fields.Integer(load_default=8, validate=MAX_JOBS)
    active = fields.Boolean(load_default=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _one_user(self, _data: dict[str, Any], original: Any, **_kwargs: Any) -> None:
        # Judged on the input: a `user` with field errors is still a `user` that was given.
        given = original if isinstance(original, dict) else {}
        if ("user_id" in given) == ("user" in given):
            raise ValidationError({"user_id": ["user_id_or_user"], "user": ["user_id_or_user"]})


class TechnicianUpdateSchema(Schema):
    skills = fields.List(
        fields.Nested(SkillLevelSchema),
        metadata={"description": "Replaces the technician's skills as a whole"},
    )
    home = Location()
    working_hours = WorkingHours()
    max_jobs_per_day = fields.Integer(validate=MAX_JOBS)
    active = fields.Boolean()
    status = fields.String(validate=validate.OneOf(STATUS_VALUES))


class TechnicianQueryArgsSchema(Schema):
    skill = fields.List(
        SkillFilter(),
        metadata={"description": "`code` or `code:min_level`; repeat for every skill needed"},
    )
    active = fields.Boolean()
    status = fields.String(validate=validate.OneOf(STATUS_VALUES))
    q = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "Part of the engineer's name, email or phone"},
    )
