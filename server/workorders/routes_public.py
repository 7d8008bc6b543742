"""What customers and their systems call, without a staff login: the intake channels (web
form, email, signed IoT alarms) and the tracking page by code."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, g, request
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from server import actors
from server.api import Blueprint, parse_json_object
from server.auth.guard import authenticate_integration, authenticate_signed, throttle_public
from server.db import db, utcnow
from server.errors import ValidationFailed
from server.workorders import attachments, clocks, intake, tracking
from server.workorders.routes import file_response, upload_limits
from server.workorders.schemas import (
    AlarmSchema,
    ApiIntakeSchema,
    AttachmentUploadSchema,
    IntakeOutcomeSchema,
    IntakeReceiptSchema,
    PublicAttachmentSchema,
    RatingSchema,
    RejectSchema,
    TrackingSchema,
    WebIntakeSchema,
)

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
        return tracking.confirm(
            db.session, code=code, now=utcnow(), timezone=current_app.config["ORG_TIMEZONE"]
        )


@tracking_blp.route(f"/{CODE}/reject")
class TrackingReject(MethodView):
    @tracking_blp.public
    @tracking_blp.arguments(RejectSchema)
    @tracking_blp.response(200, TrackingSchema)
    def post(self, args: dict[str, Any], code: str) -> Any:
        """The customer says the job is not done (back to in progress)"""
        throttle_public("track")
        return tracking.reject(
            db.session,
            code=code,
            reason=args["reason"],
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
        )


@tracking_blp.route(f"/{CODE}/rating")
class TrackingRating(MethodView):
    @tracking_blp.public
    @tracking_blp.arguments(RatingSchema)
    @tracking_blp.response(200, TrackingSchema)
    def post(self, args: dict[str, Any], code: str) -> Any:
        """Rate a closed job, once (1-5 and an optional comment)"""
        throttle_public("track")
        return tracking.rate(db.session, code=code, now=utcnow(), **args)


@tracking_blp.route(f"/{CODE}/photos")
class TrackingPhotos(MethodView):
    @tracking_blp.public
    @tracking_blp.arguments(AttachmentUploadSchema, location="files")
    @tracking_blp.response(201, PublicAttachmentSchema)
    @tracking_blp.alt_response(200, description="These bytes are already attached (a retry)")
    @tracking_blp.alt_response(413, description="The request body is larger than accepted")
    @tracking_blp.alt_response(429, description="Too many uploads from this address")
    def post(self, files: dict[str, Any], code: str) -> Any:
        """Add a photo to one's own open request (multipart `file`; checked by content)"""
        throttle_public("track-photo")
        upload = files["file"]
        attachment, created = tracking.add_customer_photo(
            db.session,
            code=code,
            store=current_app.extensions["blobs"],
            data=upload.read(tracking.CUSTOMER_PHOTO_MAX_BYTES + 1),
            filename=upload.filename or "",
            limits=upload_limits(),
            now=utcnow(),
        )
        return tracking.public_attachment(code, attachment), 201 if created else 200


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
        return file_response(data, mime, attachment.filename)


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
        return _receipt(result)


@intake_blp.route("/api")
class ApiIntake(MethodView):
    @intake_blp.integration
    @intake_blp.arguments(ApiIntakeSchema)
    @intake_blp.response(201, IntakeReceiptSchema)
    @intake_blp.alt_response(200, description="A retry of an `external_ref` already received")
    def post(self, args: dict[str, Any]) -> Any:
        """A request from another system (API key of kind `api`), through the same pipeline"""
        api_key = authenticate_integration("api")
        external_ref = args.pop("external_ref", None)
        outcome = intake.intake_api(
            db.session,
            key_id=api_key.id,
            key_name=api_key.name,
            key_customer_id=api_key.customer_id,
            external_ref=external_ref,
            request=intake.IntakeRequest(channel="api", locale=g.get("locale", "zh-CN"), **args),
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
            public_base_url=current_app.config["PUBLIC_BASE_URL"],
        )
        return _receipt(outcome.result), 200 if outcome.replayed else 201


def _receipt(result: intake.IntakeResult) -> dict[str, Any]:
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
            limits=upload_limits(),
        )
        return _outcome(result)


@intake_blp.route("/iot")
class IotIntake(MethodView):
    @intake_blp.integration
    @intake_blp.response(200, IntakeOutcomeSchema)
    def post(self) -> dict[str, Any]:
        """An equipment alarm, signed: X-Timestamp and X-Signature: sha256=HMAC(secret, ts.body)"""
        now = utcnow()
        api_key, body = authenticate_signed("iot", now=now)
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
