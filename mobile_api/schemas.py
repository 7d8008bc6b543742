"""The engineer app's shapes (DESIGN §13, mobile row)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from mobile_api.ops import OP_TYPES
from server.assets.schemas import ChecklistItemSchema
from server.fields import UtcDateTime
from server.inventory.schemas import ReservationSchema
from server.workorders.schemas import WorkOrderSchema

# Built once: a schema costs a deep copy of its fields to build, and a sync or a batch dumps
# these for every order (dumping keeps no state between calls).
_PARTS = ReservationSchema(many=True)
_CHECKLIST = ChecklistItemSchema(many=True)


class MobileWorkOrderSchema(WorkOrderSchema):
    """A job as the phone keeps it: the order, its customer's contact, and its parts."""

    contact = fields.Method("_contact")
    parts = fields.Function(
        lambda o: _PARTS.dump(getattr(o, "parts", [])),
        metadata={"description": "parts requested, held or used for the job"},
    )
    asset = fields.Function(
        lambda o: getattr(o, "asset_card", None),
        metadata={"description": "the machine: model, warranty, meters and its last few jobs"},
    )
    checklist = fields.Function(
        lambda o: _CHECKLIST.dump(getattr(o, "checklist", [])),
        metadata={"description": "items to answer with `checklist_item` ops"},
    )

    def _contact(self, order: Any) -> dict[str, Any]:
        customer = order.customer
        return {"name": customer.name, "phone": customer.phone, "email": customer.email}


class SyncArgsSchema(Schema):
    cursor = fields.String(validate=validate.Length(max=200))


class SyncSchema(Schema):
    cursor = fields.String()
    full = fields.Boolean()
    work_orders = fields.List(fields.Nested(MobileWorkOrderSchema))
    removed = fields.List(fields.String())


class OpSchema(Schema):
    op_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    type = fields.String(required=True, validate=validate.OneOf(OP_TYPES))
    work_order_id = fields.UUID(required=True)
    base_version = fields.Integer(allow_none=True)
    at = UtcDateTime(allow_none=True)
    payload = fields.Dict(load_default=dict)


class OpsSchema(Schema):
    ops = fields.List(fields.Nested(OpSchema), required=True, validate=validate.Length(1, 1000))


class OpResultSchema(Schema):
    op_id = fields.String()
    status = fields.String(metadata={"description": "applied | duplicate | rejected"})
    error = fields.String(allow_none=True)
    work_order = fields.Nested(MobileWorkOrderSchema, allow_none=True)


class OpsResultSchema(Schema):
    results = fields.List(fields.Nested(OpResultSchema))


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(allow_none=True, validate=validate.Range(min=0, max=100_000))
    at = UtcDateTime(allow_none=True)


class PushTokenSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=10, max=4096))
    platform = fields.String(load_default="web", validate=validate.OneOf(("android", "ios", "web")))


class UploadResultSchema(Schema):
    sha256 = fields.String()
    stored = fields.Boolean()
