"""Erasure of one shopper session (PDPL): from the kiosk, for a shopper who made no handoff
and so has no code to show, and from staff by session id; idempotent and audited without the
session id, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

from sqlalchemy import func, select

from kiosk.backend.audit import AuditEntry
from kiosk.backend.db import make_engine
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.sessions.models import SessionEvent

JPEG = b"\xff\xd8\xff\xe0" + b"2" * 500


def shopper_session(b) -> str:
    """A session with events (skin tone among them), a help request and a look with a photo."""
    session = str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC).isoformat()
    kinds = [
        ("consent_given", {}),
        ("skin_tone", {"mst": 7, "undertone": "warm"}),
        ("product_tried", {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01", "dwell_ms": 900}),
    ]
    events = [
        {"event_id": str(uuid.uuid4()), "session_id": session, "seq": i, "at": now, "kind": k, "data": d}
        for i, (k, d) in enumerate(kinds)
    ]
    h = b.kiosk_headers
    assert (
        b.client.post(
            "/api/v1/kiosk/events",
            json={"events": events},
            headers={**h, "Idempotency-Key": str(uuid.uuid4())},
        ).status_code
        == 200
    )
    assert (
        b.client.post(
            "/api/v1/kiosk/help-requests", json={"session_id": session, "reason": "shopper"}, headers=h
        ).status_code
        == 201
    )
    look = {
        "session_id": session,
        "items": [{"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01"}],
        "snapshot_jpeg_b64": base64.b64encode(JPEG).decode(),
    }
    assert b.client.post("/api/v1/kiosk/handoffs", json=look, headers=h).status_code == 201
    return session


def rows_of(b, session: str) -> int:
    engine = make_engine(b.database_url)
    with engine.connect() as conn:
        n = sum(
            conn.execute(
                select(func.count()).select_from(model).where(model.session_id == session)
            ).scalar_one()
            for model in (SessionEvent, HelpRequest, Handoff)
        )
    engine.dispose()
    return n


def erase_audits(b) -> list[AuditEntry]:
    engine = make_engine(b.database_url)
    with engine.connect() as conn:
        found = list(conn.execute(select(AuditEntry).where(AuditEntry.action == "session.erase")))
    engine.dispose()
    return found


def test_the_kiosk_erases_a_session_once_and_the_audit_names_no_shopper(backend):
    c = backend.client
    session, other = shopper_session(backend), shopper_session(backend)
    assert rows_of(backend, session) == 5
    r = c.post(f"/api/v1/kiosk/sessions/{session}/erase", headers=backend.kiosk_headers)
    assert r.status_code == 200 and r.json() == {"erased": 5}
    assert rows_of(backend, session) == 0 and rows_of(backend, other) == 5
    again = c.post(f"/api/v1/kiosk/sessions/{session}/erase", headers=backend.kiosk_headers)
    assert again.status_code == 200 and again.json() == {"erased": 0}
    audits = erase_audits(backend)
    assert len(audits) == 2
    assert all(session not in json.dumps([a.entity, a.detail]) for a in audits)
    assert c.post(f"/api/v1/kiosk/sessions/{session}/erase").status_code == 401
    assert c.post("/api/v1/kiosk/sessions/not-a-uuid/erase", headers=backend.kiosk_headers).status_code == 422


def test_a_kiosk_cannot_erase_another_stores_sessions(backend):
    session = shopper_session(backend)
    csrf = backend.sign_in()
    h = {"X-CSRF-Token": csrf}
    store = {"id": "jeddah-01", "name_en": "Jeddah", "name_ar": "جدة"}
    assert backend.client.post("/api/v1/stores", json=store, headers=h).status_code == 201
    token = backend.client.post("/api/v1/stores/jeddah-01/kiosks", json={"name": "j1"}, headers=h).json()[
        "token"
    ]
    r = backend.client.post(
        f"/api/v1/kiosk/sessions/{session}/erase", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.json() == {"erased": 0} and rows_of(backend, session) == 5


def test_staff_erase_a_session_by_id_through_the_api_and_the_admin_page(backend):
    c = backend.client
    by_api, by_page = shopper_session(backend), shopper_session(backend)
    csrf = backend.sign_in()
    r = c.delete(f"/api/v1/stores/riyadh-01/sessions/{by_api}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json() == {"erased": 5}
    assert rows_of(backend, by_api) == 0

    assert c.get("/admin/riyadh-01/privacy").status_code == 200
    page = c.post(
        "/admin/riyadh-01/privacy/erase",
        data={"session_id": by_page, "csrf_token": csrf},
        follow_redirects=True,
    )
    assert page.status_code == 200 and "data-erased>5<" in page.text
    assert rows_of(backend, by_page) == 0
    bad = c.post("/admin/riyadh-01/privacy/erase", data={"session_id": "'; drop", "csrf_token": csrf})
    assert bad.status_code == 422
    audits = erase_audits(backend)
    assert len(audits) == 2 and all(a.user_id is not None for a in audits)
