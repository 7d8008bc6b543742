"""Architecture rules, checked rather than remembered."""

from __future__ import annotations

import ast
from pathlib import Path

from server.config import PROJECT_ROOT

SERVER = PROJECT_ROOT / "server"
# Deliberately public API routes (no token): login and token exchange; later the public intake
# form and the customer's tracking page.
PUBLIC_PREFIXES = ("/api/v1/auth/", "/api/v1/intake/web", "/api/v1/track/")
INTEGRATION_PREFIXES = ("/api/v1/intake/email", "/api/v1/intake/iot", "/api/v1/intake/api")


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
            if guard == ("integration",):
                assert rule.rule.startswith(INTEGRATION_PREFIXES), rule.rule


def test_services_do_not_import_flask_or_commit():
    for path in SERVER.rglob("service.py"):
        assert not any(name.split(".")[0] == "flask" for name in _imports(path)), path
    for path in [*SERVER.rglob("service.py"), *SERVER.rglob("routes.py")]:
        assert ".commit()" not in path.read_text(), f"{path} commits; the unit of work does"


def test_pure_cores_import_no_framework():
    """Pure modules are tested without a database or Flask: they may import only the standard
    library, a few leaf libraries, and modules of their own package."""
    framework = {"flask", "sqlalchemy", "geoalchemy2", "flask_smorest", "marshmallow", "server"}
    pure = [
        SERVER / "auth" / "tokens.py",
        SERVER / "i18n.py",
        SERVER / "technicians" / "hours.py",
        SERVER / "dispatch" / "insertion.py",
        SERVER / "dispatch" / "travel.py",
        SERVER / "dispatch" / "baseline.py",
        SERVER / "notify" / "policy.py",
        SERVER / "notify" / "eta.py",
        SERVER / "notify" / "templates.py",
        SERVER / "assets" / "plans.py",
        SERVER / "assets" / "checklists.py",
    ]
    for name in ("states.py", "rules.py", "sla.py"):
        pure += list(SERVER.rglob(name))
    optimizer = SERVER / "dispatch" / "optimizer"
    pure += list(optimizer.rglob("*.py")) if optimizer.exists() else []
    # Pure modules may build on each other (baseline on insertion, insertion on the optimizer).
    pure_names = {".".join(p.relative_to(PROJECT_ROOT).with_suffix("").parts) for p in pure}
    for path in pure:
        own = _own_package(path)
        foreign = {
            name.split(".")[0]
            for name in _imports(path)
            if name not in pure_names and not (own and (name == own or name.startswith(own + ".")))
        }
        assert not foreign & framework, f"{path} imports {foreign & framework}"


def _own_package(path: Path) -> str:
    """The package a module may import from freely: the optimizer's own modules, which the
    other pure dispatch modules (insertion) build on too."""
    relative = path.relative_to(PROJECT_ROOT).with_suffix("")
    package = ".".join(relative.parts[:-1])
    return "server.dispatch.optimizer" if package.startswith("server.dispatch") else ""


def test_routes_do_not_query_the_database_directly():
    for path in SERVER.rglob("routes.py"):
        text = path.read_text()
        for forbidden in ("select(", "session.execute", "session.scalar", ".query("):
            assert forbidden not in text, f"{path} uses {forbidden}; call a service"
