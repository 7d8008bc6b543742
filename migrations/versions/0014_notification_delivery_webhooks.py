"""Notification delivery: attempts, claims with a lease, a `skipped` status, and outbound
webhook subscriptions.

Each try at sending a message is a row in `notification_attempts`, committed before the external
call; `notifications_outbox.claimed_at` starts the lease of the worker that is sending it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("event_types", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_subscriptions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_table(
        "notification_attempts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), server_default="started", nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('started','sent','retry','failed','skipped','interrupted')",
            name=op.f("ck_notification_attempts_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["notifications_outbox.id"],
            name=op.f("fk_notification_attempts_message_id_notifications_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_attempts")),
        sa.UniqueConstraint(
            "message_id", "attempt", name=op.f("uq_notification_attempts_message_id")
        ),
    )
    op.add_column("notifications_outbox", sa.Column("subscription_id", sa.Uuid(), nullable=True))
    op.add_column(
        "notifications_outbox", sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_notifications_outbox_claimed",
        "notifications_outbox",
        ["claimed_at"],
        unique=False,
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.create_index(
        op.f("ix_notifications_outbox_subscription_id"),
        "notifications_outbox",
        ["subscription_id"],
        unique=False,
    )
    op.create_foreign_key(
        op.f("fk_notifications_outbox_subscription_id_webhook_subscriptions"),
        "notifications_outbox",
        "webhook_subscriptions",
        ["subscription_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.drop_constraint(
        op.f("ck_notifications_outbox_status_known"), "notifications_outbox", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_notifications_outbox_status_known"),
        "notifications_outbox",
        "status IN ('pending','sending','sent','failed','skipped')",
    )


def downgrade() -> None:
    op.execute("UPDATE notifications_outbox SET status = 'sent' WHERE status = 'skipped'")
    op.drop_constraint(
        op.f("ck_notifications_outbox_status_known"), "notifications_outbox", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_notifications_outbox_status_known"),
        "notifications_outbox",
        "status IN ('pending','sending','sent','failed')",
    )
    op.drop_constraint(
        op.f("fk_notifications_outbox_subscription_id_webhook_subscriptions"),
        "notifications_outbox",
        type_="foreignkey",
    )
    op.drop_index(
        op.f("ix_notifications_outbox_subscription_id"), table_name="notifications_outbox"
    )
    op.drop_index(
        "ix_notifications_outbox_claimed",
        table_name="notifications_outbox",
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.drop_column("notifications_outbox", "claimed_at")
    op.drop_column("notifications_outbox", "subscription_id")
    op.drop_table("notification_attempts")
    op.drop_table("webhook_subscriptions")
