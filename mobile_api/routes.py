"""The engineer app's API: sync, ops, uploads, location pings, push tokens. Only engineers."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView

from mobile_api import ops as ops_service
from mobile_api import sync as sync_service
from mobile_api.schemas import (
    LocationSchema,
    OpsResultSchema,
    OpsSchema,
    PushTokenSchema,
    SyncArgsSchema,
    SyncSchema,
    UploadResultSchema,
)
from mobile_api.uploads import store_upload
from server.actors import Actor
from server.api import Blueprint
from server.auth.guard import current_actor
from server.db import db, utcnow
from server.errors import Forbidden
from server.notify import service as notify_service
from server.technicians import service as technicians_service
from server.workorders.attachments import Limits

blp = Blueprint("mobile", __name__, url_prefix="/mobile/v1", description="The engineer app")
ENGINEER = "technician"
# Pings closer together than this are not stored (a phone may report every second).
PING_INTERVAL_S = 15


def _engineer() -> Actor:
    actor = current_actor()
    if actor.technician_id is None:
        raise Forbidden("not_an_engineer")
    return actor


def _limits() -> Limits:
    return Limits(current_app.config["MAX_UPLOAD_BYTES"], current_app.config["MAX_IMAGE_PIXELS"])


@blp.route("/sync")
class Sync(MethodView):
    @blp.auth(ENGINEER)
    @blp.arguments(SyncArgsSchema, location="query")
    @blp.response(200, SyncSchema)
    def get(self, args: dict[str, Any]) -> sync_service.SyncResult:
        """What changed for me since `cursor` (everything open, without one)"""
        return sync_service.sync(
            db.session,
            actor=_engineer(),
            cursor=args.get("cursor"),
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
        )


@blp.route("/ops")
class Ops(MethodView):
    @blp.auth(ENGINEER)
    @blp.arguments(OpsSchema)
    @blp.response(200, OpsResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Apply a batch of queued actions in order, each at most once"""
        results = ops_service.apply_batch(
            db.session,
            actor=_engineer(),
            ops=args["ops"],
            store=current_app.extensions["blobs"],
            limits=_limits(),
            now=utcnow(),
            timezone=current_app.config["ORG_TIMEZONE"],
        )
        return {"results": results}


@blp.route("/uploads/<string(length=64):sha256>")
class Uploads(MethodView):
    @blp.auth(ENGINEER)
    @blp.response(201, UploadResultSchema)
    @blp.alt_response(200, description="These bytes were already here")
    def put(self, sha256: str) -> Any:
        """Photo or signature bytes, addressed by their sha256 (`X-Upload-Kind`: photo|signature)"""
        _engineer()
        kind = request.headers.get("X-Upload-Kind")
        created = store_upload(
            current_app.extensions["blobs"],
            sha256=sha256,
            data=request.get_data(),
            kind=kind if kind in ("photo", "signature") else None,
            limits=_limits(),
        )
        return {"sha256": sha256, "stored": True}, 201 if created else 200


@blp.route("/location")
class Location(MethodView):
    @blp.auth(ENGINEER)
    @blp.arguments(LocationSchema)
    @blp.response(204)
    def post(self, args: dict[str, Any]) -> None:
        """Where I am (kept at most every 15 s; the board and ETAs read the latest)"""
        actor = _engineer()
        technicians_service.record_position(
            db.session,
            technician_id=actor.technician_id,
            lat=args["lat"],
            lon=args["lon"],
            at=min(args.get("at") or utcnow(), utcnow()),
            min_interval_s=PING_INTERVAL_S,
        )


@blp.route("/push-token")
class PushToken(MethodView):
    @blp.auth(ENGINEER)
    @blp.arguments(PushTokenSchema)
    @blp.response(204)
    def post(self, args: dict[str, Any]) -> None:
        """Register this device for push messages"""
        actor = _engineer()
        notify_service.register_push_token(
            db.session,
            user_id=actor.user_id,
            token=args["token"],
            platform=args["platform"],
            now=utcnow(),
        )
