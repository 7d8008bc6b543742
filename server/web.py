"""Serves the built web apps from pwa/dist: `/` is the landing page, each app under its path."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory
from werkzeug.exceptions import NotFound

blp = Blueprint("web", __name__)

APPS = ("app", "board", "warehouse", "request", "track", "admin", "reports")


def _dist() -> Path:
    return Path(current_app.config["PWA_DIST"])


def _page(relative: str) -> Response:
    dist = _dist()
    if not (dist / relative).is_file():
        raise NotFound()
    response = send_from_directory(dist, relative, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.get("/")
def landing() -> Response:
    return _page("index.html")


@blp.get("/<any(app, board, warehouse, request, track, admin, reports):app>/")
@blp.get("/<any(app, board, warehouse, request, track, admin, reports):app>/<path:rest>")
def app_page(app: str, rest: str = "") -> Response:
    """An app's own file if it exists, else its index (client-side routes, e.g. /track/<code>)."""
    if rest and (_dist() / app / rest).is_file():
        return send_from_directory(_dist() / app, rest)
    return _page(f"{app}/index.html")


@blp.get("/assets/<path:filename>")
def assets(filename: str) -> Response:
    # Hashed file names: safe to cache for a year.
    return send_from_directory(_dist() / "assets", filename, max_age=365 * 24 * 3600)


@blp.get("/<any('manifest.webmanifest', 'sw.js', 'registerSW.js', 'favicon.svg'):name>")
def root_file(name: str) -> Response:
    return send_from_directory(_dist(), name, max_age=0)


@blp.get("/swagger-ui/<path:filename>")
def swagger_ui(filename: str) -> Response:
    return send_from_directory(_dist() / "swagger-ui", filename, max_age=24 * 3600)
