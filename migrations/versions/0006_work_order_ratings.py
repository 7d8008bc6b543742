"""work order ratings

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


def downgrade() -> None:
    op.drop_table("work_order_ratings")
