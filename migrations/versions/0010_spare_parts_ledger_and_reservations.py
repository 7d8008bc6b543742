"""Spare parts: catalogue, stock levels, the append-only stock ledger, reservations.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parts",
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "reorder_point", sa.Numeric(precision=12, scale=3), server_default="0", nullable=False
        ),
        sa.Column(
            "reorder_quantity",
            sa.Numeric(precision=12, scale=3),
            server_default="0",
            nullable=False,
        ),
        sa.Column("skill_code", sa.String(length=32), nullable=True),
        sa.Column(
            "compatible_models",
            postgresql.ARRAY(sa.String(length=64)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("serial_tracked", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
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
        sa.CheckConstraint(
            "reorder_point >= 0 AND reorder_quantity >= 0",
            name=op.f("ck_parts_reorder_nonnegative"),
        ),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_parts_unit_cost_nonnegative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parts")),
        sa.UniqueConstraint("sku", name=op.f("uq_parts_sku")),
    )
    op.create_table(
        "part_reservations",
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("quantity_used", sa.Numeric(precision=12, scale=3), nullable=True),
        sa.Column("requested_by_name", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
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
        sa.CheckConstraint(
            "status IN ('requested','reserved','issued','consumed','released','returned')",
            name=op.f("ck_part_reservations_status_known"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('reserved','issued') OR location_id IS NOT NULL",
            name=op.f("ck_part_reservations_held_somewhere"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_part_reservations_quantity_positive")),
        sa.CheckConstraint(
            "quantity_used IS NULL OR (quantity_used >= 0 AND quantity_used <= quantity)",
            name=op.f("ck_part_reservations_used_within_quantity"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["stock_locations.id"],
            name=op.f("fk_part_reservations_location_id_stock_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_part_reservations_part_id_parts")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_part_reservations_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_part_reservations")),
    )
    op.create_index(
        "ix_part_reservations_open",
        "part_reservations",
        ["status", "created_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('requested','reserved')"),
    )
    op.create_index(
        "ix_part_reservations_work_order", "part_reservations", ["work_order_id"], unique=False
    )
    op.create_table(
        "stock_levels",
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("on_hand", sa.Numeric(precision=12, scale=3), server_default="0", nullable=False),
        sa.Column(
            "reserved", sa.Numeric(precision=12, scale=3), server_default="0", nullable=False
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("on_hand >= 0", name=op.f("ck_stock_levels_on_hand_nonnegative")),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= on_hand",
            name=op.f("ck_stock_levels_reserved_within_on_hand"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["stock_locations.id"],
            name=op.f("fk_stock_levels_location_id_stock_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_stock_levels_part_id_parts")
        ),
        sa.PrimaryKeyConstraint("part_id", "location_id", name=op.f("pk_stock_levels")),
    )
    op.create_index("ix_stock_levels_location", "stock_levels", ["location_id"], unique=False)
    op.create_table(
        "stock_moves",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=12, scale=3), nullable=False),
        sa.Column("from_location_id", sa.Uuid(), nullable=True),
        sa.Column("to_location_id", sa.Uuid(), nullable=True),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "kind <> 'adjustment' OR reason IS NOT NULL",
            name=op.f("ck_stock_moves_adjustment_reason"),
        ),
        sa.CheckConstraint(
            "kind IN ('receipt','transfer','issue','consume','return','adjustment')",
            name=op.f("ck_stock_moves_kind_known"),
        ),
        sa.CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL",
            name=op.f("ck_stock_moves_goes_somewhere"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_stock_moves_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_stock_moves_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["from_location_id"],
            ["stock_locations.id"],
            name=op.f("fk_stock_moves_from_location_id_stock_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_stock_moves_part_id_parts")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["part_reservations.id"],
            name=op.f("fk_stock_moves_reservation_id_part_reservations"),
        ),
        sa.ForeignKeyConstraint(
            ["to_location_id"],
            ["stock_locations.id"],
            name=op.f("fk_stock_moves_to_location_id_stock_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_stock_moves_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_moves")),
    )
    op.create_index("ix_stock_moves_part_at", "stock_moves", ["part_id", "id"], unique=False)
    op.create_index("ix_stock_moves_work_order", "stock_moves", ["work_order_id"], unique=False)
    # The ledger is the truth: moves are only ever added; mistakes are reversed by new moves.
    op.execute(
        """
        CREATE FUNCTION stock_moves_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'stock_moves is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER stock_moves_append_only
            BEFORE UPDATE OR DELETE ON stock_moves
            FOR EACH ROW EXECUTE FUNCTION stock_moves_append_only();
        CREATE TRIGGER stock_moves_no_truncate
            BEFORE TRUNCATE ON stock_moves
            FOR EACH STATEMENT EXECUTE FUNCTION stock_moves_append_only();
        """
    )


def downgrade() -> None:
    op.drop_index("ix_stock_moves_work_order", table_name="stock_moves")
    op.drop_index("ix_stock_moves_part_at", table_name="stock_moves")
    op.drop_table("stock_moves")  # the triggers go with it
    op.execute("DROP FUNCTION stock_moves_append_only()")
    op.drop_index("ix_stock_levels_location", table_name="stock_levels")
    op.drop_table("stock_levels")
    op.drop_index("ix_part_reservations_work_order", table_name="part_reservations")
    op.drop_index(
        "ix_part_reservations_open",
        table_name="part_reservations",
        postgresql_where=sa.text("status IN ('requested','reserved')"),
    )
    op.drop_table("part_reservations")
    op.drop_table("parts")
