"""notification outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications_outbox",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=500), nullable=False),
        sa.Column("recipient_user_id", sa.Uuid(), nullable=True),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), server_default="zh-CN", nullable=False),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('email','sms','push','webhook','in_app')",
            name=op.f("ck_notifications_outbox_channel_known"),
        ),
        sa.CheckConstraint(
            "status IN ('pending','sending','sent','failed')",
            name=op.f("ck_notifications_outbox_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["users.id"],
            name=op.f("fk_notifications_outbox_recipient_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_notifications_outbox_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_outbox")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_notifications_outbox_idempotency_key")
        ),
    )
    op.create_index(
        "ix_notifications_outbox_due",
        "notifications_outbox",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        op.f("ix_notifications_outbox_work_order_id"),
        "notifications_outbox",
        ["work_order_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_notifications_outbox_work_order_id"), table_name="notifications_outbox")
    op.drop_index(
        "ix_notifications_outbox_due",
        table_name="notifications_outbox",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_table("notifications_outbox")
