"""The API's shapes for parts, stock, moves and reservations (DESIGN §13)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.fields import UtcDateTime
from server.geo import Location, from_geography
from server.inventory.models import MOVE_KINDS, RESERVATION_STATUSES
from server.inventory.states import UNITS

QUANTITY = fields.Decimal(as_string=True)
SKU = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class PartNameSchema(Schema):
    name_zh = fields.String(data_key="zh-CN", required=True, validate=validate.Length(1, 200))
    name_en = fields.String(data_key="en", required=True, validate=validate.Length(1, 200))


class PartSchema(Schema):
    id = fields.UUID()
    sku = fields.String()
    name = fields.Function(lambda p: {"zh-CN": p.name_zh, "en": p.name_en})
    unit = fields.String()
    unit_cost = fields.Decimal(as_string=True)
    reorder_point = fields.Decimal(as_string=True)
    reorder_quantity = fields.Decimal(as_string=True)
    skill_code = fields.String(allow_none=True)
    compatible_models = fields.List(fields.String())
    serial_tracked = fields.Boolean()
    active = fields.Boolean()


class PartCreateSchema(Schema):
    sku = fields.String(required=True, validate=SKU)
    name = fields.Nested(PartNameSchema, required=True)
    unit = fields.String(required=True, validate=validate.OneOf(sorted(UNITS)))
    unit_cost = fields.Decimal(required=True, places=2, validate=validate.Range(min=0, max=10**8))
    reorder_point = fields.Decimal(load_default=0, validate=validate.Range(min=0, max=10**5))
    reorder_quantity = fields.Decimal(load_default=0, validate=validate.Range(min=0, max=10**5))
    skill_code = fields.String(allow_none=True, validate=validate.Length(max=32))
    compatible_models = fields.List(
        fields.String(validate=validate.Length(1, 64)), load_default=list
    )
    serial_tracked = fields.Boolean(load_default=False)


class PartUpdateSchema(Schema):
    name = fields.Nested(PartNameSchema)
    unit_cost = fields.Decimal(places=2, validate=validate.Range(min=0, max=10**8))
    reorder_point = fields.Decimal(validate=validate.Range(min=0, max=10**5))
    reorder_quantity = fields.Decimal(validate=validate.Range(min=0, max=10**5))
    skill_code = fields.String(allow_none=True, validate=validate.Length(max=32))
    compatible_models = fields.List(fields.String(validate=validate.Length(1, 64)))
    active = fields.Boolean()


class PartQueryArgsSchema(Schema):
    q = fields.String(validate=validate.Length(max=100))
    skill_code = fields.String()
    active = fields.Boolean(load_default=True)


class LocationRefSchema(Schema):
    id = fields.UUID()
    code = fields.String()
    name = fields.String()
    type = fields.String()


class StockLocationSchema(LocationRefSchema):
    address = fields.String(allow_none=True)
    location = fields.Function(lambda loc: from_geography(loc.location))
    technician_id = fields.UUID(allow_none=True)
    active = fields.Boolean()


class StockLocationCreateSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(("warehouse", "van")))
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{1,31}$"))
    name = fields.String(required=True, validate=validate.Length(1, 120))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    location = Location(allow_none=True)
    technician_id = fields.UUID(allow_none=True)


class PartRefSchema(Schema):
    id = fields.UUID()
    sku = fields.String()
    name = fields.Function(lambda p: {"zh-CN": p.name_zh, "en": p.name_en})
    unit = fields.String()


class StockLevelSchema(Schema):
    part_id = fields.UUID()
    location_id = fields.UUID()
    part = fields.Nested(PartRefSchema)
    location = fields.Nested(LocationRefSchema)
    on_hand = fields.Decimal(as_string=True)
    reserved = fields.Decimal(as_string=True)
    available = fields.Function(lambda level: str(level.on_hand - level.reserved))
    updated_at = UtcDateTime()


class StockQueryArgsSchema(Schema):
    part_id = fields.UUID()
    location_id = fields.UUID()
    type = fields.String(validate=validate.OneOf(("warehouse", "van")))
    q = fields.String(validate=validate.Length(max=100))


class LineSchema(Schema):
    part_id = fields.UUID(required=True)
    quantity = fields.Decimal(required=True)


class ReceiptSchema(Schema):
    location_id = fields.UUID(required=True)
    lines = fields.List(fields.Nested(LineSchema), required=True, validate=validate.Length(1, 200))
    reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class TransferSchema(Schema):
    from_location_id = fields.UUID(required=True)
    to_location_id = fields.UUID(required=True)
    lines = fields.List(fields.Nested(LineSchema), required=True, validate=validate.Length(1, 200))
    reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class AdjustmentSchema(Schema):
    location_id = fields.UUID(required=True)
    part_id = fields.UUID(required=True)
    quantity = fields.Decimal(
        required=True, metadata={"description": "+ found, - lost or damaged; not zero"}
    )
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class MoveSchema(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(MOVE_KINDS))
    part_id = fields.UUID()
    quantity = fields.Decimal(as_string=True)
    from_location_id = fields.UUID(allow_none=True)
    to_location_id = fields.UUID(allow_none=True)
    work_order_id = fields.UUID(allow_none=True)
    work_order_number = fields.Function(lambda m: m.work_order.number if m.work_order else None)
    reservation_id = fields.UUID(allow_none=True)
    unit_cost = fields.Decimal(as_string=True, allow_none=True)
    reason = fields.String(allow_none=True)
    actor_name = fields.String()
    at = UtcDateTime()


class MoveQueryArgsSchema(Schema):
    part_id = fields.UUID()
    location_id = fields.UUID()
    work_order_id = fields.UUID()


class ReservationSchema(Schema):
    id = fields.UUID()
    work_order_id = fields.UUID()
    part = fields.Nested(PartRefSchema)
    quantity = fields.Decimal(as_string=True)
    quantity_used = fields.Decimal(as_string=True, allow_none=True)
    status = fields.String(validate=validate.OneOf(RESERVATION_STATUSES))
    location = fields.Nested(LocationRefSchema, allow_none=True)
    unit_cost = fields.Function(lambda r: str(r.part.unit_cost))
    requested_by_name = fields.String()
    # Set by the route for the caller's role (see `present`).
    allowed_actions = fields.Function(lambda r: getattr(r, "allowed_actions", []))
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class QueueItemSchema(ReservationSchema):
    work_order = fields.Function(
        lambda r: {
            "id": str(r.work_order.id),
            "number": r.work_order.number,
            "priority": r.work_order.priority,
            "status": r.work_order.status,
            "scheduled_start_at": r.work_order.scheduled_start_at.isoformat()
            if r.work_order.scheduled_start_at
            else None,
            "engineer": r.work_order.assignee.user.name if r.work_order.assignee else None,
            "site": r.work_order.site.address if r.work_order.site else None,
        }
    )


class QueueArgsSchema(Schema):
    status = fields.List(
        fields.String(validate=validate.OneOf(RESERVATION_STATUSES)),
        load_default=lambda: ["requested", "reserved"],
    )


class ReservationCreateSchema(Schema):
    work_order_id = fields.UUID(required=True)
    part_id = fields.UUID(required=True)
    quantity = fields.Decimal(required=True)
    location_id = fields.UUID(allow_none=True)


class PartsRequestSchema(Schema):
    part_id = fields.UUID(required=True)
    quantity = fields.Decimal(required=True)


class ReservationActionSchema(Schema):
    location_id = fields.UUID(metadata={"description": "reserve: the warehouse to hold it at"})
    van_id = fields.UUID(metadata={"description": "issue: a van other than the engineer's"})
    warehouse_id = fields.UUID(metadata={"description": "return: where it goes back to"})
    quantity_used = fields.Decimal(metadata={"description": "consume: what was used (default all)"})


class WorkOrderPartsSchema(Schema):
    parts = fields.List(fields.Nested(ReservationSchema))
    consumed_cost = fields.Decimal(as_string=True)


class LowStockSchema(Schema):
    part = fields.Nested(PartRefSchema)
    location = fields.Nested(LocationRefSchema)
    on_hand = fields.Decimal(as_string=True)
    reserved = fields.Decimal(as_string=True)
    available = fields.Decimal(as_string=True)
    reorder_point = fields.Decimal(as_string=True)
    reorder_quantity = fields.Decimal(as_string=True)
    requested_not_reserved = fields.Decimal(as_string=True)
