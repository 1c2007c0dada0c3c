"""The backend's one style (kiosk/backend/README.md, "How a request is written"), held by reading
the code and by the app's own route table:
- a write is committed only by `db.unit_of_work`, which every writing service runs in;
- routers and admin pages hand the session to services and dependencies, never query it;
- every JSON route declares its response model;
- only the app (app.py) imports router modules: pages and routers share helpers, not routers.
And the behaviour the style rests on: units nest, the outermost commits, a raise rolls back."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.routing import Mount

from kiosk.backend.db import make_engine, make_sessionmaker, migrate, session_scope, unit_of_work
from kiosk.backend.stores.models import Store

BACKEND = Path(__file__).resolve().parents[2] / "kiosk" / "backend"
SESSION_CALLS = {
    "commit",
    "rollback",
    "get",
    "scalar",
    "scalars",
    "execute",
    "add",
    "delete",
    "flush",
    "merge",
}


def _modules() -> dict[str, ast.Module]:
    return {
        str(p.relative_to(BACKEND)): ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(BACKEND.rglob("*.py"))
        if "migrations" not in p.parts
    }


def _is_route_module(name: str) -> bool:
    return name.endswith("router.py") or name.startswith("admin/")


def _method_calls(tree: ast.Module, names: set[str]) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in names
    ]


def test_only_the_unit_of_work_commits_or_rolls_back():
    found = {
        f"{name}:{line} .{call}()"
        for name, tree in _modules().items()
        for line, call in _method_calls(tree, {"commit", "rollback"})
        if name != "db.py"
    }
    assert not found, f"commit/rollback outside db.unit_of_work (services run in it): {sorted(found)}"
    db_calls = _method_calls(_modules()["db.py"], {"commit", "rollback"})
    assert len(db_calls) == 2, db_calls  # unit_of_work's commit and its rollback


def test_routers_and_pages_leave_queries_to_services():
    """Queries live in services (written once) and look-ups in `dependencies.py` (404 once):
    a route module neither imports SQLAlchemy nor calls the session itself."""
    problems = []
    for name, tree in _modules().items():
        if not _is_route_module(name):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                problems.append(f"{name}:{node.lineno} imports {node.module}")
            if isinstance(node, ast.Import) and any(a.name.startswith("sqlalchemy") for a in node.names):
                problems.append(f"{name}:{node.lineno} imports sqlalchemy")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "db"
                and node.func.attr in SESSION_CALLS
            ):
                problems.append(f"{name}:{node.lineno} db.{node.func.attr}()")
    assert not problems, problems


ROUTER_MODULES = {
    "kiosk.backend." + name.removesuffix(".py").replace("/", ".")
    for name in _modules()
    if name.endswith("router.py")
}


def _router_imports(name: str, tree: ast.Module) -> list[str]:
    """Where module `name` imports a router module (`from x.router import f`, `from x import router`)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        else:
            continue
        found += [f"{name}:{node.lineno} imports {m}" for m in modules if m in ROUTER_MODULES]
    return found


def test_only_the_app_imports_router_modules():
    """A router only declares routes; what a page or another router shares with it (the session
    cookie, a date range) lives in a service, a dependency or a helper module both import, so that
    the app's one route table (app.py) is the only place routers are put together."""
    problems = [
        p for name, tree in _modules().items() if name != "app.py" for p in _router_imports(name, tree)
    ]
    assert not problems, problems
    assert "kiosk.backend.auth.router" in ROUTER_MODULES
    page = ast.parse(
        "from kiosk.backend.auth.router import set_session_cookie\nfrom kiosk.backend.auth import router"
    )
    assert len(_router_imports("admin/pages.py", page)) == 2  # the check sees both spellings


# Routes that answer something other than JSON, each named: the admin's HTML pages (every route
# under /admin, which stay out of the OpenAPI schema), files, CSV downloads, the help stream and
# the answers with no body at all.
NOT_JSON = {
    ("GET", "/h/{token}"),  # the shopper's look page (HTML)
    ("GET", "/h/{token}/snapshot.jpg"),
    ("GET", "/api/v1/kiosk/model/file"),
    ("GET", "/api/v1/kiosk/assets/{name}"),
    ("GET", "/api/v1/stores/{store_id}/catalogue/export.csv"),
    ("GET", "/api/v1/stores/{store_id}/kpis.csv"),
    ("GET", "/api/v1/stores/{store_id}/shade-gap.csv"),
    ("GET", "/api/v1/stores/{store_id}/help-requests/stream"),
    ("POST", "/api/v1/auth/logout"),  # 204
    ("DELETE", "/api/v1/stores/{store_id}/products/{product_id}"),  # 204
    ("DELETE", "/api/v1/stores/{store_id}/faq/{faq_id}"),  # 204
}


