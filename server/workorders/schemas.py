"""The API's shapes for work orders, transitions, comments and the timeline (DESIGN §13)."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.fields import UtcDateTime
from server.geo import BBoxField, Location, from_geography
from server.workorders.attachments import VARIANTS
from server.workorders.models import (
    ATTACHMENT_KINDS,
    CHANNELS,
    PRIORITIES,
    SLA_STATES,
    STATUSES,
    TYPES,
)
from server.workorders.service import SORTS
from server.workorders.states import HOLD_FOR, Action

SUMMARY = validate.Length(min=1, max=200)
DESCRIPTION = validate.Length(max=10000)
SORT_VALUES = [*SORTS, *(f"-{key}" for key in SORTS)]


class SkillNeedSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    level = fields.Integer(load_default=1, validate=validate.Range(min=1, max=5))


class _Ref(Schema):
    id = fields.UUID()
    name = fields.String()


class CustomerRefSchema(_Ref):
    tier = fields.String()


class SiteRefSchema(_Ref):
    address = fields.String()
    access_notes = fields.String(allow_none=True)
    location = fields.Method("_location")

    def _location(self, site: Any) -> dict[str, float] | None:
        return from_geography(site.location)


class CategoryRefSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    name = fields.Function(lambda c: {"zh-CN": c.name_zh, "en": c.name_en})


class AssigneeSchema(Schema):
    id = fields.UUID()
    name = fields.Function(lambda t: t.user.name)


class WorkOrderSchema(Schema):
    id = fields.UUID()
    number = fields.String()
    tracking_code = fields.String()
    status = fields.String()
    priority = fields.String()
    type = fields.String()
    channel = fields.String()
    category = fields.Nested(CategoryRefSchema, allow_none=True)
    summary = fields.String()
    description = fields.String(allow_none=True)
    customer = fields.Nested(CustomerRefSchema)
    site = fields.Nested(SiteRefSchema, allow_none=True)
    location = fields.Method("_location")
    required_skills = fields.List(fields.Nested(SkillNeedSchema))
    duration_minutes = fields.Integer()
    appointment = fields.Method("_appointment")
    assignee = fields.Nested(AssigneeSchema, allow_none=True)
    scheduled_start_at = fields.DateTime(allow_none=True)
    eta_at = fields.DateTime(allow_none=True)
    sla = fields.Method("_sla")
    triage = fields.Dict()
    resolution = fields.String(allow_none=True)
    signer_name = fields.String(allow_none=True)
    duplicate_of = fields.Method("_duplicate_of")
    waiting_for_parts = fields.Boolean()
    pinned = fields.Boolean(
        metadata={"description": "Held to its engineer: optimizer runs never move it"}
    )
    asset = fields.Method("_asset")
    billable = fields.Boolean(metadata={"description": "false: under warranty, no charge"})
    follow_up_of_id = fields.UUID(allow_none=True)
    allowed_actions = fields.List(fields.String())
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)

    def _location(self, order: Any) -> dict[str, float] | None:
        return from_geography(order.location)

    def _appointment(self, order: Any) -> dict[str, Any] | None:
        if order.appointment_start_at is None:
            return None
        return {
            "start_at": order.appointment_start_at.isoformat(),
            "end_at": order.appointment_end_at.isoformat(),
        }

    def _sla(self, order: Any) -> dict[str, Any]:
        return {
            "response_due_at": _iso(order.response_due_at),
            "resolve_due_at": _iso(order.resolve_due_at),
            "responded_at": _iso(order.responded_at),
            "resolved_at": _iso(order.resolved_at),
            "state": order.sla_state,
            "paused": bool(order.sla_pauses) and order.sla_pauses[-1][1] is None,
        }

    def _asset(self, order: Any) -> dict[str, Any] | None:
        asset = order.asset
        if asset is None:
            return None
        return {
            "id": str(asset.id),
            "serial": asset.serial,
            "name": asset.name,
            "model": f"{asset.model.manufacturer} {asset.model.model}",
            "warranty_until": _iso(asset.warranty_until),
        }

    def _duplicate_of(self, order: Any) -> dict[str, Any] | None:
        original = order.duplicate_of
        return None if original is None else {"id": str(original.id), "number": original.number}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


class AppointmentSchema(Schema):
    start_at = UtcDateTime(required=True)
    end_at = UtcDateTime(required=True)

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["end_at"] <= data["start_at"]:
            raise ValidationError("appointment_end_before_start", field_name="end_at")


class _WorkOrderFields(Schema):
    summary = fields.String(validate=SUMMARY)
    description = fields.String(allow_none=True, validate=DESCRIPTION)
    type = fields.String(validate=validate.OneOf(TYPES))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    category_id = fields.UUID(allow_none=True)
    required_skills = fields.List(fields.Nested(SkillNeedSchema), validate=validate.Length(max=10))
    duration_minutes = fields.Integer(validate=validate.Range(min=5, max=1440))
    appointment = fields.Nested(AppointmentSchema, allow_none=True)


class WorkOrderCreateSchema(_WorkOrderFields):
    customer_id = fields.UUID(required=True)
    site_id = fields.UUID(allow_none=True)
    asset_id = fields.UUID(allow_none=True)
    summary = fields.String(required=True, validate=SUMMARY)
    channel = fields.String(load_default="phone", validate=validate.OneOf(CHANNELS))


class WorkOrderUpdateSchema(_WorkOrderFields):
    pass


class WorkOrderQueryArgsSchema(Schema):
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)))
    priority = fields.List(fields.String(validate=validate.OneOf(PRIORITIES)))
    type = fields.String(validate=validate.OneOf(TYPES))
    category_id = fields.UUID()
    assignee_id = fields.UUID()
    customer_id = fields.UUID()
    site_id = fields.UUID()
    sla_state = fields.String(validate=validate.OneOf(SLA_STATES))
    asset_id = fields.UUID()
    created_from = UtcDateTime()
    created_to = UtcDateTime()
    bbox = BBoxField(metadata={"description": "minlon,minlat,maxlon,maxlat"})
    q = fields.String(validate=validate.Length(min=1, max=100))
    sort = fields.String(load_default="-created_at", validate=validate.OneOf(SORT_VALUES))


class TransitionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf([a.value for a in Action]))
    op_id = fields.String(validate=validate.Length(min=8, max=64))
    technician_id = fields.UUID()
    reason = fields.String(validate=validate.Length(max=2000))
    resolution = fields.String(validate=DESCRIPTION)
    signature_sha256 = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    signer_name = fields.String(validate=validate.Length(max=120))
    hold_for = fields.String(
        validate=validate.OneOf(HOLD_FOR),
        metadata={"description": "hold: whom the job waits for; only `customer` pauses the SLA"},
    )
    into_work_order_id = fields.UUID(metadata={"description": "merge: the original to keep"})


class CommentCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    public = fields.Boolean(load_default=False)


class EventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor_kind = fields.String()
    actor_user_id = fields.UUID(allow_none=True)
    payload = fields.Dict()
    public = fields.Boolean()
    version = fields.Integer()
    at = fields.DateTime()


class PublicEventSchema(Schema):
    action = fields.String()
    to_status = fields.String(allow_none=True)
    at = fields.DateTime()
    comment = fields.String(allow_none=True)


class PublicAttachmentSchema(Schema):
    id = fields.UUID()
    kind = fields.String()
    filename = fields.String()
    mime = fields.String()
    url = fields.String()
    created_at = UtcDateTime()


class TrackingSchema(Schema):
    number = fields.String()
    status = fields.String()
    step = fields.String()
    steps = fields.List(fields.String())
    summary = fields.String()
    created_at = fields.DateTime()
    engineer_name = fields.String(allow_none=True)
    eta_at = fields.DateTime(allow_none=True)
    response_due_at = fields.DateTime(allow_none=True)
    resolve_due_at = fields.DateTime(allow_none=True)
    can_confirm = fields.Boolean()
    can_reject = fields.Boolean()
    can_rate = fields.Boolean()
    rating = fields.Dict(allow_none=True)
    timeline = fields.List(fields.Nested(PublicEventSchema))
    attachments = fields.List(fields.Nested(PublicAttachmentSchema))


class RejectSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RatingSchema(Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(allow_none=True, validate=validate.Length(max=2000))


class CategorySchema(Schema):
    id = fields.UUID()
    code = fields.String()
    parent_id = fields.UUID(allow_none=True)
    level = fields.Integer()
    name = fields.Function(lambda c: {"zh-CN": c.name_zh, "en": c.name_en})
    sort_order = fields.Integer()
    active = fields.Boolean()


class CategoryNameSchema(Schema):
    name_zh = fields.String(data_key="zh-CN", required=True, validate=validate.Length(1, 100))
    name_en = fields.String(data_key="en", required=True, validate=validate.Length(1, 100))


class CategoryCreateSchema(Schema):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,2}$")
    )
    name = fields.Nested(CategoryNameSchema, required=True)
    parent_id = fields.UUID(allow_none=True)
    sort_order = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))


class CategoryUpdateSchema(Schema):
    name = fields.Nested(CategoryNameSchema)
    sort_order = fields.Integer(validate=validate.Range(min=0, max=10000))
    active = fields.Boolean()


class CategoryQueryArgsSchema(Schema):
    active = fields.Boolean()


class WebIntakeSchema(Schema):
    """The public request form. `website` is a honeypot: people never see it, bots fill it."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    phone = fields.String(required=True, validate=validate.Regexp(r"^\+?[0-9][0-9 \-]{5,19}$"))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    address = fields.String(required=True, validate=validate.Length(min=2, max=300))
    location = Location(allow_none=True)
    summary = fields.String(required=True, validate=SUMMARY)
    description = fields.String(allow_none=True, validate=DESCRIPTION)
    asset_serial = fields.String(allow_none=True, validate=validate.Length(max=64))
    website = fields.String(load_default="", metadata={"description": "Leave empty"})


