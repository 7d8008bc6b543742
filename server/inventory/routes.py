"""Spare parts over HTTP: catalogue, locations, stock, ledger moves, reservations, low stock,
and the parts of one work order."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from server.api import Blueprint
from server.auth.guard import current_actor
from server.db import db, utcnow
from server.errors import ValidationFailed
from server.inventory import reservations, service, states
from server.inventory.models import Part, PartReservation, StockLevel, StockLocation, StockMove
from server.inventory.schemas import (
    AdjustmentSchema,
    LowStockSchema,
    MoveQueryArgsSchema,
    MoveSchema,
    PartCreateSchema,
    PartQueryArgsSchema,
    PartSchema,
    PartsRequestSchema,
    PartUpdateSchema,
    QueueArgsSchema,
    QueueItemSchema,
    ReceiptSchema,
    ReservationActionSchema,
    ReservationCreateSchema,
    ReservationSchema,
    StockLevelSchema,
    StockLocationCreateSchema,
    StockLocationSchema,
    StockQueryArgsSchema,
    TransferSchema,
    WorkOrderPartsSchema,
)

blp = Blueprint(
    "inventory",
    __name__,
    url_prefix="/api/v1/inventory",
    description="Spare parts: catalogue, stock by location, the ledger, reservations",
)
work_order_parts_blp = Blueprint(
    "work_order_parts",
    __name__,
    url_prefix="/api/v1/work-orders",
    description="Parts requested, reserved and used for a work order",
)

STAFF = ("admin", "warehouse", "dispatcher", "agent", "manager", "technician")
KEEPERS = ("admin", "warehouse")
REQUESTERS = ("admin", "dispatcher", "agent", "warehouse", "technician")


def present(reservation: PartReservation, role: str) -> PartReservation:
    reservation.allowed_actions = states.allowed_actions(reservation.status, role)  # type: ignore[attr-defined]
    return reservation


def _names(args: dict[str, Any]) -> dict[str, Any]:
    return {**args.pop("name", {}), **args}


# --- catalogue and locations ----------------------------------------------------------------


@blp.route("/parts")
class Parts(MethodView):
    @blp.auth(*STAFF)
    @blp.arguments(PartQueryArgsSchema, location="query")
    @blp.response(200, PartSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[Part]:
        """The catalogue (search by SKU or name in either language)"""
        rows, total = service.list_parts(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return rows

    @blp.auth(*KEEPERS)
    @blp.arguments(PartCreateSchema)
    @blp.response(201, PartSchema)
    def post(self, args: dict[str, Any]) -> Part:
        """Add a part (SKU unique)"""
        return service.create_part(db.session, **_names(args))


@blp.route("/parts/<uuid:part_id>")
class PartById(MethodView):
    @blp.auth(*KEEPERS)
    @blp.arguments(PartUpdateSchema)
    @blp.response(200, PartSchema)
    def patch(self, args: dict[str, Any], part_id: uuid.UUID) -> Part:
        """Change names, cost, reorder levels, or retire a part (`active: false`)"""
        return service.update_part(db.session, part_id=part_id, changes=_names(args))


@blp.route("/locations")
class Locations(MethodView):
    @blp.auth(*STAFF)
    @blp.response(200, StockLocationSchema(many=True))
    def get(self) -> list[StockLocation]:
        """Warehouses and vans"""
        return service.list_locations(db.session)

    @blp.auth(*KEEPERS)
    @blp.arguments(StockLocationCreateSchema)
    @blp.response(201, StockLocationSchema)
    def post(self, args: dict[str, Any]) -> StockLocation:
        """Add a warehouse (with its address and point) or an engineer's van"""
        return service.create_location(db.session, **args)


# --- stock and the ledger -------------------------------------------------------------------


