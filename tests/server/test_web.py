"""The built web apps as Flask serves them: the engineer app's service worker (scope /app/, so
served from /app/sw.js) and manifest are re-checked on every load, since a stale worker would
keep an old app on the phone; any other path under /app/ is the app's page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.conftest import create_test_app


def _get(app: Flask, path: str):  # type: ignore[no-untyped-def]
    response = app.test_client().get(path)
    response.get_data()
    response.close()  # a file response holds the file open until closed
    return response


@pytest.fixture
def web_app(database_url: str, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "index.html").write_text("<!doctype html><title>app</title>")
    (tmp_path / "app" / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (tmp_path / "app" / "manifest.webmanifest").write_text('{"start_url": "/app/"}')
    (tmp_path / "app" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    app = create_test_app(database_url, PWA_DIST=str(tmp_path))
    yield app
    app.extensions["db"].engine.dispose()


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/app/sw.js", "text/javascript"),
        ("/app/manifest.webmanifest", "application/manifest+json"),
    ],
)
def test_service_worker_and_manifest_are_never_cached(web_app, path, mime):
    response = _get(web_app, path)
    assert response.status_code == 200
    assert response.mimetype == mime
    assert response.headers["Cache-Control"] == "no-cache"


def test_an_unknown_path_under_the_app_is_its_page(web_app):
    response = _get(web_app, "/app/job/123")
    assert response.status_code == 200
    assert b"<title>app</title>" in response.data
    assert response.headers["Cache-Control"] == "no-cache"
