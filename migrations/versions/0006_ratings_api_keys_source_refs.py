"""ratings, api keys, source refs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("signing_secret", sa.String(length=128), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("kind IN ('api','email','iot')", name=op.f("ck_api_keys_kind_known")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_api_keys_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "seen_signatures",
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("api_key_id", sa.Uuid(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_seen_signatures_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_seen_signatures")),
    )
    op.create_index(op.f("ix_seen_signatures_at"), "seen_signatures", ["at"], unique=False)
    op.create_table(
        "work_order_ratings",
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_work_order_ratings_score_range")),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_ratings_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("work_order_id", name=op.f("pk_work_order_ratings")),
    )
    op.add_column("work_orders", sa.Column("source_ref", sa.String(length=100), nullable=True))
    op.create_index(op.f("ix_work_orders_source_ref"), "work_orders", ["source_ref"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_work_orders_source_ref"), table_name="work_orders")
    op.drop_column("work_orders", "source_ref")
    op.drop_table("work_order_ratings")
    op.drop_index(op.f("ix_seen_signatures_at"), table_name="seen_signatures")
    op.drop_table("seen_signatures")
    op.drop_table("api_keys")
