"""Test database and app.

One database per test process, built by `alembic upgrade head` on the embedded cluster (or on the
server named by TEST_DATABASE_URL). Each test runs inside a transaction that is rolled back; a
commit in the code under test only releases a savepoint.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session

from server.config import PROJECT_ROOT, load_config
from server.db import db
from tests.dbutil import throwaway_database


def _server_url() -> URL:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return make_url(configured)
    from server import embedded_pg

    return make_url(embedded_pg.ensure_cluster(PROJECT_ROOT, port=load_config().PG_PORT))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    server = _server_url().render_as_string(hide_password=False)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"fieldline_test_{worker}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with throwaway_database(server, name) as url:
        yield url


TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
    "LOG_JSON": False,
    # INFO, so every request in every test also goes through the access log and its filter.
    "LOG_LEVEL": "INFO",
    "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": 1000,
}


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_test_app(database_url, STORAGE_DIR=str(tmp_path_factory.mktemp("blobs")))
    yield app
    app.extensions["db"].engine.dispose()


def create_test_app(database_url: str, **overrides: Any) -> Flask:
    from server.app import create_app

    return create_app({**TEST_CONFIG, "DATABASE_URL": database_url, **overrides})


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    with app.extensions["db"].engine.connect() as conn:
        outer = conn.begin()
        db.bind_to(app, conn)
        try:
            yield conn
        finally:
            outer.rollback()
            db.bind_to(app, None)


@pytest.fixture
def session(app: Flask, connection: Connection) -> Iterator[Session]:
    """A session inside the test's transaction, for arranging data and checking results."""
    s = db.sessionmaker_for(app)()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def client(app: Flask, connection: Connection) -> FlaskClient:
    return app.test_client()
