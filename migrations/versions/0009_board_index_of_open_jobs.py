"""The board's index: open jobs by location (partial GiST), so a map window does not walk
the closed history; and connected systems' request references on duplicate events.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_index(
        "ix_work_orders_open_location",
        "work_orders",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_where=sa.text(
            "status IN ('new', 'assigned', 'accepted', 'en_route', 'in_progress', 'on_hold')"
        ),
        postgresql_ops={},
    )

    op.create_index(
        "ix_work_order_events_source_ref",
        "work_order_events",
        [sa.literal_column("(payload ->> 'source_ref')")],
        unique=False,
        postgresql_where=sa.text("action = 'duplicate_request'"),
    )


def downgrade() -> None:
    op.drop_index("ix_work_order_events_source_ref", table_name="work_order_events")
    op.drop_geospatial_index(
        "ix_work_orders_open_location",
        table_name="work_orders",
        postgresql_using="gist",
        postgresql_where=sa.text(
            "status IN ('new', 'assigned', 'accepted', 'en_route', 'in_progress', 'on_hold')"
        ),
        column_name="location",
    )
