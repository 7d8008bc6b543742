"""work orders, timeline, categories

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Lower-cased character bigrams of a text. Free-text search looks up every bigram of the
    # query in a GIN index, then confirms the substring: this works for two-character Chinese
    # words, which trigram indexes cannot serve. IMMUTABLE, so a generated column may use it.
    op.execute(
        """
        CREATE FUNCTION fieldline_bigrams(t text) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}'::text[])
            FROM generate_series(1, greatest(char_length(t) - 1, 0)) AS i
        $$
        """
    )
    op.create_table(
        "categories",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
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
        sa.CheckConstraint("level BETWEEN 1 AND 3", name=op.f("ck_categories_level_range")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["categories.id"],
            name=op.f("fk_categories_parent_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_categories_code")),
    )
    op.create_index(op.f("ix_categories_parent_id"), "categories", ["parent_id"], unique=False)
    op.create_table(
        "work_order_number_counters",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_work_order_number_counters")),
    )
    op.create_geospatial_table(
        "work_orders",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("tracking_code", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="new", nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        sa.Column(
            "location",
            Geography(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeogFromText",
                name="geography",
            ),
            nullable=True,
        ),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "search_text",
            sa.Text(),
            sa.Computed(
                "lower(number || ' ' || summary || ' ' || coalesce(description, ''))",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "search_bigrams",
            postgresql.ARRAY(sa.Text()),
            sa.Computed(
                "fieldline_bigrams(number || ' ' || summary || ' ' || coalesce(description, ''))",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "required_skills",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("duration_minutes", sa.Integer(), server_default="60", nullable=False),
        sa.Column("appointment_start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appointment_end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("scheduled_start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("eta_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolve_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sla_state", sa.String(length=10), server_default="ok", nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("signature_sha256", sa.String(length=64), nullable=True),
        sa.Column("signer_name", sa.String(length=120), nullable=True),
        sa.Column(
            "triage",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("duplicate_of_id", sa.Uuid(), nullable=True),
        sa.Column("waiting_for_parts", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
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
            "channel IN ('web', 'api', 'email', 'iot', 'phone', 'maintenance')",
            name=op.f("ck_work_orders_channel_known"),
        ),
        sa.CheckConstraint(
            "priority IN ('urgent', 'high', 'medium', 'low')",
            name=op.f("ck_work_orders_priority_known"),
        ),
        sa.CheckConstraint(
            "sla_state IN ('ok', 'at_risk', 'breached')",
            name=op.f("ck_work_orders_sla_state_known"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'assigned', 'accepted', 'en_route', 'in_progress', 'on_hold', 'completed', 'closed', 'cancelled')",
            name=op.f("ck_work_orders_status_known"),
        ),
        sa.CheckConstraint(
            "type IN ('repair', 'install', 'maintenance', 'inspection', 'consultation')",
            name=op.f("ck_work_orders_type_known"),
        ),
        sa.CheckConstraint(
            "appointment_start_at IS NULL OR appointment_end_at > appointment_start_at",
            name=op.f("ck_work_orders_appointment_ordered"),
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 1440", name=op.f("ck_work_orders_duration_range")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_work_orders_version_positive")),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["technicians.id"], name=op.f("fk_work_orders_assignee_id_technicians")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_work_orders_category_id_categories")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_work_orders_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_work_orders_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["work_orders.id"],
            name=op.f("fk_work_orders_duplicate_of_id_work_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_work_orders_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_work_orders_number")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_work_orders_tracking_code")),
    )
    op.create_geospatial_index(
        "idx_work_orders_location",
        "work_orders",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_work_orders_assignee_status", "work_orders", ["assignee_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_work_orders_category_id"), "work_orders", ["category_id"], unique=False
    )
    op.create_index(
        "ix_work_orders_customer_created",
        "work_orders",
        ["customer_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_index(
        op.f("ix_work_orders_duplicate_of_id"), "work_orders", ["duplicate_of_id"], unique=False
    )
    op.create_index(
        "ix_work_orders_search_bigrams",
        "work_orders",
        ["search_bigrams"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("ix_work_orders_created", "work_orders", [sa.literal_column("created_at DESC")])
    op.create_index(op.f("ix_work_orders_site_id"), "work_orders", ["site_id"], unique=False)
    op.create_index(
        "ix_work_orders_status_created",
        "work_orders",
        ["status", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "work_order_events",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("work_order_id", sa.Uuid(), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column(
            "payload",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("public", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("op_id", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_work_order_events_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_work_order_events_work_order_id_work_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_events")),
    )
    op.create_index(
        "ix_work_order_events_order_at", "work_order_events", ["work_order_id", "id"], unique=False
    )
    op.create_index(
        "uq_work_order_events_op_id",
        "work_order_events",
        ["op_id"],
        unique=True,
        postgresql_where=sa.text("op_id IS NOT NULL"),
    )
    # The timeline is the audit trail: rows are only ever added (DESIGN §11).
    op.execute(
        """
        CREATE FUNCTION work_order_events_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'work_order_events is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER work_order_events_append_only
            BEFORE UPDATE OR DELETE ON work_order_events
            FOR EACH ROW EXECUTE FUNCTION work_order_events_append_only();
        CREATE TRIGGER work_order_events_no_truncate
            BEFORE TRUNCATE ON work_order_events
            FOR EACH STATEMENT EXECUTE FUNCTION work_order_events_append_only();
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE work_order_events")  # the triggers go with it
    op.execute("DROP FUNCTION work_order_events_append_only()")
    op.drop_index("ix_work_orders_status_created", table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_site_id"), table_name="work_orders")
    op.drop_index("ix_work_orders_search_bigrams", table_name="work_orders")
    op.drop_index("ix_work_orders_created", table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_duplicate_of_id"), table_name="work_orders")
    op.drop_index("ix_work_orders_customer_created", table_name="work_orders")
    op.drop_index(op.f("ix_work_orders_category_id"), table_name="work_orders")
    op.drop_index("ix_work_orders_assignee_status", table_name="work_orders")
    op.drop_geospatial_index(
        "idx_work_orders_location",
        table_name="work_orders",
        postgresql_using="gist",
        column_name="location",
    )
    op.drop_geospatial_table("work_orders")
    op.drop_table("work_order_number_counters")
    op.drop_index(op.f("ix_categories_parent_id"), table_name="categories")
    op.drop_table("categories")
    op.execute("DROP FUNCTION fieldline_bigrams(text)")
