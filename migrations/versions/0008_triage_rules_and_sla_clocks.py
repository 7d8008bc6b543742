"""Triage rules, SLA calendars and policies, clock columns on work orders, escalation steps.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sla_calendars",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("working_hours", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "holidays", postgresql.ARRAY(sa.Date()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column(
            "workdays", postgresql.ARRAY(sa.Date()), server_default=sa.text("'{}'"), nullable=False
        ),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_calendars")),
        sa.UniqueConstraint("name", name=op.f("uq_sla_calendars_name")),
    )
    op.create_table(
        "triage_rules",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_rules")),
        sa.UniqueConstraint("code", name=op.f("uq_triage_rules_code")),
    )
    op.create_index(op.f("ix_triage_rules_position"), "triage_rules", ["position"], unique=False)
    op.create_table(
        "sla_policies",
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=True),
        sa.Column("response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolve_minutes", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Uuid(), nullable=False),
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
            name=op.f("ck_sla_policies_priority_known"),
        ),
        sa.CheckConstraint(
            "response_minutes > 0 AND resolve_minutes > 0",
            name=op.f("ck_sla_policies_targets_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["calendar_id"],
            ["sla_calendars.id"],
            name=op.f("fk_sla_policies_calendar_id_sla_calendars"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
    )
    op.create_index(
        "uq_sla_policies_priority_tier",
        "sla_policies",
        ["priority", sa.literal_column("coalesce(tier, '*')")],
        unique=True,
    )
    op.create_table(
        "sla_escalation_steps",
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("clock", sa.String(length=10), nullable=False),
        sa.Column("step", sa.String(length=10), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_sla_escalation_steps_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint(
            "work_order_id", "clock", "step", name=op.f("pk_sla_escalation_steps")
        ),
    )
    op.add_column(
        "work_orders",
        sa.Column("sla_terms", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column(
        "work_orders",
        sa.Column(
            "sla_pauses",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "work_orders", sa.Column("sla_next_check_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_work_orders_sla_next_check",
        "work_orders",
        ["sla_next_check_at"],
        unique=False,
        postgresql_where=sa.text("sla_next_check_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_work_orders_sla_next_check",
        table_name="work_orders",
        postgresql_where=sa.text("sla_next_check_at IS NOT NULL"),
    )
    op.drop_column("work_orders", "sla_next_check_at")
    op.drop_column("work_orders", "sla_pauses")
    op.drop_column("work_orders", "sla_terms")
    op.drop_table("sla_escalation_steps")
    op.drop_index("uq_sla_policies_priority_tier", table_name="sla_policies")
    op.drop_table("sla_policies")
    op.drop_index(op.f("ix_triage_rules_position"), table_name="triage_rules")
    op.drop_table("triage_rules")
    op.drop_table("sla_calendars")