class ApiIntakeSchema(Schema):
    """A request from a connected system. Name the customer by id, or give a contact to find
    (or create) them by; `external_ref` makes retries safe."""

    external_ref = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "Your id for this request; the same one again is a retry"},
    )
    customer_id = fields.UUID(allow_none=True)
    site_id = fields.UUID(allow_none=True)
    name = fields.String(allow_none=True, validate=validate.Length(min=1, max=120))
    phone = fields.String(allow_none=True, validate=validate.Regexp(r"^\+?[0-9][0-9 \-]{5,19}$"))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    address = fields.String(allow_none=True, validate=validate.Length(min=2, max=300))
    location = Location(allow_none=True)
    summary = fields.String(required=True, validate=SUMMARY)
    description = fields.String(allow_none=True, validate=DESCRIPTION)
    asset_serial = fields.String(allow_none=True, validate=validate.Length(max=64))


class IntakeReceiptSchema(Schema):
    number = fields.String()
    tracking_code = fields.String()
    tracking_url = fields.String()
    eta_at = fields.DateTime(allow_none=True)
    duplicate_of = fields.String(
        allow_none=True, metadata={"description": "The existing order this request repeats"}
    )


class AlarmSchema(Schema):
    asset_serial = fields.String(required=True, validate=validate.Length(min=1, max=64))
    alarm_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    message = fields.String(required=True, validate=validate.Length(min=1, max=500))
    occurred_at = UtcDateTime(required=True)


