"""Alembic entry points used by the app, the CLI and the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

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
