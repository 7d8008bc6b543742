"""Assets and preventive maintenance: asset models (with their compatible parts), assets,
meter readings, checklist templates and the checklists of work orders, maintenance plans and
their occurrences (unique per plan, asset and due date, and at most one open per plan and
asset, which makes generation exactly-once), alarm codes; and on work orders the asset, the
billable flag (warranty) and the order a follow-up comes from.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checklist_templates",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_templates")),
        sa.UniqueConstraint("code", name=op.f("uq_checklist_templates_code")),
    )
    op.create_table(
        "asset_models",
        sa.Column("manufacturer", sa.String(length=120), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column(
            "required_skills",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("checklist_template_id", sa.Uuid(), nullable=True),
        sa.Column(
            "meters",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
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
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_asset_models_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["checklist_template_id"],
            ["checklist_templates.id"],
            name=op.f("fk_asset_models_checklist_template_id_checklist_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_models")),
    )
    op.create_index(op.f("ix_asset_models_kind"), "asset_models", ["kind"], unique=False)
    op.create_index(
        "uq_asset_models_make_model", "asset_models", ["manufacturer", "model"], unique=True
    )
    op.create_table(
        "alarm_codes",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("model_id", sa.Uuid(), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("description_zh", sa.String(length=200), nullable=False),
        sa.Column("description_en", sa.String(length=200), nullable=False),
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
            "priority IN ('urgent', 'high', 'medium', 'low')",
            name=op.f("ck_alarm_codes_priority_known"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_alarm_codes_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["asset_models.id"], name=op.f("fk_alarm_codes_model_id_asset_models")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_codes")),
    )
    op.create_index(
        "uq_alarm_codes_code_model",
        "alarm_codes",
        [
            "code",
            sa.literal_column("coalesce(model_id, '00000000-0000-0000-0000-000000000000'::uuid)"),
        ],
        unique=True,
    )
    op.create_table(
        "asset_model_parts",
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("part_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["asset_models.id"],
            name=op.f("fk_asset_model_parts_model_id_asset_models"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["part_id"], ["parts.id"], name=op.f("fk_asset_model_parts_part_id_parts")
        ),
        sa.PrimaryKeyConstraint("model_id", "part_id", name=op.f("pk_asset_model_parts")),
    )
    op.create_index("ix_asset_model_parts_part", "asset_model_parts", ["part_id"], unique=False)
    op.create_table(
        "assets",
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("warranty_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("qr_code", sa.String(length=32), nullable=False),
        sa.Column("meters", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
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
            "status IN ('active', 'out_of_service', 'retired')", name=op.f("ck_assets_status_known")
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_assets_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_assets_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["model_id"], ["asset_models.id"], name=op.f("fk_assets_model_id_asset_models")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["assets.id"], name=op.f("fk_assets_parent_id_assets")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_assets_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("qr_code", name=op.f("uq_assets_qr_code")),
        sa.UniqueConstraint("serial", name=op.f("uq_assets_serial")),
    )
    op.create_index("ix_assets_customer_status", "assets", ["customer_id", "status"], unique=False)
    op.create_index(op.f("ix_assets_model_id"), "assets", ["model_id"], unique=False)
    op.create_index(op.f("ix_assets_parent_id"), "assets", ["parent_id"], unique=False)
    op.create_index(
        "ix_assets_serial_lower", "assets", [sa.literal_column("lower(serial)")], unique=False
    )
    op.create_index(op.f("ix_assets_site_id"), "assets", ["site_id"], unique=False)
    op.create_table(
        "maintenance_plans",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=True),
        sa.Column("model_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("interval_count", sa.Integer(), nullable=True),
        sa.Column("interval_unit", sa.String(length=8), nullable=True),
        sa.Column("anchor", sa.String(length=12), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("meter", sa.String(length=32), nullable=True),
        sa.Column("meter_interval", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("lead_days", sa.Integer(), server_default="7", nullable=False),
        sa.Column("checklist_template_id", sa.Uuid(), nullable=True),
        sa.Column(
            "required_skills",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("duration_minutes", sa.Integer(), server_default="60", nullable=False),
        sa.Column("priority", sa.String(length=8), server_default="low", nullable=False),
        sa.Column("window_start", sa.Time(), nullable=True),
        sa.Column("window_end", sa.Time(), nullable=True),
        sa.Column("paused", sa.Boolean(), server_default="false", nullable=False),
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
            "kind <> 'meter' OR (meter IS NOT NULL AND meter_interval > 0)",
            name=op.f("ck_maintenance_plans_meter_rule"),
        ),
        sa.CheckConstraint(
            "kind <> 'time' OR (interval_count >= 1 AND interval_unit IN ('day', 'week', 'month') AND anchor IN ('fixed', 'completion') AND start_on IS NOT NULL)",
            name=op.f("ck_maintenance_plans_time_rule"),
        ),
        sa.CheckConstraint(
            "kind IN ('time', 'meter')", name=op.f("ck_maintenance_plans_kind_known")
        ),
        sa.CheckConstraint(
            "priority IN ('urgent', 'high', 'medium', 'low')",
            name=op.f("ck_maintenance_plans_priority_known"),
        ),
        sa.CheckConstraint(
            "(asset_id IS NULL) <> (model_id IS NULL)",
            name=op.f("ck_maintenance_plans_asset_or_model"),
        ),
        sa.CheckConstraint(
            "(window_start IS NULL) = (window_end IS NULL) AND (window_start IS NULL OR window_end > window_start)",
            name=op.f("ck_maintenance_plans_window_ordered"),
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 1440", name=op.f("ck_maintenance_plans_duration_range")
        ),
        sa.CheckConstraint(
            "lead_days BETWEEN 0 AND 365", name=op.f("ck_maintenance_plans_lead_range")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_maintenance_plans_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["checklist_template_id"],
            ["checklist_templates.id"],
            name=op.f("fk_maintenance_plans_checklist_template_id_checklist_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["asset_models.id"],
            name=op.f("fk_maintenance_plans_model_id_asset_models"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_plans")),
    )
    op.create_index(
        op.f("ix_maintenance_plans_asset_id"), "maintenance_plans", ["asset_id"], unique=False
    )
    op.create_index(
        op.f("ix_maintenance_plans_model_id"), "maintenance_plans", ["model_id"], unique=False
    )
    op.create_table(
        "meter_readings",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("meter", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_meter_readings_asset_id_assets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_readings")),
    )
    op.create_index(
        "uq_meter_readings_asset_meter_at",
        "meter_readings",
        ["asset_id", "meter", "at"],
        unique=True,
    )
    op.create_table(
        "maintenance_occurrences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("due_value", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("done_value", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("work_order_id", sa.Uuid(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open', 'completed', 'skipped', 'cancelled')",
            name=op.f("ck_maintenance_occurrences_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_maintenance_occurrences_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["maintenance_plans.id"],
            name=op.f("fk_maintenance_occurrences_plan_id_maintenance_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_maintenance_occurrences_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_occurrences")),
        sa.UniqueConstraint("work_order_id", name=op.f("uq_maintenance_occurrences_work_order_id")),
    )
    op.create_index(
        "ix_maintenance_occurrences_asset",
        "maintenance_occurrences",
        ["asset_id", "due_on"],
        unique=False,
    )
    op.create_index(
        "uq_maintenance_occurrences_one_open",
        "maintenance_occurrences",
        ["plan_id", "asset_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "uq_maintenance_occurrences_plan_asset_due",
        "maintenance_occurrences",
        ["plan_id", "asset_id", "due_on"],
        unique=True,
    )
    op.create_table(
        "work_order_checklist_items",
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label_zh", sa.String(length=200), nullable=False),
        sa.Column("label_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("min_value", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("max_value", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("follow_up_priority", sa.String(length=8), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=120), nullable=True),
        sa.Column("follow_up_work_order_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["follow_up_work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_checklist_items_follow_up_work_order_id_work_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_checklist_items_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_checklist_items")),
    )
    op.create_index(
        "uq_work_order_checklist_items_order_key",
        "work_order_checklist_items",
        ["work_order_id", "key"],
        unique=True,
    )
    op.add_column("work_orders", sa.Column("asset_id", sa.Uuid(), nullable=True))
    op.add_column(
        "work_orders", sa.Column("billable", sa.Boolean(), server_default="true", nullable=False)
    )
    op.add_column("work_orders", sa.Column("follow_up_of_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_work_orders_asset_id"), "work_orders", ["asset_id"], unique=False)
    op.create_index(
        op.f("ix_work_orders_follow_up_of_id"), "work_orders", ["follow_up_of_id"], unique=False
    )
    op.create_foreign_key(
        op.f("fk_work_orders_follow_up_of_id_work_orders"),
        "work_orders",
        "work_orders",
        ["follow_up_of_id"],
        ["id"],
    )
    op.create_foreign_key(
        op.f("fk_work_orders_asset_id_assets"), "work_orders", "assets", ["asset_id"], ["id"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_work_orders_asset_id_assets"), "work_orders", type_="foreignkey")
    op.drop_constraint(
        op.f("fk_work_orders_follow_up_of_id_work_orders"), "work_orders", type_="foreignkey"
    )
    op.drop_index(op.f("ix_work_orders_follow_up_of_id"), table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_asset_id"), table_name="work_orders")
    op.drop_column("work_orders", "follow_up_of_id")
    op.drop_column("work_orders", "billable")
    op.drop_column("work_orders", "asset_id")
    op.drop_index(
        "uq_work_order_checklist_items_order_key", table_name="work_order_checklist_items"
    )
    op.drop_table("work_order_checklist_items")
    op.drop_index("uq_maintenance_occurrences_plan_asset_due", table_name="maintenance_occurrences")
    op.drop_index(
        "uq_maintenance_occurrences_one_open",
        table_name="maintenance_occurrences",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_index("ix_maintenance_occurrences_asset", table_name="maintenance_occurrences")
    op.drop_table("maintenance_occurrences")
    op.drop_index("uq_meter_readings_asset_meter_at", table_name="meter_readings")
    op.drop_table("meter_readings")
    op.drop_index(op.f("ix_maintenance_plans_model_id"), table_name="maintenance_plans")
    op.drop_index(op.f("ix_maintenance_plans_asset_id"), table_name="maintenance_plans")
    op.drop_table("maintenance_plans")
    op.drop_index(op.f("ix_assets_site_id"), table_name="assets")
    op.drop_index("ix_assets_serial_lower", table_name="assets")
    op.drop_index(op.f("ix_assets_parent_id"), table_name="assets")
    op.drop_index(op.f("ix_assets_model_id"), table_name="assets")
    op.drop_index("ix_assets_customer_status", table_name="assets")
    op.drop_table("assets")
    op.drop_index("ix_asset_model_parts_part", table_name="asset_model_parts")
    op.drop_table("asset_model_parts")
    op.drop_index("uq_alarm_codes_code_model", table_name="alarm_codes")
    op.drop_table("alarm_codes")
    op.drop_index("uq_asset_models_make_model", table_name="asset_models")
    op.drop_index(op.f("ix_asset_models_kind"), table_name="asset_models")
    op.drop_table("asset_models")
    op.drop_table("checklist_templates")
