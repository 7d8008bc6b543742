"""Liveness and readiness."""

from __future__ import annotations

from sqlalchemy import make_url

from tests.conftest import create_test_app
from tests.dbutil import throwaway_database


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_ready_when_database_at_head(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "migrations": "ok"}


def test_readyz_unavailable_when_database_is_down():
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    app = create_test_app("postgresql+psycopg2://nobody@127.0.0.1:1/nothing")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["database"] == "unreachable"
    # Liveness is about the process, not the database.
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_unavailable_while_migrations_are_pending(database_url):
    name = make_url(database_url).database + "_old"
    with throwaway_database(database_url, name, revision="0001") as url:
        app = create_test_app(url)
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["migrations"] == "pending"
        app.extensions["db"].engine.dispose()
