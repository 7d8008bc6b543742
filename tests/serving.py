"""An app on a database of its own, served over real HTTP: for tests whose other side (a browser,
an event-stream client) reads what the code under test committed, from another connection."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import make_url
from werkzeug.serving import make_server

from tests.conftest import create_test_app
from tests.dbutil import throwaway_database


def app_on_own_database(
    database_url: str, suffix: str, *, pages: Iterable[str] = (), **overrides: Any
) -> Iterator[Flask]:
    """Yields an app on a throwaway database named after the test database and `suffix`, having
    checked that the built web app `pages` (paths in PWA_DIST) exist; stops what it started."""
    name = f"{make_url(database_url).database}_{suffix}"
    with throwaway_database(database_url, name) as url:
        app = create_test_app(url, **overrides)
        require_pages(app, *pages)
        try:
            yield app
        finally:
            hub = app.extensions.get("live_hub")
            if hub is not None:
                hub.stop()
            app.extensions["db"].engine.dispose()


def require_pages(app: Flask, *pages: str) -> None:
    for page in pages:
        path = Path(app.config["PWA_DIST"]) / page
        if not path.is_file():
            pytest.fail(f"{path} is missing: build the web apps first (cd pwa && npm run build)")


def serve(app: Flask) -> Iterator[str]:
    """Yields the base URL of `app` served by a threaded werkzeug server, shut down after."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def http_peer(handler: type[BaseHTTPRequestHandler], *, port: int = 0) -> Iterator[str]:
    """A local HTTP peer (a fake of an outside service) answering with `handler` on `port` (any
    free one by default); yields its base URL and stops it after."""
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    # A short poll keeps shutdown() (and so each test) quick.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