class IntakeOutcomeSchema(Schema):
    outcome = fields.String(metadata={"description": "created | duplicate | comment"})
    number = fields.String()
    tracking_url = fields.String()


class AttachmentUploadSchema(Schema):
    file = Upload(required=True)


class AttachmentFormSchema(Schema):
    kind = fields.String(validate=validate.OneOf(ATTACHMENT_KINDS))
    public = fields.Boolean(load_default=False)


class AttachmentSchema(Schema):
    id = fields.UUID()
    work_order_id = fields.UUID()
    kind = fields.String()
    filename = fields.String()
    mime = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    public = fields.Boolean()
    taken_at = UtcDateTime(allow_none=True)
    taken_location = fields.Function(lambda a: from_geography(a.taken_location))
    uploaded_by = fields.Function(lambda a: {"id": a.uploaded_by_id, "name": a.uploaded_by_name})
    created_at = UtcDateTime()
    urls = fields.Method("_urls")

    def _urls(self, attachment: Any) -> dict[str, str | None]:
        base = f"/api/v1/work-orders/{attachment.work_order_id}/attachments/{attachment.id}"
        has_copies = attachment.thumbnail_sha256 is not None
        return {
            "original": f"{base}/content",
            "thumbnail": f"{base}/content?variant=thumbnail" if has_copies else None,
            "display": f"{base}/content?variant=display" if has_copies else None,
        }


class AttachmentContentArgsSchema(Schema):
    variant = fields.String(load_default="original", validate=validate.OneOf(VARIANTS))