@blp.route("/stock")
class Stock(MethodView):
    @blp.auth(*STAFF)
    @blp.arguments(StockQueryArgsSchema, location="query")
    @blp.response(200, StockLevelSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[StockLevel]:
        """On hand, reserved and available per part and location"""
        rows, total = service.list_stock(
            db.session,
            part_id=args.get("part_id"),
            location_id=args.get("location_id"),
            location_type=args.get("type"),
            q=args.get("q"),
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return rows


@blp.route("/receipts")
class Receipts(MethodView):
    @blp.auth(*KEEPERS)
    @blp.arguments(ReceiptSchema)
    @blp.response(201, MoveSchema(many=True))
    def post(self, args: dict[str, Any]) -> list[StockMove]:
        """Goods in at a location"""
        return service.receive(db.session, actor=current_actor(), now=utcnow(), **args)


@blp.route("/transfers")
class Transfers(MethodView):
    @blp.auth(*KEEPERS)
    @blp.arguments(TransferSchema)
    @blp.response(201, MoveSchema(many=True))
    def post(self, args: dict[str, Any]) -> list[StockMove]:
        """Free stock from one location to another (e.g. restocking a van)"""
        return service.transfer(db.session, actor=current_actor(), now=utcnow(), **args)


@blp.route("/adjustments")
class Adjustments(MethodView):
    @blp.auth(*KEEPERS)
    @blp.arguments(AdjustmentSchema)
    @blp.response(201, MoveSchema)
    def post(self, args: dict[str, Any]) -> StockMove:
        """Correct a count, with a reason (+ found, - lost or damaged)"""
        delta = args.pop("quantity")
        return service.adjust(db.session, delta=delta, actor=current_actor(), now=utcnow(), **args)


@blp.route("/moves")
class Moves(MethodView):
    @blp.auth(*STAFF)
    @blp.arguments(MoveQueryArgsSchema, location="query")
    @blp.response(200, MoveSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[StockMove]:
        """The ledger, newest first (a part's history, a location's, or a work order's)"""
        rows, total = service.list_moves(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return rows


@blp.route("/low-stock")
class LowStock(MethodView):
    @blp.auth(*STAFF)
    @blp.response(200, LowStockSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Parts at or below their reorder point per warehouse, with what requests still need"""
        return service.low_stock(db.session)


# --- reservations ---------------------------------------------------------------------------


@blp.route("/reservations")
class Reservations(MethodView):
    @blp.auth(*STAFF)
    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, QueueItemSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[PartReservation]:
        """The warehouse queue: by the order's priority, then its scheduled date"""
        rows, total = reservations.queue(
            db.session,
            statuses=tuple(args["status"]),
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        role = current_actor().role
        return [present(reservation, role) for reservation, _ in rows]

    @blp.auth(*KEEPERS)
    @blp.arguments(ReservationCreateSchema)
    @blp.response(201, ReservationSchema)
    @blp.alt_response(409, description="insufficient_stock: `available` says where there is some")
    def post(self, args: dict[str, Any]) -> PartReservation:
        """Request and reserve in one step (nearest warehouse with stock, or `location_id`)"""
        actor, now = current_actor(), utcnow()
        requested = reservations.request_parts(
            db.session,
            work_order_id=args["work_order_id"],
            part_id=args["part_id"],
            quantity=args["quantity"],
            actor=actor,
            now=now,
            reserving_now=True,
        )
        reserved = reservations.reserve(
            db.session,
            reservation_id=requested.id,
            actor=actor,
            now=now,
            location_id=args.get("location_id"),
        )
        return present(reserved, actor.role)


@blp.route("/reservations/<uuid:reservation_id>/<any(reserve,issue,consume,release,return):action>")
class ReservationAction(MethodView):
    @blp.auth(*REQUESTERS)
    @blp.arguments(ReservationActionSchema)
    @blp.response(200, ReservationSchema)
    @blp.alt_response(409, description="Not possible from the current status, or no stock")
    def post(self, args: dict[str, Any], reservation_id: uuid.UUID, action: str) -> Any:
        """One step of the reservation life cycle"""
        actor = current_actor()
        options = {
            "reserve": ("location_id",),
            "issue": ("van_id",),
            "consume": ("quantity_used",),
            "return": ("warehouse_id",),
            "release": (),
        }[action]
        unexpected = sorted(set(args) - set(options))
        if unexpected:
            raise ValidationFailed({key: ["not_for_this_action"] for key in unexpected})
        reservation = reservations.ACTIONS[action](
            db.session, reservation_id=reservation_id, actor=actor, now=utcnow(), **args
        )
        return present(reservation, actor.role)


# --- a work order's parts -------------------------------------------------------------------


@work_order_parts_blp.route("/<uuid:work_order_id>/parts")
class WorkOrderParts(MethodView):
    @work_order_parts_blp.auth(*STAFF)
    @work_order_parts_blp.response(200, WorkOrderPartsSchema)
    def get(self, work_order_id: uuid.UUID) -> dict[str, Any]:
        """Parts of the order, and the cost of those used"""
        actor = current_actor()
        rows, cost = reservations.list_for_work_order(
            db.session, work_order_id=work_order_id, actor=actor
        )
        return {"parts": [present(r, actor.role) for r in rows], "consumed_cost": cost}

    @work_order_parts_blp.auth(*REQUESTERS)
    @work_order_parts_blp.arguments(PartsRequestSchema)
    @work_order_parts_blp.response(201, ReservationSchema)
    def post(self, args: dict[str, Any], work_order_id: uuid.UUID) -> PartReservation:
        """Ask the warehouse for parts (the order waits for them before dispatch)"""
        actor = current_actor()
        reservation = reservations.request_parts(
            db.session, work_order_id=work_order_id, actor=actor, now=utcnow(), **args
        )
        return present(reservation, actor.role)


@work_order_parts_blp.route("/<uuid:work_order_id>/parts/used")
class WorkOrderPartsUsed(MethodView):
    @work_order_parts_blp.auth("admin", "warehouse", "technician")
    @work_order_parts_blp.arguments(PartsRequestSchema)
    @work_order_parts_blp.response(201, ReservationSchema)
    def post(self, args: dict[str, Any], work_order_id: uuid.UUID) -> PartReservation:
        """Record a part the engineer took from their van stock"""
        actor = current_actor()
        reservation = reservations.use_from_van(
            db.session, work_order_id=work_order_id, actor=actor, now=utcnow(), **args
        )
        return present(reservation, actor.role)
