"""The engineer app: its op log (each op applied at most once), push tokens, and an index
for sync on the timeline's time.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_tokens",
        sa.Column("token", sa.String(length=4096), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "platform IN ('android','ios','web')", name=op.f("ck_push_tokens_platform_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_push_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_push_tokens")),
    )
    op.create_index(op.f("ix_push_tokens_user_id"), "push_tokens", ["user_id"], unique=False)
    op.create_table(
        "mobile_ops",
        sa.Column("op_id", sa.String(length=64), nullable=False),
        sa.Column("technician_id", sa.Uuid(), nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "status IN ('applied','rejected')", name=op.f("ck_mobile_ops_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_mobile_ops_technician_id_technicians"),
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_mobile_ops_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("op_id", name=op.f("pk_mobile_ops")),
    )
    op.create_index(
        "ix_mobile_ops_technician_received",
        "mobile_ops",
        ["technician_id", "received_at"],
        unique=False,
    )
    op.create_index("ix_work_order_events_at", "work_order_events", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_work_order_events_at", table_name="work_order_events")
    op.drop_index("ix_mobile_ops_technician_received", table_name="mobile_ops")
    op.drop_table("mobile_ops")
    op.drop_index(op.f("ix_push_tokens_user_id"), table_name="push_tokens")
    op.drop_table("push_tokens")
