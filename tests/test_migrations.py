"""Alembic is the only way the schema changes: it builds, tears down, rebuilds, matches models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url

from server import migrate
from server.migrate import include_object
from server.models import Base
from tests.dbutil import throwaway_database


@pytest.fixture
def empty_database(database_url) -> Iterator[str]:
    name = make_url(database_url).database + "_mig"
    with throwaway_database(database_url, name, revision=None) as url:
        yield url


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_models_agree(empty_database):
    migrate.upgrade(empty_database)
    model_tables = set(Base.metadata.tables)
    assert model_tables <= _tables(empty_database)
    assert "procrastinate_jobs" in _tables(empty_database)

    migrate.downgrade(empty_database, "base")
    left = _tables(empty_database) - {"alembic_version", "spatial_ref_sys"}
    assert left == set()

    migrate.upgrade(empty_database)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": include_object, "compare_type": True}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
