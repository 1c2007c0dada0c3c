"""Offboarding staff: deactivation, password reset, role and store changes and ending sessions,
from the API and from the admin page, each audited; a deactivated member's open help-queue
stream closes at once instead of running to its time limit."""

from __future__ import annotations

import httpx
import pytest

from kiosk.backend.process import start_backend_process
from kiosk.loopback import free_port

PASSWORD = "long-enough-password"


def add_staff(client, headers, email: str = "leaver@x.sa", role: str = "staff") -> dict:
    body = {"email": email, "password": PASSWORD, "role": role, "stores": ["riyadh-01"]}
    r = client.post("/api/v1/users", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def audit_actions(client) -> list[str]:
    return [a["action"] for a in client.get("/api/v1/audit").json()]


def test_deactivation_ends_every_session_and_sign_in(backend):
    c, h = backend.client, {"X-CSRF-Token": backend.sign_in()}
    leaver = add_staff(c, h)
    phone, laptop = backend.new_client(), backend.new_client()
    for device in (phone, laptop):
        backend.sign_in("leaver@x.sa", PASSWORD, client=device)
        assert device.get("/api/v1/auth/me").status_code == 200

    r = c.post(f"/api/v1/users/{leaver['id']}/deactivate", headers=h)
    assert r.status_code == 200 and r.json()["is_active"] is False
    for device in (phone, laptop):
        assert device.get("/api/v1/auth/me").status_code == 401
    assert (
        phone.post("/api/v1/auth/login", json={"email": "leaver@x.sa", "password": PASSWORD}).status_code
        == 401
    )

    assert c.post(f"/api/v1/users/{leaver['id']}/activate", headers=h).json()["is_active"] is True
    backend.sign_in("leaver@x.sa", PASSWORD, client=phone)
    assert {"user.deactivate", "user.activate"} <= set(audit_actions(c))


def test_password_reset_role_change_and_session_revocation(backend):
    c, h = backend.client, {"X-CSRF-Token": backend.sign_in()}
    user = add_staff(c, h, "mover@x.sa")
    device = backend.new_client()
    backend.sign_in("mover@x.sa", PASSWORD, client=device)

    r = c.post(f"/api/v1/users/{user['id']}/password", json={"password": "a-brand-new-password"}, headers=h)
    assert r.status_code == 200 and device.get("/api/v1/auth/me").status_code == 401
    assert (
        c.post(f"/api/v1/users/{user['id']}/password", json={"password": "short"}, headers=h).status_code
        == 422
    )
    bad = device.post("/api/v1/auth/login", json={"email": "mover@x.sa", "password": PASSWORD})
    assert bad.status_code == 401
    backend.sign_in("mover@x.sa", "a-brand-new-password", client=device)

    r = c.put(f"/api/v1/users/{user['id']}/access", json={"role": "manager", "stores": []}, headers=h)
    assert r.status_code == 200 and r.json()["role"] == "manager" and r.json()["stores"] == []
    assert device.get("/api/v1/stores").json() == []  # applies to the very next request
    assert (
        c.put(f"/api/v1/users/{user['id']}/access", json={"role": "staff", "stores": ["nowhere"]}, headers=h)
    ).status_code == 422

    assert c.post(f"/api/v1/users/{user['id']}/revoke-sessions", headers=h).status_code == 200
    assert device.get("/api/v1/auth/me").status_code == 401

    me = c.get("/api/v1/auth/me").json()["user"]["id"]
    assert c.post(f"/api/v1/users/{me}/deactivate", headers=h).status_code == 409  # no self-lockout
    assert (
        c.put(f"/api/v1/users/{me}/access", json={"role": "staff", "stores": []}, headers=h).status_code
        == 409
    )
    assert c.post("/api/v1/users/999999/deactivate", headers=h).status_code == 404
    entries = c.get("/api/v1/audit").json()
    assert {"user.password_reset", "user.access", "user.sessions_revoke"} <= {e["action"] for e in entries}
    assert not any("a-brand-new-password" in str(e["detail"]) for e in entries)


def test_the_admin_page_offboards_in_both_languages(backend):
    c, h = backend.client, {"X-CSRF-Token": backend.sign_in()}
    leaver = add_staff(c, h)
    ar = c.get("/admin/users")
    assert ar.status_code == 200 and 'dir="rtl"' in ar.text and "إيقاف الحساب" in ar.text
    en = c.get("/admin/users?lang=en")
    assert "Deactivate" in en.text and "leaver@x.sa" in en.text
    form = {"csrf_token": h["X-CSRF-Token"]}
    r = c.post(f"/admin/users/{leaver['id']}/deactivate", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/users")
    listed = {u["email"]: u for u in c.get("/api/v1/users").json()}
    assert listed["leaver@x.sa"]["is_active"] is False
    page = c.post(
        "/admin/users",
        data={**form, "email": "new@x.sa", "password": "short", "role": "staff", "stores": "riyadh-01"},
    )
    assert page.status_code == 422 and "at least 10" in page.text
    staff = backend.new_client()
    add_staff(c, h, "plain@x.sa")
    backend.sign_in("plain@x.sa", PASSWORD, client=staff)
    assert staff.get("/admin/users").status_code == 403


@pytest.mark.slow
def test_a_deactivated_members_help_stream_closes_at_once(seeded_database):
    db = seeded_database
    port = free_port()
    proc = start_backend_process(db.database_url, db.data_dir, port)  # help_stream_max_s: 300
    base = f"http://127.0.0.1:{port}"
    try:
        with (
            httpx.Client(base_url=base, timeout=60) as admin,
            httpx.Client(base_url=base, timeout=60) as member,
        ):
            login = {"email": db.seed.admin_email, "password": db.seed.admin_password}
            h = {"X-CSRF-Token": admin.post("/api/v1/auth/login", json=login).json()["csrf_token"]}
            leaver = add_staff(admin, h)
            assert member.post("/api/v1/auth/login", json={"email": "leaver@x.sa", "password": PASSWORD})
            # The stream lasts up to 300 s and sends a keep-alive every 15 s when nothing changes:
            # it must end because of the deactivation, before its first keep-alive.
            with member.stream("GET", "/api/v1/stores/riyadh-01/help-requests/stream", timeout=30) as stream:
                lines = stream.iter_lines()
                assert any(line.startswith("event: queue") for line in lines)
                assert admin.post(f"/api/v1/users/{leaver['id']}/deactivate", headers=h).status_code == 200
                rest = list(lines)  # returns once the server closes the stream
            assert ": keep-alive" not in rest
            assert member.get("/api/v1/auth/me").status_code == 401
    finally:
        proc.kill()
        proc.wait()
