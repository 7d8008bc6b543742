"""reference data: customers, sites, skills, technicians, stock locations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:53:17.724744
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def point() -> Geography:
    """A point in WGS 84, a new type per column: GeoAlchemy2 copies a column's NOT NULL onto
    its type, so one shared type would make every column NOT NULL. The GiST indexes are created
    explicitly below (named idx_<table>_<column>, as GeoAlchemy2 names them), so the type must
    not create them again."""
    return Geography("POINT", srid=4326, spatial_index=False)


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tier", sa.String(length=16), server_default="standard", nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
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
        sa.CheckConstraint("tier IN ('vip','standard')", name=op.f("ck_customers_tier_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_table(
        "skills",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
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
        sa.PrimaryKeyConstraint("code", name=op.f("pk_skills")),
    )
    op.create_table(
        "contacts",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=True),
        sa.Column("is_primary", sa.Boolean(), server_default="false", nullable=False),
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
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_contacts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_customer_id"), "contacts", ["customer_id"])
    op.create_table(
        "sites",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("location", point(), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=True),
        sa.Column("access_notes", sa.Text(), nullable=True),
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
            ["customer_id"], ["customers.id"], name=op.f("fk_sites_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    op.create_index("idx_sites_location", "sites", ["location"], postgresql_using="gist")
    op.create_index(op.f("ix_sites_customer_id"), "sites", ["customer_id"])
    op.create_table(
        "technicians",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("home", point(), nullable=False),
        sa.Column("working_hours", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("max_jobs_per_day", sa.SmallInteger(), server_default="8", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="off_duty", nullable=False),
        sa.Column("last_position", point(), nullable=True),
        sa.Column("last_position_at", sa.DateTime(timezone=True), nullable=True),
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
            "status IN ('off_duty','available','busy')", name=op.f("ck_technicians_status_known")
        ),
        sa.CheckConstraint(
            "(last_position IS NULL) = (last_position_at IS NULL)",
            name=op.f("ck_technicians_last_position_has_time"),
        ),
        sa.CheckConstraint(
            "max_jobs_per_day BETWEEN 1 AND 30", name=op.f("ck_technicians_max_jobs_per_day_range")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_technicians_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technicians")),
        sa.UniqueConstraint("user_id", name=op.f("uq_technicians_user_id")),
    )
    op.create_index("idx_technicians_home", "technicians", ["home"], postgresql_using="gist")
    op.create_table(
        "stock_locations",
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("location", point(), nullable=True),
        sa.Column("technician_id", sa.Uuid(), nullable=True),
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
            "type <> 'van' OR technician_id IS NOT NULL",
            name=op.f("ck_stock_locations_van_has_technician"),
        ),
        sa.CheckConstraint(
            "type <> 'warehouse' OR (location IS NOT NULL AND technician_id IS NULL)",
            name=op.f("ck_stock_locations_warehouse_has_location"),
        ),
        sa.CheckConstraint(
            "type IN ('warehouse','van')", name=op.f("ck_stock_locations_type_known")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_stock_locations_technician_id_technicians"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_locations")),
        sa.UniqueConstraint("code", name=op.f("uq_stock_locations_code")),
        sa.UniqueConstraint("technician_id", name=op.f("uq_stock_locations_technician_id")),
    )
    op.create_index(
        "idx_stock_locations_location", "stock_locations", ["location"], postgresql_using="gist"
    )
    op.create_table(
        "technician_skills",
        sa.Column("technician_id", sa.Uuid(), nullable=False),
        sa.Column("skill_code", sa.String(length=32), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_technician_skills_level_range")),
        sa.ForeignKeyConstraint(
            ["skill_code"], ["skills.code"], name=op.f("fk_technician_skills_skill_code_skills")
        ),
        sa.ForeignKeyConstraint(
            ["technician_id"],
            ["technicians.id"],
            name=op.f("fk_technician_skills_technician_id_technicians"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("technician_id", "skill_code", name=op.f("pk_technician_skills")),
    )
    op.create_index(op.f("ix_technician_skills_skill_code"), "technician_skills", ["skill_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_technician_skills_skill_code"), table_name="technician_skills")
    op.drop_table("technician_skills")
    op.drop_index("idx_stock_locations_location", table_name="stock_locations")
    op.drop_table("stock_locations")
    op.drop_index("idx_technicians_home", table_name="technicians")
    op.drop_table("technicians")
    op.drop_index(op.f("ix_sites_customer_id"), table_name="sites")
    op.drop_index("idx_sites_location", table_name="sites")
    op.drop_table("sites")
    op.drop_index(op.f("ix_contacts_customer_id"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_table("skills")
    op.drop_table("customers")
