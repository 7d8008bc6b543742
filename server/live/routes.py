"""Live board over HTTP: a stream token, the snapshot, and the Server-Sent Events stream.

The stream is served by its own process in production (`make run` starts a gthread gunicorn
for it), so open streams never hold the API's threads. When `EVENTS_STREAM_URL` names that
process, the API answers the stream path with a redirect there, and the token response tells
the board where to connect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, redirect, request
from flask.views import MethodView

from server.api import Blueprint
from server.auth.guard import authenticate, current_actor, current_user
from server.db import db, utcnow
from server.live import emit, events, hub
from server.live import service as live_service
from server.live.schemas import SnapshotSchema, StreamArgsSchema, StreamTokenSchema

emit.install()

STREAM_PATH = "/api/v1/events/stream"

blp = Blueprint(
    "live",
    __name__,
    url_prefix="/api/v1/events",
    description="The live board: stream token and snapshot",
)
stream_blp = Blueprint(
    "live_stream",
    __name__,
    url_prefix="/api/v1/events",
    description="Live changes as Server-Sent Events",
)


def _stream_url() -> str:
    return current_app.config.get("EVENTS_STREAM_URL") or STREAM_PATH


@blp.route("/token")
class StreamToken(MethodView):
    @blp.auth(*live_service.STREAM_ROLES)
    @blp.response(200, StreamTokenSchema)
    def post(self) -> dict[str, Any]:
        """A short-lived token that opens the event stream (`?token=`)"""
        issued = live_service.issue_stream_token(
            current_user(),
            secret=current_app.config["SECRET_KEY"],
            ttl_s=int(current_app.config["EVENTS_TOKEN_TTL_S"]),
            now=utcnow(),
        )
        return {**issued, "stream_url": _stream_url()}


@blp.route("/snapshot")
class Snapshot(MethodView):
    @blp.auth(*live_service.STREAM_ROLES)
    @blp.response(200, SnapshotSchema)
    def get(self) -> dict[str, Any]:
        """Every open job and active engineer, compact: what a board shows before live events"""
        return live_service.board_snapshot(db.session, actor=current_actor(), now=utcnow())


@stream_blp.route("/stream")
class Stream(MethodView):
    @stream_blp.arguments(StreamArgsSchema, location="query")
    @stream_blp.doc(security=[{"bearerAuth": []}])
    @stream_blp.alt_response(200, description="text/event-stream")
    @stream_blp.alt_response(307, description="The stream is served by its own process")
    @stream_blp.alt_response(401, description="Missing, invalid or expired token")
    @stream_blp.alt_response(403, description="Role not allowed")
    @stream_blp.alt_response(503, description="Not listening to the database yet; retry")
    def get(self, args: dict[str, Any]) -> Response:
        """Live changes (work orders, engineer positions, SLA warnings) as Server-Sent Events;
        `Last-Event-ID` resumes; a `reset` event means: re-read the snapshot"""
        config = current_app.config
        elsewhere = config.get("EVENTS_STREAM_URL")
        if elsewhere and not config.get("EVENTS_STREAM_PROCESS"):
            query = urlencode(request.args)
            return redirect(f"{elsewhere}?{query}" if query else elsewhere, code=307)
        if args.get("token"):
            live_service.user_for_stream_token(
                db.session, token=args["token"], secret=config["SECRET_KEY"], now=utcnow()
            )
        else:
            authenticate(live_service.STREAM_ROLES)
        last_id = events.parse_event_id(
            request.headers.get("Last-Event-ID") or args.get("last_event_id")
        )
        live = hub.hub_for(current_app)
        if not live.listening:
            raise live_service.StreamUnavailable(headers={"Retry-After": "5"})
        body = hub.stream(
            live,
            last_id=last_id,
            heartbeat_s=float(config["EVENTS_HEARTBEAT_S"]),
            retry_ms=int(config["EVENTS_RETRY_MS"]),
        )
        response = Response(body, mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-cache, no-transform"
        response.headers["X-Accel-Buffering"] = "no"
        # The token in the URL is the credential (no cookies), so any page may hold a stream.
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    get._fieldline_auth = live_service.STREAM_ROLES  # type: ignore[attr-defined]
