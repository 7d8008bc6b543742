"""Architecture rules, checked rather than remembered."""

from __future__ import annotations

import ast
from pathlib import Path

from server.config import PROJECT_ROOT

SERVER = PROJECT_ROOT / "server"
# Deliberately public API routes (no token): login and token exchange; later the public intake
# form and the customer's tracking page.
PUBLIC_PREFIXES = ("/api/v1/auth/", "/api/v1/intake/web", "/api/v1/track/")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_every_api_route_declares_its_guard(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1/", "/mobile/v1/")):
            continue
        view = app.view_functions[rule.endpoint]
        cls = getattr(view, "view_class", None)
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for method in methods:
            func = getattr(cls, method.lower()) if cls else view
            guard = getattr(func, "_fieldline_auth", None)
            assert guard is not None, f"{method} {rule.rule} has neither @blp.auth nor @blp.public"
            if guard == ("public",):
                assert rule.rule.startswith(PUBLIC_PREFIXES), f"{rule.rule} should not be public"


def test_services_do_not_import_flask_or_commit():
    for path in SERVER.rglob("service.py"):
        assert not any(name.split(".")[0] == "flask" for name in _imports(path)), path
    for path in [*SERVER.rglob("service.py"), *SERVER.rglob("routes.py")]:
        assert ".commit()" not in path.read_text(), f"{path} commits; the unit of work does"


def test_pure_cores_import_no_framework():
    framework = {"flask", "sqlalchemy", "geoalchemy2", "flask_smorest", "marshmallow"}
    pure = [SERVER / "auth" / "tokens.py", SERVER / "i18n.py"]
    pure += list(SERVER.rglob("states.py")) + list(SERVER.rglob("rules.py"))
    pure += list(SERVER.rglob("sla.py"))
    optimizer = SERVER / "dispatch" / "optimizer"
    if optimizer.exists():
        pure += list(optimizer.rglob("*.py"))
    for path in pure:
        used = {name.split(".")[0] for name in _imports(path)}
        assert not used & framework, f"{path} imports {used & framework}"
        assert not any(
            n == "server" or n.startswith("server.")
            for n in _imports(path)
            if not n.startswith(_own_package(path))
        ), path


def _own_package(path: Path) -> str:
    relative = path.relative_to(PROJECT_ROOT).with_suffix("")
    return ".".join(relative.parts[:-1])


def test_routes_do_not_query_the_database_directly():
    for path in SERVER.rglob("routes.py"):
        text = path.read_text()
        for forbidden in ("select(", "session.execute", "session.scalar", ".query("):
            assert forbidden not in text, f"{path} uses {forbidden}; call a service"
