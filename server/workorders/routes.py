"""Work orders over HTTP: list, create, read, edit (If-Match), transitions, timeline, comments."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, g, request
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from server import actors
from server.api import Blueprint, etag_headers, if_match_version, parse_json_object
from server.auth import apikeys
from server.auth.guard import authenticate_integration, current_actor, throttle_public
from server.db import db, utcnow
from server.errors import ValidationFailed
from server.workorders import attachments, categories, clocks, intake, tracking
from server.workorders import service as workorders_service
from server.workorders.models import Attachment, Category, WorkOrder, WorkOrderEvent
from server.workorders.schemas import (
    AlarmSchema,
    AttachmentContentArgsSchema,
    AttachmentFormSchema,
    AttachmentSchema,
    AttachmentUploadSchema,
    CategoryCreateSchema,
    CategoryQueryArgsSchema,
    CategorySchema,
    CategoryUpdateSchema,
    CommentCreateSchema,
    EventSchema,
    IntakeOutcomeSchema,
    IntakeReceiptSchema,
    RatingSchema,
    RejectSchema,
    TrackingSchema,
    TransitionSchema,
    WebIntakeSchema,
    WorkOrderCreateSchema,
    WorkOrderQueryArgsSchema,
    WorkOrderSchema,
    WorkOrderUpdateSchema,
)

blp = Blueprint(
    "work_orders", __name__, url_prefix="/api/v1/work-orders", description="Work orders"
)

READERS = ("admin", "dispatcher", "agent", "manager", "warehouse", "technician")
CREATORS = ("admin", "dispatcher", "agent")
EDITORS = ("admin", "dispatcher", "agent")
ACTORS = ("admin", "dispatcher", "agent", "manager", "technician")
COMMENTERS = ("admin", "dispatcher", "agent", "manager", "technician")


def _flatten(args: dict[str, Any]) -> dict[str, Any]:
    appointment = args.pop("appointment", ...)
    if appointment is not ...:
        args["appointment_start_at"] = appointment["start_at"] if appointment else None
        args["appointment_end_at"] = appointment["end_at"] if appointment else None
    return args


@blp.route("")
class WorkOrders(MethodView):
    @blp.auth(*READERS)
    @blp.arguments(WorkOrderQueryArgsSchema, location="query")
    @blp.response(200, WorkOrderSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[WorkOrder]:
        """List work orders (technicians see their own)"""
        actor = current_actor()
        sort = args.pop("sort")
        for key in ("status", "priority"):
            args[key] = tuple(args.get(key, ()))
        orders, total = workorders_service.list_work_orders(
            db.session,
            actor=actor,
            filters=workorders_service.Filters(**args),
            sort=sort,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return [workorders_service.present(o, actor) for o in orders]

    @blp.auth(*CREATORS)
    @blp.arguments(WorkOrderCreateSchema)
    @blp.response(201, WorkOrderSchema)
    def post(self, args: dict[str, Any]) -> Any:
        """Create a work order (an agent taking a phone call, or an integration)"""
        actor = current_actor()
        order = workorders_service.create_work_order(
            db.session,
            actor=actor,
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
            **_flatten(args),
        )
        return workorders_service.present(order, actor), 201, etag_headers(order.version)


@blp.route("/<uuid:work_order_id>")
class WorkOrderById(MethodView):
    @blp.auth(*READERS)
    @blp.response(200, WorkOrderSchema)
    def get(self, work_order_id: uuid.UUID) -> Any:
        """One work order; its ETag is the version to send back in If-Match"""
        actor = current_actor()
        order = workorders_service.get_work_order(
            db.session, work_order_id=work_order_id, actor=actor
        )
        return workorders_service.present(order, actor), 200, etag_headers(order.version)

    @blp.auth(*EDITORS)
    @blp.arguments(WorkOrderUpdateSchema)
    @blp.response(200, WorkOrderSchema)
    @blp.alt_response(412, description="The version in If-Match is not the current one")
    @blp.alt_response(428, description="If-Match is required")
    def patch(self, args: dict[str, Any], work_order_id: uuid.UUID) -> Any:
        """Edit an open work order (If-Match: the version you read)"""
        actor = current_actor()
        order = workorders_service.update_work_order(
            db.session,
            work_order_id=work_order_id,
            actor=actor,
            expected_version=if_match_version(required=True) or 0,
            changes=_flatten(args),
            now=utcnow(),
        )
        return workorders_service.present(order, actor), 200, etag_headers(order.version)


@blp.route("/<uuid:work_order_id>/transitions")
class Transitions(MethodView):
    @blp.auth(*ACTORS)
    @blp.arguments(TransitionSchema)
    @blp.response(200, WorkOrderSchema)
    @blp.alt_response(409, description="Refused by the life cycle (error says why)")
    @blp.alt_response(412, description="The version in If-Match is not the current one")
    def post(self, args: dict[str, Any], work_order_id: uuid.UUID) -> Any:
        """Apply one life-cycle action (assign, accept, ..., close); idempotent per op_id"""
        actor = current_actor()
        op_id = args.pop("op_id", None)
        order = workorders_service.apply_transition(
            db.session,
            work_order_id=work_order_id,
            actor=actor,
            change=workorders_service.TransitionInput(**args),
            now=utcnow(),
            expected_version=if_match_version(required=False),
            op_id=op_id,
        )
        return workorders_service.present(order, actor), 200, etag_headers(order.version)


@blp.route("/<uuid:work_order_id>/events")
class Events(MethodView):
    @blp.auth(*READERS)
    @blp.response(200, EventSchema(many=True))
    def get(self, work_order_id: uuid.UUID) -> list[WorkOrderEvent]:
        """The timeline: every change, oldest first"""
        return workorders_service.list_events(
            db.session, work_order_id=work_order_id, actor=current_actor()
        )


@blp.route("/<uuid:work_order_id>/comments")
class Comments(MethodView):
    @blp.auth(*COMMENTERS)
    @blp.arguments(CommentCreateSchema)
    @blp.response(201, EventSchema)
    def post(self, args: dict[str, Any], work_order_id: uuid.UUID) -> WorkOrderEvent:
        """Add a comment (public ones show on the customer's tracking page; @mentions notify)"""
        return workorders_service.add_comment(
            db.session, work_order_id=work_order_id, actor=current_actor(), now=utcnow(), **args
        )


@blp.route("/<uuid:work_order_id>/attachments")
class Attachments(MethodView):
    @blp.auth(*READERS)
    @blp.response(200, AttachmentSchema(many=True))
    def get(self, work_order_id: uuid.UUID) -> list[Attachment]:
        """Photos, signatures and documents on the work order"""
        return attachments.list_attachments(
            db.session, work_order_id=work_order_id, actor=current_actor()
        )

    @blp.auth(*COMMENTERS)
    @blp.arguments(AttachmentUploadSchema, location="files")
    @blp.arguments(AttachmentFormSchema, location="form")
    @blp.response(201, AttachmentSchema)
    @blp.alt_response(200, description="These bytes are already attached (a retried upload)")
    @blp.alt_response(413, description="The request body is larger than the server accepts")
    def post(self, files: dict[str, Any], form: dict[str, Any], work_order_id: uuid.UUID) -> Any:
        """Attach a photo (JPEG, PNG, WebP, GIF) or a PDF; checked by content, not by name"""
        upload = files["file"]
        attachment, created = attachments.add_attachment(
            db.session,
            store=current_app.extensions["blobs"],
            work_order_id=work_order_id,
            actor=current_actor(),
            data=upload.read(current_app.config["MAX_UPLOAD_BYTES"] + 1),
            filename=upload.filename or "",
            kind=form.get("kind"),
            public=form["public"],
            limits=_upload_limits(),
            now=utcnow(),
        )
        return attachment, 201 if created else 200


@blp.route("/<uuid:work_order_id>/attachments/<uuid:attachment_id>/content")
class AttachmentContent(MethodView):
    @blp.auth(*READERS)
    @blp.arguments(AttachmentContentArgsSchema, location="query")
    @blp.response(200, description="The file's bytes")
    def get(self, args: dict[str, Any], work_order_id: uuid.UUID, attachment_id: uuid.UUID) -> Any:
        """The original, its thumbnail, or its display copy (no metadata)"""
        attachment, data, mime = attachments.attachment_content(
            db.session,
            store=current_app.extensions["blobs"],
            work_order_id=work_order_id,
            attachment_id=attachment_id,
            variant=args["variant"],
            actor=current_actor(),
        )
        return _file_response(data, mime, attachment.filename)


def _upload_limits() -> attachments.Limits:
    config = current_app.config
    return attachments.Limits(config["MAX_UPLOAD_BYTES"], config["MAX_IMAGE_PIXELS"])


def _file_response(data: bytes, mime: str, filename: str) -> Response:
    response = Response(data, mimetype=mime)
    # Blobs never change: a browser may keep them, but only for this user.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    disposition = "inline" if mime.startswith("image/") else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


tracking_blp = Blueprint(
    "tracking",
    __name__,
    url_prefix="/api/v1/track",
    description="The customer's tracking page, by tracking code (no account)",
)
# Tracking codes are unguessable (96 bits); a per-address limit stops anyone trying anyway.
CODE = "<string(minlength=10,maxlength=32):code>"


@tracking_blp.route(f"/{CODE}")
class Tracking(MethodView):
    @tracking_blp.public
    @tracking_blp.response(200, TrackingSchema)
    def get(self, code: str) -> Any:
        """Status, engineer, ETA and public timeline of one work order"""
        throttle_public("track")
        return tracking.get_tracking(db.session, code=code)


@tracking_blp.route(f"/{CODE}/confirm")
class TrackingConfirm(MethodView):
    @tracking_blp.public
    @tracking_blp.response(200, TrackingSchema)
    def post(self, code: str) -> Any:
        """The customer confirms a completed job (it closes)"""
        throttle_public("track")
        return tracking.confirm(db.session, code=code, now=utcnow())


@tracking_blp.route(f"/{CODE}/reject")
class TrackingReject(MethodView):
    @tracking_blp.public
    @tracking_blp.arguments(RejectSchema)
    @tracking_blp.response(200, TrackingSchema)
    def post(self, args: dict[str, Any], code: str) -> Any:
        """The customer says the job is not done (back to in progress)"""
        throttle_public("track")
        return tracking.reject(db.session, code=code, reason=args["reason"], now=utcnow())


@tracking_blp.route(f"/{CODE}/rating")
class TrackingRating(MethodView):
    @tracking_blp.public
    @tracking_blp.arguments(RatingSchema)
    @tracking_blp.response(200, TrackingSchema)
    def post(self, args: dict[str, Any], code: str) -> Any:
        """Rate a closed job, once (1-5 and an optional comment)"""
        throttle_public("track")
        return tracking.rate(db.session, code=code, now=utcnow(), **args)


@tracking_blp.route(f"/{CODE}/attachments/<uuid:attachment_id>")
class TrackingAttachment(MethodView):
    @tracking_blp.public
    @tracking_blp.response(200, description="A public photo without metadata, or a document")
    def get(self, code: str, attachment_id: uuid.UUID) -> Any:
        """A photo or document the service team shared with the customer"""
        throttle_public("track")
        order, actor = tracking.customer_actor(db.session, code=code)
        attachment, data, mime = attachments.attachment_content(
            db.session,
            store=current_app.extensions["blobs"],
            work_order_id=order.id,
            attachment_id=attachment_id,
            variant="display",
            actor=actor,
        )
        return _file_response(data, mime, attachment.filename)


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


intake_blp = Blueprint(
    "intake",
    __name__,
    url_prefix="/api/v1/intake",
    description="Requests from customers and connected systems",
)


@intake_blp.route("/web")
class WebIntake(MethodView):
    @intake_blp.public
    @intake_blp.arguments(WebIntakeSchema)
    @intake_blp.response(201, IntakeReceiptSchema)
    @intake_blp.alt_response(429, description="Too many requests from this address")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Submit a service request from the public form; answers the number and tracking link"""
        throttle_public("intake-web")
        if args.pop("website"):
            raise ValidationFailed({"website": ["spam_suspected"]})
        result = intake.intake(
            db.session,
            request=intake.IntakeRequest(channel="web", locale=g.get("locale", "zh-CN"), **args),
            actor=actors.customer_request(args["name"]),
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
            public_base_url=current_app.config["PUBLIC_BASE_URL"],
        )
        return {
            "number": result.work_order.number,
            "tracking_code": result.work_order.tracking_code,
            "tracking_url": result.tracking_url,
            "eta_at": clocks.promised_eta(result.work_order),
            "duplicate_of": result.duplicate_of.number if result.duplicate_of else None,
        }


def _outcome(result: intake.MailOutcome) -> dict[str, Any]:
    return {
        "outcome": result.outcome,
        "number": result.work_order.number,
        "tracking_url": result.tracking_url,
    }


@intake_blp.route("/email")
class EmailIntake(MethodView):
    @intake_blp.integration
    @intake_blp.response(200, IntakeOutcomeSchema)
    @intake_blp.alt_response(415, description="The body must be message/rfc822")
    def post(self) -> dict[str, Any]:
        """Inbound mail from the mail relay (raw RFC 822, Content-Type: message/rfc822)"""
        authenticate_integration("email")
        if request.mimetype != "message/rfc822":
            raise UnsupportedMediaType()
        result = intake.intake_email(
            db.session,
            raw=request.get_data(),
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
            public_base_url=current_app.config["PUBLIC_BASE_URL"],
            store=current_app.extensions["blobs"],
            limits=_upload_limits(),
        )
        return _outcome(result)


@intake_blp.route("/iot")
class IotIntake(MethodView):
    @intake_blp.integration
    @intake_blp.response(200, IntakeOutcomeSchema)
    def post(self) -> dict[str, Any]:
        """An equipment alarm, signed: X-Timestamp and X-Signature: sha256=HMAC(secret, ts.body)"""
        api_key = authenticate_integration("iot")
        body = request.get_data()
        now = utcnow()
        apikeys.verify_signature(
            db.session,
            api_key=api_key,
            signature_header=request.headers.get("X-Signature"),
            timestamp_header=request.headers.get("X-Timestamp"),
            body=body,
            now=now,
        )
        alarm = AlarmSchema().load(parse_json_object(body))
        result = intake.intake_alarm(
            db.session,
            customer_id=api_key.customer_id,
            gateway=api_key.name,
            now=now,
            timezone=current_app.config["ORG_TIMEZONE"],
            public_base_url=current_app.config["PUBLIC_BASE_URL"],
            **alarm,
        )
        return _outcome(result)
