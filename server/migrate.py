"""Alembic entry points used by the app, the CLI and the tests."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from geoalchemy2 import alembic_helpers

from server.config import PROJECT_ROOT


def alembic_config(url: str | None = None) -> AlembicConfig:
    config = AlembicConfig(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


# Tables that belong to PostGIS or to the task queue's own schema (migration 0002), not to models.
FOREIGN_TABLES = {"spatial_ref_sys"}
# Expression indexes PostgreSQL reflects in its own spelling ("(location)::geometry(...)"),
# which autogenerate cannot compare with the model's; their migrations are written by hand.
EXPRESSION_INDEXES = {"ix_work_orders_open_geometry"}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Autogenerate filter: ignore extension and task-queue objects; GeoAlchemy2's own rules."""
    if type_ == "table" and (name in FOREIGN_TABLES or (name or "").startswith("procrastinate_")):
        return False
    if type_ == "index" and (name or "").startswith(("procrastinate_", "idx_procrastinate_")):
        return False
    if type_ == "index" and name in EXPRESSION_INDEXES:
        return False
    return bool(alembic_helpers.include_object(obj, name, type_, reflected, compare_to))
