"""The API's shapes for webhook subscriptions and the delivery log."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump, validate

from server.fields import UtcDateTime
from server.notify.models import CHANNELS, STATUSES
from server.notify.webhooks import EVENT_TYPES

URL = validate.URL(schemes={"http", "https"}, require_tld=False, error="url_invalid")
EVENT_TYPE = fields.String(validate=validate.OneOf(EVENT_TYPES, error="unknown_event_type"))


class WebhookSubscriptionSchema(Schema):
    id = fields.UUID()
    url = fields.String()
    event_types = fields.List(fields.String())
    description = fields.String(allow_none=True)
    active = fields.Boolean()
    # The secret is shown once (on creation and rotation); after that only its end.
    secret_hint = fields.Function(lambda s: "..." + s.secret[-4:])
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class WebhookSubscriptionWithSecretSchema(WebhookSubscriptionSchema):
    secret = fields.String()


class WebhookSubscriptionChangedSchema(WebhookSubscriptionSchema):
    """After a change: the secret only when it was just rotated."""

    secret = fields.Method("_new_secret")

    def _new_secret(self, row: Any) -> str | None:
        return row.secret if getattr(row, "secret_rotated", False) else None

    @post_dump
    def _drop_absent_secret(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("secret") is None:
            data.pop("secret", None)
        return data


class WebhookSubscriptionCreateSchema(Schema):
    url = fields.String(required=True, validate=[validate.Length(max=2000), URL])
    event_types = fields.List(EVENT_TYPE, required=True, validate=validate.Length(min=1, max=50))
    # Left out: one is generated (and shown in the answer).
    secret = fields.String(validate=validate.Length(min=16, max=128))
    description = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean(load_default=True)


class WebhookSubscriptionUpdateSchema(Schema):
    url = fields.String(validate=[validate.Length(max=2000), URL])
    event_types = fields.List(EVENT_TYPE, validate=validate.Length(min=1, max=50))
    description = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean()
    # true: a new secret is generated and shown in the answer.
    rotate_secret = fields.Boolean()


class EventTypesSchema(Schema):
    event_types = fields.List(fields.String())


class DeliveryAttemptSchema(Schema):
    attempt = fields.Integer()
    started_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)
    outcome = fields.String()
    response_status = fields.Integer(allow_none=True)
    detail = fields.String(allow_none=True)


class OutboxMessageSchema(Schema):
    id = fields.UUID()
    channel = fields.String()
    recipient = fields.String()
    template = fields.String()
    locale = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = UtcDateTime()
    last_error = fields.String(allow_none=True)
    created_at = UtcDateTime()
    sent_at = UtcDateTime(allow_none=True)
    work_order_id = fields.UUID(allow_none=True)
    subscription_id = fields.UUID(allow_none=True)
    idempotency_key = fields.String()
    payload = fields.Dict()
    attempt_log = fields.List(fields.Nested(DeliveryAttemptSchema), data_key="attempt_log")


class MessageQueryArgsSchema(Schema):
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    work_order_id = fields.UUID()