def _api_routes(routes) -> list[APIRoute]:
    found = []
    for route in routes:
        if isinstance(route, Mount):
            continue
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += _api_routes(inner.routes)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def test_every_json_route_declares_its_response_model(sqlite_backend):
    routes = [r for r in _api_routes(sqlite_backend.client.app.routes) if r.include_in_schema]
    keys = {(m, r.path) for r in routes for m in r.methods}
    assert keys >= NOT_JSON, f"listed but gone: {sorted(NOT_JSON - keys)}"
    missing = sorted(
        (m, r.path)
        for r in routes
        for m in r.methods
        if (m, r.path) not in NOT_JSON and not r.path.startswith("/admin") and r.response_model is None
    )
    assert not missing, f"JSON routes without a response model: {missing}"
    hidden = [r.path for r in _api_routes(sqlite_backend.client.app.routes) if not r.include_in_schema]
    assert all(p.startswith("/admin") or p in ("/openapi.json", "/docs") for p in hidden), hidden
    schema = sqlite_backend.client.get("/openapi.json").json()
    audit = schema["paths"]["/api/v1/audit"]["get"]["responses"]["200"]["content"]["application/json"]
    assert audit["schema"]["items"]["$ref"].endswith("/AuditRow")


def test_audit_rows_are_typed_and_keep_their_shape(sqlite_backend):
    c = sqlite_backend.client
    csrf = sqlite_backend.sign_in()
    assert c.post(
        "/api/v1/stores/riyadh-01/kiosks", json={"name": "audit-shape"}, headers={"X-CSRF-Token": csrf}
    )
    [row] = c.get("/api/v1/audit?limit=1").json()
    assert set(row) == {"id", "at", "user_id", "store_id", "action", "entity", "detail"}
    assert row["action"] == "kiosk.create" and row["detail"] == {"name": "audit-shape"}
    assert row["at"].endswith("+00:00")  # isoformat(), as the log has always written it
    assert dt.datetime.fromisoformat(row["at"]).tzinfo is not None
    assert len(c.get("/api/v1/audit?limit=0").json()) == 1  # limit held to 1..1000


def test_admin_pages_and_api_answer_one_look_up_404(sqlite_backend):
    """The look-ups are shared dependencies, so the admin pages answer what the API answers."""
    c = sqlite_backend.client
    h = {"X-CSRF-Token": sqlite_backend.sign_in()}
    api = c.post("/api/v1/stores/riyadh-01/kiosks/999999/revoke", headers=h)
    page = c.post("/admin/riyadh-01/kiosks/999999/revoke", headers=h, follow_redirects=False)
    assert api.status_code == page.status_code == 404
    assert api.json() == page.json() == {"detail": "no such kiosk in this store"}
    api = c.get("/api/v1/stores/riyadh-01/products/no-such-product")
    page = c.get("/admin/riyadh-01/catalogue/no-such-product")
    assert api.status_code == page.status_code == 404 and api.json() == page.json()


@pytest.fixture
def sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'units.db'}"
    migrate(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _store(store_id: str) -> Store:
    return Store(id=store_id, name_en=store_id, name_ar=store_id)


def _stored(factory) -> set[str]:
    with factory() as other:  # another connection: sees only what was committed
        return set(other.scalars(select(Store.id)))


def test_the_outermost_unit_commits_and_inner_units_join_it(sessions):
    with sessions() as db:
        with unit_of_work(db):
            db.add(_store("outer"))
            with unit_of_work(db):  # a service called from another one: no commit of its own
                db.add(_store("inner"))
            db.flush()
            assert _stored(sessions) == set()
        assert _stored(sessions) == {"outer", "inner"}
    with session_scope(sessions) as db:  # the commands' scope is a unit too
        with unit_of_work(db):
            db.add(_store("in-scope"))
        assert _stored(sessions) == {"outer", "inner"}
    assert _stored(sessions) == {"outer", "inner", "in-scope"}


def test_a_unit_that_raises_rolls_back_and_leaves_the_session_usable(sessions):
    with sessions() as db:
        with pytest.raises(ValueError), unit_of_work(db):
            db.add(_store("half-done"))
            db.flush()
            with unit_of_work(db):
                raise ValueError("refused")
        assert db.scalars(select(Store.id)).all() == []  # usable: a page can show the error
        with unit_of_work(db):
            db.add(_store("next"))
    assert _stored(sessions) == {"next"}


def test_an_import_the_database_refuses_mid_file_leaves_nothing_behind(backend):
    """The importer is one unit around each product's own unit: a SKU another product already
    holds, found at the second product, undoes the first one too."""
    c = backend.client
    h = {"X-CSRF-Token": backend.sign_in()}
    taken = c.get("/api/v1/stores/riyadh-01/products/lip-sahra-velvet").json()
    version = c.get("/api/v1/stores").json()[0]["catalogue_version"]
    audit_before = c.get("/api/v1/audit?limit=1").json()

    def product(product_id: str, sku: str) -> dict:
        shade = {k: v for k, v in taken["shades"][0].items() if k != "lab"} | {"sku": sku}
        names = {"brand": "B", "name_en": "N", "name_ar": "ن"}
        return {"id": product_id, "kind": "lipstick", **names, "price_sar": 10, "shades": [shade]}

    body = {
        "products": [product("new-first", "NEW-FIRST-01"), product("new-second", taken["shades"][0]["sku"])]
    }
    r = c.post(
        "/api/v1/stores/riyadh-01/catalogue/import",
        files={"file": ("c.json", json.dumps(body).encode())},
        headers=h,
    )
    assert r.status_code == 422, r.text
    assert r.json()["imported"] == 0 and [e["column"] for e in r.json()["errors"]] == ["sku"]
    assert c.get("/api/v1/stores/riyadh-01/products/new-first").status_code == 404
    assert c.get("/api/v1/stores").json()[0]["catalogue_version"] == version
    assert c.get("/api/v1/audit?limit=1").json() == audit_before
