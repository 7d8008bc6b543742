"""Webhook subscriptions (admin only) and the notification delivery log over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from server.api import Blueprint
from server.auth.guard import current_user
from server.db import db, utcnow
from server.notify import (
    events,  # noqa: F401 - registers the work-order hooks
    service,
)
from server.notify.models import OutboxMessage, WebhookSubscription
from server.notify.schemas import (
    EventTypesSchema,
    MessageQueryArgsSchema,
    OutboxMessageSchema,
    WebhookSubscriptionChangedSchema,
    WebhookSubscriptionCreateSchema,
    WebhookSubscriptionSchema,
    WebhookSubscriptionUpdateSchema,
    WebhookSubscriptionWithSecretSchema,
)
from server.notify.webhooks import EVENT_TYPES

webhooks_blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Outbound webhooks: signed work-order events for integrations (CRM, ERP)",
)
notifications_blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/notifications",
    description="The notification outbox and its delivery log (email, push, webhooks)",
)

ADMIN = ("admin",)
LOG_READERS = ("admin", "manager")


@webhooks_blp.route("")
class Webhooks(MethodView):
    @webhooks_blp.auth(*ADMIN)
    @webhooks_blp.response(200, WebhookSubscriptionSchema(many=True))
    def get(self) -> list[WebhookSubscription]:
        """Webhook subscriptions"""
        return service.list_subscriptions(db.session)

    @webhooks_blp.auth(*ADMIN)
    @webhooks_blp.arguments(WebhookSubscriptionCreateSchema)
    @webhooks_blp.response(201, WebhookSubscriptionWithSecretSchema)
    def post(self, args: dict[str, Any]) -> WebhookSubscription:
        """Subscribe a URL to event types (the signing secret is shown in this answer only)"""
        return service.create_subscription(db.session, created_by_id=current_user().id, **args)


@webhooks_blp.route("/event-types")
class WebhookEventTypes(MethodView):
    @webhooks_blp.auth(*ADMIN)
    @webhooks_blp.response(200, EventTypesSchema)
    def get(self) -> dict[str, Any]:
        """The event types a subscription can choose"""
        return {"event_types": list(EVENT_TYPES)}


@webhooks_blp.route("/<uuid:subscription_id>")
class WebhookById(MethodView):
    @webhooks_blp.auth(*ADMIN)
    @webhooks_blp.response(200, WebhookSubscriptionSchema)
    def get(self, subscription_id: uuid.UUID) -> WebhookSubscription:
        """One subscription"""
        return service.get_subscription(db.session, subscription_id=subscription_id)

    @webhooks_blp.auth(*ADMIN)
    @webhooks_blp.arguments(WebhookSubscriptionUpdateSchema)
    @webhooks_blp.response(200, WebhookSubscriptionChangedSchema)
    def patch(self, args: dict[str, Any], subscription_id: uuid.UUID) -> WebhookSubscription:
        """Change the URL, event types or description, switch it on or off, rotate the secret
        (the new one is in this answer only)"""
        return service.update_subscription(
            db.session, subscription_id=subscription_id, changes=dict(args)
        )

    @webhooks_blp.auth(*ADMIN)
    @webhooks_blp.response(204)
    def delete(self, subscription_id: uuid.UUID) -> None:
        """Delete a subscription (messages still waiting for it are skipped)"""
        service.delete_subscription(db.session, subscription_id=subscription_id)


@webhooks_blp.route("/<uuid:subscription_id>/deliveries")
class WebhookDeliveries(MethodView):
    @webhooks_blp.auth(*ADMIN)
    @webhooks_blp.response(200, OutboxMessageSchema(many=True))
    @webhooks_blp.paginate()
    def get(self, subscription_id: uuid.UUID, pagination_parameters: Any) -> list[OutboxMessage]:
        """The delivery log of a subscription: each event, its status and every attempt"""
        rows, total = service.list_deliveries(
            db.session,
            subscription_id=subscription_id,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return rows


@notifications_blp.route("")
class Notifications(MethodView):
    @notifications_blp.auth(*LOG_READERS)
    @notifications_blp.arguments(MessageQueryArgsSchema, location="query")
    @notifications_blp.response(200, OutboxMessageSchema(many=True))
    @notifications_blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> list[OutboxMessage]:
        """The outbox, newest first, with every delivery attempt"""
        rows, total = service.list_messages(
            db.session,
            page=pagination_parameters.page,
            page_size=pagination_parameters.page_size,
            **args,
        )
        pagination_parameters.item_count = total
        return rows


@notifications_blp.route("/<uuid:message_id>")
class NotificationById(MethodView):
    @notifications_blp.auth(*LOG_READERS)
    @notifications_blp.response(200, OutboxMessageSchema)
    def get(self, message_id: uuid.UUID) -> OutboxMessage:
        """One message and its attempts"""
        return service.get_message(db.session, message_id=message_id)


@notifications_blp.route("/<uuid:message_id>/requeue")
class NotificationRequeue(MethodView):
    @notifications_blp.auth(*ADMIN)
    @notifications_blp.response(200, OutboxMessageSchema)
    def post(self, message_id: uuid.UUID) -> OutboxMessage:
        """Send a failed or skipped message again (e.g. an interrupted email, once checked)"""
        return service.requeue_message(db.session, message_id=message_id, now=utcnow())
