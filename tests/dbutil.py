"""Throwaway databases on the test server, for tests that need committed data or an odd schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

from server import migrate


@contextmanager
def throwaway_database(any_url: str, name: str, *, revision: str | None = "head") -> Iterator[str]:
    """A new database `name` on the server of `any_url`, migrated to `revision` (None: empty),
    dropped afterwards even if connections are still open."""
    server = make_url(any_url)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        try:
            if revision is not None:
                migrate.upgrade(url, revision)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
