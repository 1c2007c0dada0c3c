"""Staff side: sign-in hardening, CSRF, headers, catalogue CRUD, import/export, retention."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import func, select

from kiosk.backend.db import make_engine, make_sessionmaker
from kiosk.backend.retention import purge
from kiosk.backend.sessions.models import SessionEvent
from kiosk.backend.settings import load_settings
from vision.color import hex_to_lab

PRODUCT = {
    "id": "lip-test-new",
    "kind": "lipstick",
    "brand": "Test",
    "name_en": "Test Red",
    "name_ar": "أحمر تجريبي",
    "price_sar": 99.5,
    "aisle": "A1",
    "tags": ["red"],
    "shades": [
        {
            "sku": "TST-01",
            "name_en": "Ruby",
            "name_ar": "ياقوتي",
            "hex": "#9E1B32",
            "finish": "matte",
            "undertone": "cool",
            "depth": 5,
            "stock": 3,
        }
    ],
}


def test_default_secret_is_refused_outside_dev_mode():
    with pytest.raises(ValueError, match="SECRET_KEY"):
        load_settings(database_url="sqlite:///x.db")
    assert load_settings(database_url="sqlite:///x.db", secret_key="k" * 32).secret_key == "k" * 32


def test_security_headers_and_cookie_flags(backend):
    r = backend.client.get("/admin/login")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    login = backend.client.post(
        "/api/v1/auth/login",
        json={"email": backend.seed.admin_email, "password": backend.seed.admin_password},
    )
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_csrf_is_required_for_changes(backend):
    c = backend.client
    csrf = backend.sign_in()
    assert c.post("/api/v1/stores/riyadh-01/products", json=PRODUCT).status_code == 403
    assert (
        c.post(
            "/api/v1/stores/riyadh-01/products", json=PRODUCT, headers={"X-CSRF-Token": "forged"}
        ).status_code
        == 403
    )
    assert (
        c.post("/api/v1/stores/riyadh-01/products", json=PRODUCT, headers={"X-CSRF-Token": csrf}).status_code
        == 201
    )


def test_product_crud_computes_lab_on_the_server_and_audits(backend):
    c = backend.client
    h = {"X-CSRF-Token": backend.sign_in()}
    created = c.post("/api/v1/stores/riyadh-01/products", json=PRODUCT, headers=h).json()
    shade = created["shades"][0]
    assert shade["hex"] == "#9e1b32"
    assert shade["lab"] == pytest.approx([float(x) for x in hex_to_lab("#9e1b32")], abs=1e-9)
    assert c.post("/api/v1/stores/riyadh-01/products", json=PRODUCT, headers=h).status_code == 409
    clash = {**PRODUCT, "id": "lip-other", "shades": PRODUCT["shades"]}
    assert c.post("/api/v1/stores/riyadh-01/products", json=clash, headers=h).status_code == 409  # sku taken
    bad = {**PRODUCT, "shades": [{**PRODUCT["shades"][0], "hex": "red", "finish": "glitter"}]}
    r = c.put("/api/v1/stores/riyadh-01/products/lip-test-new", json=bad, headers=h)
    assert r.status_code == 422 and {tuple(e["loc"][-1:]) for e in r.json()["detail"]} == {
        ("hex",),
        ("finish",),
    }
    assert c.delete("/api/v1/stores/riyadh-01/products/lip-test-new", headers=h).status_code == 204
    assert c.get("/api/v1/stores/riyadh-01/products/lip-test-new").status_code == 404
    actions = [a["action"] for a in c.get("/api/v1/audit").json()]
    assert {"product.create", "product.delete"} <= set(actions)


def _export(c) -> str:
    r = c.get("/api/v1/stores/riyadh-01/catalogue/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    return r.text


def test_import_is_all_or_nothing_with_row_errors(backend):
    c = backend.client
    h = {"X-CSRF-Token": backend.sign_in()}
    before = _export(c)
    rows = list(csv.reader(io.StringIO(before.lstrip("\ufeff"))))
    header = rows[0]
    first = rows[1][0]
    for row in rows[1:]:
        if row[0] == first:
            row[header.index("name_en")] = "Changed name"  # a valid change to the first product ...
    rows[3][header.index("hex")] = "#12345"  # ... and a bad colour on row 4
    rows[5][header.index("depth")] = "eleven"  # ... and a bad depth on row 6
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    r = c.post(
        "/api/v1/stores/riyadh-01/catalogue/import",
        files={"file": ("c.csv", out.getvalue().encode())},
        headers=h,
    )
    assert r.status_code == 422
    errors = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert errors == {(4, "hex"), (6, "depth")}
    rows[2][header.index("price_sar")] = "1"  # a product column that disagrees with its first row
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    r = c.post(
        "/api/v1/stores/riyadh-01/catalogue/import",
        files={"file": ("c.csv", out.getvalue().encode())},
        headers=h,
    )
    assert {"row": 3, "column": "price_sar", "reason": "differs from row 2"} in r.json()["errors"]
    assert _export(c) == before  # nothing was written, not even the valid row

    r = c.post(
        "/api/v1/stores/riyadh-01/catalogue/import", files={"file": ("c.csv", before.encode())}, headers=h
    )
    assert r.status_code == 200 and r.json()["imported"] >= 10
    assert _export(c) == before  # export -> import round-trips

    doc = {"products": [PRODUCT, {**PRODUCT, "id": "lip-two", "price_sar": -1, "shades": []}]}
    r = c.post(
        "/api/v1/stores/riyadh-01/catalogue/import",
        files={"file": ("c.json", json.dumps(doc).encode())},
        headers=h,
    )
    assert (
        r.status_code == 422
        and r.json()["errors"][0]["row"] == 2
        and r.json()["errors"][0]["column"] == "price_sar"
    )
    assert c.get("/api/v1/stores/riyadh-01/products/lip-test-new").status_code == 404


def test_export_neutralises_spreadsheet_formulas(backend):
    c = backend.client
    h = {"X-CSRF-Token": backend.sign_in()}
    evil = {
        **PRODUCT,
        "name_en": '=HYPERLINK("http://evil","x")',
        "brand": "+cmd|' /C calc'!A0",
        "tags": ["@SUM(1)"],
    }
    assert c.post("/api/v1/stores/riyadh-01/products", json=evil, headers=h).status_code == 201
    text = _export(c)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    row = next(r for r in rows if r["product_id"] == "lip-test-new")
    assert row["name_en"].startswith("'=") and row["brand"].startswith("'+") and row["tags"].startswith("'@")
    for r in rows:
        for cell in r.values():
            assert not cell.startswith(("=", "+", "-", "@")), cell
    # ... and the neutralised file imports back to the original text.
    assert (
        c.post(
            "/api/v1/stores/riyadh-01/catalogue/import", files={"file": ("c.csv", text.encode())}, headers=h
        ).status_code
        == 200
    )
    assert c.get("/api/v1/stores/riyadh-01/products/lip-test-new").json()["name_en"] == evil["name_en"]


def test_retention_purge_deletes_only_old_sessions(backend):
    c, kh = backend.client, backend.kiosk_headers
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=120)).isoformat()
    new = dt.datetime.now(dt.UTC).isoformat()
    evs = [
        {
            "event_id": str(uuid.uuid4()),
            "session_id": str(uuid.uuid4()),
            "seq": 0,
            "at": at,
            "kind": "consent_given",
            "data": {},
        }
        for at in (old, old, new)
    ]
    c.post("/api/v1/kiosk/events", json={"events": evs}, headers={**kh, "Idempotency-Key": str(uuid.uuid4())})
    engine = make_engine(backend.database_url)
    result = purge(make_sessionmaker(engine), backend.settings)
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(SessionEvent)).scalar_one()
    engine.dispose()
    assert result.events == 2 and left == 1


def test_purge_command_runs(sqlite_backend):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "backend",
            "--dev",
            "--database-url",
            sqlite_backend.database_url,
            "purge",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "purged data older than" in proc.stdout


def test_create_kiosk_command_prints_a_working_token(sqlite_backend):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "backend",
            "--dev",
            "--database-url",
            sqlite_backend.database_url,
            "create-kiosk",
            "--store",
            "riyadh-01",
            "--name",
            "entrance",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    token = proc.stdout.strip().splitlines()[-1]
    r = sqlite_backend.client.get("/api/v1/kiosk/faq", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_kpis_from_events(backend):
    c, kh = backend.client, backend.kiosk_headers
    now = dt.datetime.now(dt.UTC).isoformat()

    def ev(session, kind, data):
        return {
            "event_id": str(uuid.uuid4()),
            "session_id": session,
            "seq": 0,
            "at": now,
            "kind": kind,
            "data": data,
        }

    s1, s2 = str(uuid.uuid4()), str(uuid.uuid4())
    batch = [
        ev(s1, "session_started", {"mode": "makeup"}),
        ev(s1, "consent_given", {}),
        ev(
            s1,
            "product_tried",
            {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01", "dwell_ms": 4000},
        ),
        ev(
            s1,
            "product_tried",
            {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-02", "dwell_ms": 2000},
        ),
        ev(s1, "added_to_basket", {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01"}),
        ev(
            s1,
            "assistant_question",
            {"intent": "store_hours", "answered": True, "escalated": False, "lang": "ar"},
        ),
        ev(
            s1,
            "assistant_question",
            {"intent": "returns", "answered": False, "escalated": True, "lang": "en"},
        ),
        ev(s1, "session_ended", {"reason": "done", "duration_ms": 60000}),
        ev(s2, "session_started", {"mode": "makeup"}),
        ev(s2, "consent_declined", {}),
        ev(s2, "session_ended", {"reason": "walked_away", "duration_ms": 20000}),
    ]
    c.post(
        "/api/v1/kiosk/events", json={"events": batch}, headers={**kh, "Idempotency-Key": str(uuid.uuid4())}
    )
    backend.sign_in()
    k = c.get("/api/v1/stores/riyadh-01/kpis").json()
    assert k["sessions"] == 2 and k["avg_duration_s"] == 40.0 and k["consent_rate"] == 0.5
    assert (
        k["tryons_per_session"] == 1.0 and k["basket_conversion"] == 0.5 and k["assistant_containment"] == 0.5
    )
    assert k["top_products"] == [{"key": "lip-sahra-velvet", "count": 2}]
    assert c.get("/api/v1/stores/riyadh-01/kpis.csv").text.count("\n") > 5
    assert c.get("/admin/riyadh-01/dashboard").status_code == 200


def test_purge_also_runs_on_a_schedule_inside_the_server(backend_factory):
    b = backend_factory("sqlite", purge_interval_s=0.2)
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).isoformat()
    ev = {
        "event_id": str(uuid.uuid4()),
        "session_id": str(uuid.uuid4()),
        "seq": 0,
        "at": old,
        "kind": "consent_given",
        "data": {},
    }
    engine = make_engine(b.database_url)
    with b.client:
        r = b.client.post(
            "/api/v1/kiosk/events",
            json={"events": [ev]},
            headers={**b.kiosk_headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert r.status_code == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.execute(select(func.count()).select_from(SessionEvent)).scalar_one() == 0:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("the scheduled purge did not remove the 400-day-old event")
    engine.dispose()
