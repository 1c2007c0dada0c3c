"""The kiosk API of kiosk/backend/API.md, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select, update

from catalogue import parse_catalogue
from kiosk.backend.db import make_engine
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.sessions.models import SessionEvent


def events(n: int, kind: str = "product_tried", session: str | None = None) -> list[dict]:
    session = session or str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC).isoformat()
    data = {
        "product_tried": {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01", "dwell_ms": 5200},
        "consent_given": {},
    }[kind]
    return [
        {
            "event_id": str(uuid.uuid4()),
            "session_id": session,
            "seq": i,
            "at": now,
            "kind": kind,
            "data": data,
        }
        for i in range(n)
    ]


def count_events(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(SessionEvent)).scalar_one()
    engine.dispose()
    return n


def test_healthz(backend):
    assert backend.client.get("/healthz").json() == {"status": "ok"}


def test_catalogue_pull_with_etag_parses_as_the_kiosk_schema(backend):
    c, h = backend.client, backend.kiosk_headers
    r = c.get("/api/v1/kiosk/catalogue", headers=h)
    assert r.status_code == 200
    cat = parse_catalogue(r.json())
    assert cat.store_id == "riyadh-01" and len(cat.products) >= 10
    etag = r.headers["etag"]
    assert etag == f'"{cat.version}"'
    assert c.get("/api/v1/kiosk/catalogue", headers={**h, "If-None-Match": etag}).status_code == 304
    # A staff edit bumps the version, so the same ETag now gets the new catalogue.
    csrf = backend.sign_in()
    product = c.get(f"/api/v1/stores/riyadh-01/products/{cat.products[0].id}").json()
    product.pop("updated_at"), product.pop("model_sha256")
    for s in product["shades"]:
        s.pop("lab")
    product["price_sar"] = 1.5
    assert (
        c.put(
            f"/api/v1/stores/riyadh-01/products/{product['id']}", json=product, headers={"X-CSRF-Token": csrf}
        ).status_code
        == 200
    )
    again = c.get("/api/v1/kiosk/catalogue", headers={**h, "If-None-Match": etag})
    assert again.status_code == 200 and again.headers["etag"] != etag
    assert parse_catalogue(again.json()).products[0].price_sar == 1.5


def test_faq_is_bilingual_with_store_info_and_etag(backend):
    r = backend.client.get("/api/v1/kiosk/faq", headers=backend.kiosk_headers)
    body = r.json()
    assert len(body["entries"]) == 4 and all(e["question_ar"] and e["answer_en"] for e in body["entries"])
    assert body["store"]["hours_ar"] and body["store"]["returns_en"]
    h = {**backend.kiosk_headers, "If-None-Match": r.headers["etag"]}
    assert backend.client.get("/api/v1/kiosk/faq", headers=h).status_code == 304


def test_same_batch_three_times_and_concurrently_is_counted_once(backend):
    c, h = backend.client, backend.kiosk_headers
    batch = {"events": events(40)}
    key = str(uuid.uuid4())
    answers = [
        c.post("/api/v1/kiosk/events", json=batch, headers={**h, "Idempotency-Key": key}).json()
        for _ in range(3)
    ]
    assert answers == [{"accepted": 40, "duplicate": False}] + [{"accepted": 40, "duplicate": True}] * 2
    assert count_events(backend.database_url) == 40

    concurrent_batch = {"events": events(25)}
    key2 = str(uuid.uuid4())

    def post(_):
        return c.post("/api/v1/kiosk/events", json=concurrent_batch, headers={**h, "Idempotency-Key": key2})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, range(8)))
    assert all(r.status_code == 200 for r in results), [r.text for r in results]
    assert sorted(r.json()["duplicate"] for r in results) == [False] + [True] * 7
    assert count_events(backend.database_url) == 65
    # The same events under a new key (a kiosk that lost its receipt) are still not counted twice.
    r = c.post(
        "/api/v1/kiosk/events", json=concurrent_batch, headers={**h, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert r.json() == {"accepted": 25, "duplicate": False}
    assert count_events(backend.database_url) == 65


def test_reused_key_with_another_body_is_409_and_bad_events_are_422(backend):
    c, h = backend.client, backend.kiosk_headers
    key = str(uuid.uuid4())
    assert (
        c.post(
            "/api/v1/kiosk/events", json={"events": events(2)}, headers={**h, "Idempotency-Key": key}
        ).status_code
        == 200
    )
    assert (
        c.post(
            "/api/v1/kiosk/events", json={"events": events(2)}, headers={**h, "Idempotency-Key": key}
        ).status_code
        == 409
    )
    bad = events(3)
    bad[1]["data"]["free_text"] = "my name is ..."
    r = c.post(
        "/api/v1/kiosk/events", json={"events": bad}, headers={**h, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert r.status_code == 422
    assert any(e["loc"][:3] == ["body", "events", 1] and "free_text" in e["loc"] for e in r.json()["detail"])
    naive = events(1)
    naive[0]["at"] = "2026-11-22T10:00:00"  # no time zone: ambiguous, refused
    r = c.post(
        "/api/v1/kiosk/events", json={"events": naive}, headers={**h, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert r.status_code == 422
    too_many = {"events": events(501)}
    assert c.post(
        "/api/v1/kiosk/events", json=too_many, headers={**h, "Idempotency-Key": str(uuid.uuid4())}
    ).status_code in (413, 422)
    huge = {"events": events(1) * 1, "pad": "x" * 300_000}
    assert (
        c.post(
            "/api/v1/kiosk/events", json=huge, headers={**h, "Idempotency-Key": str(uuid.uuid4())}
        ).status_code
        == 413
    )
    assert c.post("/api/v1/kiosk/events", json={"events": events(1)}, headers=h).status_code == 422  # no key
    assert count_events(backend.database_url) == 2


def test_heartbeat_model_and_revoked_token(backend, tmp_path):
    c, h = backend.client, backend.kiosk_headers
    beat = {
        "software_version": "1.2.3",
        "model_version": "m1",
        "fps": 29.5,
        "camera_state": "ok",
        "uptime_s": 12,
        "last_error": None,
    }
    r = c.post("/api/v1/kiosk/heartbeat", json=beat, headers=h)
    assert r.status_code == 200 and r.json()["catalogue_version"] >= 1 and "settings" in r.json()
    from kiosk.backend.db import make_sessionmaker, session_scope
    from kiosk.backend.demo import publish_model

    model = tmp_path / "model.onnx"
    model.write_bytes(b"onnx-bytes" * 100)
    engine = make_engine(backend.database_url)
    with session_scope(make_sessionmaker(engine)) as db:
        publish_model(db, model, "v2", backend.settings.data_dir)
    engine.dispose()
    info = c.get("/api/v1/kiosk/model", headers=h).json()
    assert info["version"] == "v2" and info["size"] == 1000
    blob = c.get(info["url"], headers=h).content
    import hashlib

    assert hashlib.sha256(blob).hexdigest() == info["sha256"]
    kiosks = (csrf := backend.sign_in()) and c.get("/api/v1/stores/riyadh-01/kiosks").json()
    assert kiosks[0]["health"] == "healthy"
    assert (
        c.post(
            f"/api/v1/stores/riyadh-01/kiosks/{kiosks[0]['id']}/revoke", headers={"X-CSRF-Token": csrf}
        ).status_code
        == 200
    )
    assert c.post("/api/v1/kiosk/heartbeat", json=beat, headers=h).status_code == 401


def test_help_request_lifecycle(backend):
    c, h = backend.client, backend.kiosk_headers
    r = c.post(
        "/api/v1/kiosk/help-requests",
        json={"session_id": str(uuid.uuid4()), "reason": "assistant", "note": "intent:returns"},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["status"] == "open"
    hid = r.json()["id"]
    csrf = backend.sign_in()
    queue = c.get("/api/v1/stores/riyadh-01/help-requests").json()
    assert [q["id"] for q in queue] == [hid]
    c.post(f"/api/v1/stores/riyadh-01/help-requests/{hid}/acknowledge", headers={"X-CSRF-Token": csrf})
    state = c.get(f"/api/v1/kiosk/help-requests/{hid}", headers=h).json()
    assert state["status"] == "acknowledged" and state["acknowledged_at"]
    c.post(f"/api/v1/stores/riyadh-01/help-requests/{hid}/resolve", headers={"X-CSRF-Token": csrf})
    assert c.get(f"/api/v1/kiosk/help-requests/{hid}", headers=h).json()["status"] == "resolved"
    assert c.get("/api/v1/stores/riyadh-01/help-requests").json() == []
    kpis = c.get("/api/v1/stores/riyadh-01/kpis").json()
    assert kpis["help_requests"] == 1 and kpis["median_response_s"] is not None


def test_handoff_page_snapshot_expiry_and_deletion_by_code(backend):
    c, h = backend.client, backend.kiosk_headers
    session = str(uuid.uuid4())
    c.post(
        "/api/v1/kiosk/events",
        json={"events": events(3, session=session)},
        headers={**h, "Idempotency-Key": str(uuid.uuid4())},
    )
    body = {
        "session_id": session,
        "items": [{"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01"}],
        "snapshot_jpeg_b64": None,
    }
    r = c.post("/api/v1/kiosk/handoffs", json=body, headers=h)
    assert r.status_code == 201
    code, url = r.json()["code"], r.json()["url"]
    page = c.get(url)
    assert page.status_code == 200 and "SAH-LIP-01" in page.text and 'dir="rtl"' in page.text
    assert "<img" not in page.text  # no photo unless the shopper chose to share one
    assert c.get(f"{url}/snapshot.jpg").status_code == 404

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 100).decode()
    assert (
        c.post("/api/v1/kiosk/handoffs", json={**body, "snapshot_jpeg_b64": png}, headers=h).status_code
        == 422
    )
    unknown = {**body, "items": [{"product_id": "nope", "shade_sku": None}]}
    assert c.post("/api/v1/kiosk/handoffs", json=unknown, headers=h).status_code == 422
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"1" * 1000).decode()
    with_photo = c.post("/api/v1/kiosk/handoffs", json={**body, "snapshot_jpeg_b64": jpeg}, headers=h).json()[
        "url"
    ]
    assert "<img" in c.get(with_photo).text
    assert c.get(f"{with_photo}/snapshot.jpg").content.startswith(b"\xff\xd8\xff")

    engine = make_engine(backend.database_url)
    with engine.begin() as conn:
        conn.execute(
            update(Handoff)
            .where(Handoff.code == code)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    engine.dispose()
    assert c.get(url).status_code == 410
    assert c.get("/h/ZZZZZZZZZZZZZZZZZZZZZZ").status_code == 404

    csrf = backend.sign_in()
    deleted = c.delete(f"/api/v1/stores/riyadh-01/handoffs/{code.lower()}", headers={"X-CSRF-Token": csrf})
    assert deleted.status_code == 200 and deleted.json()["events_deleted"] == 3
    assert count_events(backend.database_url) == 0
    assert c.get(with_photo).status_code == 404  # the whole session's looks went with it
    audit = c.get("/api/v1/audit").json()
    assert any(a["action"] == "session.erase" for a in audit)


def test_catalogue_delta_since_a_version(backend):
    c, h = backend.client, backend.kiosk_headers
    full = c.get("/api/v1/kiosk/catalogue", headers=h).json()
    held = full["version"]
    csrf = {"X-CSRF-Token": backend.sign_in()}
    first, second = full["products"][0], full["products"][1]
    edited = {**first, "price_sar": 12.0}
    assert (
        c.put(f"/api/v1/stores/riyadh-01/products/{first['id']}", json=edited, headers=csrf).status_code
        == 200
    )
    assert c.delete(f"/api/v1/stores/riyadh-01/products/{second['id']}", headers=csrf).status_code == 204
    delta = c.get(f"/api/v1/kiosk/catalogue?since={held}", headers=h).json()
    assert delta["since"] == held and delta["version"] == held + 2
    assert [p["id"] for p in delta["products"]] == [first["id"]] and delta["products"][0]["price_sar"] == 12.0
    assert delta["removed"] == [second["id"]]
    assert c.get(f"/api/v1/kiosk/catalogue?since={held + 2}", headers=h).json()["products"] == []
    # A product re-created after deletion is a change again, not a removal.
    assert c.post("/api/v1/stores/riyadh-01/products", json=second, headers=csrf).status_code == 201
    again = c.get(f"/api/v1/kiosk/catalogue?since={held}", headers=h).json()
    assert {p["id"] for p in again["products"]} == {first["id"], second["id"]} and again["removed"] == []
