"""The API's shapes for the live board: the stream token, the stream's query, the snapshot."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.geo import LocationSchema


class StreamTokenSchema(Schema):
    token = fields.String(metadata={"description": "Pass as `?token=` to the stream"})
    expires_in = fields.Integer(metadata={"description": "Seconds the token opens streams for"})
    stream_url = fields.String(metadata={"description": "Where to open the stream"})


class StreamArgsSchema(Schema):
    token = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "A stream token (EventSource cannot send Authorization)"},
    )
    last_event_id = fields.String(
        validate=validate.Length(max=32),
        metadata={"description": "Resume after this event (same as the Last-Event-ID header)"},
    )


class BoardSkillSchema(Schema):
    code = fields.String()
    level = fields.Integer(dump_default=1)


class BoardJobSchema(Schema):
    id = fields.String()
    number = fields.String()
    status = fields.String()
    priority = fields.String()
    type = fields.String()
    summary = fields.String()
    customer = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    location = fields.Nested(LocationSchema, allow_none=True)
    required_skills = fields.List(fields.Nested(BoardSkillSchema))
    duration_minutes = fields.Integer()
    assignee_id = fields.String(allow_none=True)
    scheduled_start_at = fields.String(allow_none=True)
    eta_at = fields.String(allow_none=True)
    sla_state = fields.String()
    response_due_at = fields.String(allow_none=True)
    resolve_due_at = fields.String(allow_none=True)
    waiting_for_parts = fields.Boolean()
    pinned = fields.Boolean()
    version = fields.Integer()
    created_at = fields.String()


class BoardEngineerSchema(Schema):
    id = fields.String()
    name = fields.String()
    status = fields.String()
    skills = fields.List(fields.Nested(BoardSkillSchema))
    home = fields.Nested(LocationSchema, allow_none=True)
    position = fields.Nested(LocationSchema, allow_none=True)
    position_at = fields.String(allow_none=True)
    max_jobs_per_day = fields.Integer()


class SnapshotSchema(Schema):
    at = fields.String()
    jobs = fields.List(fields.Nested(BoardJobSchema))
    technicians = fields.List(fields.Nested(BoardEngineerSchema))
