"""Authorisation matrix: every route × {anonymous, kiosk token, staff, manager of another
store, admin} gets exactly the allowed answer. A route that is not classified below fails the
test, so a new endpoint cannot ship without deciding who may call it."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

PUBLIC, KIOSK, SIGNED_IN, STORE_READ, STORE_MANAGE, ADMIN = (
    "public",
    "kiosk",
    "signed-in",
    "store-read",
    "store-manage",
    "admin",
)

EXPLICIT = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/h/{token}"): PUBLIC,
    ("GET", "/h/{token}/snapshot.jpg"): PUBLIC,
    ("GET", "/admin/login"): PUBLIC,
    ("POST", "/admin/login"): PUBLIC,
    ("GET", "/admin/lang/{lang}"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("GET", "/api/v1/stores"): SIGNED_IN,
    ("GET", "/api/v1/auth/me"): SIGNED_IN,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("POST", "/admin/logout"): SIGNED_IN,
    ("GET", "/admin"): SIGNED_IN,
    ("GET", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/users"): ADMIN,
    ("POST", "/api/v1/stores"): ADMIN,
    ("GET", "/api/v1/audit"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/deactivate"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/activate"): ADMIN,
    ("PUT", "/api/v1/users/{user_id}/access"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/password"): ADMIN,
    ("POST", "/api/v1/users/{user_id}/revoke-sessions"): ADMIN,
    ("GET", "/admin/users"): ADMIN,
    ("POST", "/admin/users"): ADMIN,
    ("POST", "/admin/users/{user_id}/access"): ADMIN,
    ("POST", "/admin/users/{user_id}/password"): ADMIN,
    ("POST", "/admin/users/{user_id}/deactivate"): ADMIN,
    ("POST", "/admin/users/{user_id}/activate"): ADMIN,
    ("POST", "/admin/users/{user_id}/revoke-sessions"): ADMIN,
    # Answering shoppers is every staff member's job, not only managers'.
    ("POST", "/api/v1/stores/{store_id}/help-requests/{help_id}/acknowledge"): STORE_READ,
    ("POST", "/api/v1/stores/{store_id}/help-requests/{help_id}/resolve"): STORE_READ,
    ("GET", "/admin/{store_id}/import"): STORE_MANAGE,
    ("GET", "/admin/{store_id}/privacy"): STORE_MANAGE,  # erasing shopper data is for managers
}

ALLOWED = {
    "anonymous": {PUBLIC},
    "kiosk": {PUBLIC, KIOSK},
    "staff": {PUBLIC, SIGNED_IN, STORE_READ},
    "manager-elsewhere": {PUBLIC, SIGNED_IN},
    "admin": {PUBLIC, SIGNED_IN, STORE_READ, STORE_MANAGE, ADMIN},
}

PARAMS = {
    "store_id": "riyadh-01",
    "product_id": "no-such-product",
    "kiosk_id": "999",
    "faq_id": "999",
    "help_id": "999",
    "user_id": "999",
    "code": "NOSUCHCD",
    "token": "no-such-token-0123456789",
    "session_id": "00000000-0000-4000-8000-000000000000",
    "lang": "en",
    "name": "0" * 64 + ".ply",
}


def classify(method: str, path: str) -> str:
    if (method, path) in EXPLICIT:
        return EXPLICIT[(method, path)]
    if path.startswith("/api/v1/kiosk/"):
        return KIOSK
    if "{store_id}" in path:
        return STORE_READ if method == "GET" else STORE_MANAGE
    raise AssertionError(f"route {method} {path} is not classified in the authorisation matrix")


def all_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every HTTP route, including those of included routers."""
    found = []

    def walk(routes):
        for route in routes:
            if isinstance(route, Mount):
                continue
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif isinstance(route, APIRoute | Route):
                found.extend((m, route.path) for m in route.methods - {"HEAD"})

    walk(app.routes)
    return sorted(set(found), key=lambda mp: ("logout" in mp[1], mp))  # signing out last


def expected_denial(identity: str, category: str, path: str) -> int:
    if category == KIOSK:
        return 401
    signed_in = identity in ("staff", "manager-elsewhere", "admin")
    if not signed_in:
        return 303 if path.startswith("/admin") else 401
    return 403


def test_every_route_answers_each_identity_as_allowed(sqlite_backend):
    b = sqlite_backend
    admin = b.new_client()
    admin_csrf = b.sign_in(client=admin)
    h = {"X-CSRF-Token": admin_csrf}
    assert (
        admin.post(
            "/api/v1/stores", json={"id": "jeddah-01", "name_en": "Jeddah", "name_ar": "جدة"}, headers=h
        ).status_code
        == 201
    )
    for email, role, store in (
        ("staff@x.sa", "staff", "riyadh-01"),
        ("manager@x.sa", "manager", "jeddah-01"),
    ):
        body = {"email": email, "password": "long-enough-password", "role": role, "stores": [store]}
        assert admin.post("/api/v1/users", json=body, headers=h).status_code == 201

    clients = {}
    for identity, email in (("staff", "staff@x.sa"), ("manager-elsewhere", "manager@x.sa")):
        c = b.new_client()
        clients[identity] = (c, {"X-CSRF-Token": b.sign_in(email, "long-enough-password", client=c)})
    clients["admin"] = (admin, h)
    clients["anonymous"] = (b.new_client(), {})
    clients["kiosk"] = (b.new_client(), b.kiosk_headers)

    routes = all_routes(b.client.app)
    assert len(routes) >= 50
    failures = []
    for identity, (client, headers) in clients.items():
        for method, path in routes:
            category = classify(method, path)
            url = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], path)
            kwargs = {"json": {}} if method in ("POST", "PUT") else {}
            if "logout" in path and identity in ("staff", "manager-elsewhere", "admin"):
                # Each sign-out ends its session, so every sign-out route gets a fresh one.
                email = {"staff": "staff@x.sa", "manager-elsewhere": "manager@x.sa"}.get(identity)
                client = b.new_client()
                headers = {"X-CSRF-Token": b.sign_in(email, email and "long-enough-password", client=client)}
            r = client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
            to_login = r.status_code == 303 and r.headers["location"] == "/admin/login"
            if path == "/admin/logout":  # its success is also a redirect to sign-in, with the cookie cleared
                to_login = to_login and "maraya_session=" not in r.headers.get("set-cookie", "")
            denied = r.status_code in (401, 403) or to_login
            if category in ALLOWED[identity]:
                if denied or r.status_code >= 500:
                    failures.append(f"{identity} {method} {path}: expected allowed, got {r.status_code}")
            else:
                want = expected_denial(identity, category, path)
                got_login = r.status_code == 303 and r.headers.get("location") == "/admin/login"
                if not ((want == 303 and got_login) or r.status_code == want):
                    failures.append(f"{identity} {method} {path}: expected {want}, got {r.status_code}")
    assert not failures, "\n".join(failures)

    # The manager is not simply locked out: their own store is theirs to manage.
    manager, mh = clients["manager-elsewhere"]
    r = manager.post("/api/v1/stores/jeddah-01/kiosks", json={"name": "door"}, headers=mh)
    assert r.status_code == 201 and len(r.json()["token"]) >= 43
