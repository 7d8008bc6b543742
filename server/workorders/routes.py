"""Work orders over HTTP: list, create, read, edit (If-Match), transitions, timeline, comments
and attachments."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from flask import Response, current_app
from flask.views import MethodView

from server.api import Blueprint, etag_headers, if_match_version
from server.auth.guard import current_actor
from server.db import db, utcnow
from server.workorders import attachments
from server.workorders import service as workorders_service
from server.workorders.models import Attachment, WorkOrder, WorkOrderEvent
from server.workorders.schemas import (
    AttachmentContentArgsSchema,
    AttachmentFormSchema,
    AttachmentSchema,
    AttachmentUploadSchema,
    CommentCreateSchema,
    EventSchema,
    TransitionSchema,
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
PINNERS = tuple(sorted(workorders_service.PINNERS))


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
            timezone=current_app.config["ORG_TIMEZONE"],
            expected_version=if_match_version(required=False),
            op_id=op_id,
        )
        return workorders_service.present(order, actor), 200, etag_headers(order.version)


@blp.route("/<uuid:work_order_id>/pin")
class Pin(MethodView):
    @blp.auth(*PINNERS)
    @blp.response(200, WorkOrderSchema)
    @blp.alt_response(409, description="The job has no engineer, or is no longer open")
    @blp.alt_response(412, description="The version in If-Match is not the current one")
    def put(self, work_order_id: uuid.UUID) -> Any:
        """Pin the job to its engineer: optimizer runs plan around it (If-Match optional)"""
        return _set_pinned(work_order_id, pinned=True)

    @blp.auth(*PINNERS)
    @blp.response(200, WorkOrderSchema)
    @blp.alt_response(412, description="The version in If-Match is not the current one")
    def delete(self, work_order_id: uuid.UUID) -> Any:
        """Unpin the job: the next optimizer run may give it to another engineer"""
        return _set_pinned(work_order_id, pinned=False)


def _set_pinned(work_order_id: uuid.UUID, *, pinned: bool) -> Any:
    actor = current_actor()
    order = workorders_service.set_pinned(
        db.session,
        work_order_id=work_order_id,
        actor=actor,
        pinned=pinned,
        expected_version=if_match_version(required=False),
        now=utcnow(),
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
            limits=upload_limits(),
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
        return file_response(data, mime, attachment.filename)


def upload_limits() -> attachments.Limits:
    config = current_app.config
    return attachments.Limits(config["MAX_UPLOAD_BYTES"], config["MAX_IMAGE_PIXELS"])


def file_response(data: bytes, mime: str, filename: str) -> Response:
    response = Response(data, mimetype=mime)
    # Blobs never change: a browser may keep them, but only for this user.
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    disposition = "inline" if mime.startswith("image/") else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
