"""The engineer app's delta sync: an index on (assignee_id, updated_at).

A phone's sync asks whether any of its engineer's orders changed since the cursor, then reads
those orders. The index on (assignee_id, status) made that read every order the engineer ever
had and filter on the time; this one answers from a short range of the index.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_work_orders_assignee_updated",
        "work_orders",
        ["assignee_id", "updated_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_work_orders_assignee_updated", table_name="work_orders")
