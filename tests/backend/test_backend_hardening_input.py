"""Hostile input gets a 4xx with a reason, never a 500 with a traceback, on SQLite and on
PostgreSQL (which refuses NUL in text): deep JSON, out-of-range ids, lone surrogates and NUL
bytes, sent to the routes where each was found and to their neighbours."""

from __future__ import annotations

import pytest

from kiosk.backend.inputguard import loads_json, unstorable

HUGE_ID = "9" * 20
DEEP = "[" * 100_000 + "]" * 100_000
HEARTBEAT = {"software_version": "1.0", "model_version": "", "fps": 30, "camera_state": "ok", "uptime_s": 5}
FAQ = {"question_en": "q", "question_ar": "س", "answer_en": "a", "answer_ar": "ج", "tags": []}


def post_text(client, url: str, text: str, headers: dict | None = None):
    """POST a JSON document written by hand (json.dumps would never produce these)."""
    return client.post(
        url, content=text.encode(), headers={"content-type": "application/json", **(headers or {})}
    )


@pytest.fixture
def staff(backend):
    return {"X-CSRF-Token": backend.sign_in()}


def test_deeply_nested_json_import_is_a_reported_error(backend, staff):
    c = backend.client
    r = c.post(
        "/api/v1/stores/riyadh-01/catalogue/import",
        files={"file": ("deep.json", DEEP.encode())},
        headers=staff,
    )
    assert r.status_code == 422 and "nested deeper" in r.text
    page = c.post(
        "/admin/riyadh-01/import",
        files={"file": ("deep.json", DEEP.encode())},
        data={"csrf_token": staff["X-CSRF-Token"]},
    )
    assert page.status_code == 422 and "nested deeper" in page.text
    # A deep JSON request body is refused as well.
    assert post_text(c, "/api/v1/kiosk/heartbeat", DEEP, backend.kiosk_headers).status_code in (
        400,
        422,
    )


@pytest.mark.parametrize("bad_id", ["abc", HUGE_ID, "-1", "١٢"])
def test_out_of_range_or_non_numeric_ids_in_the_faq_form(backend, staff, bad_id):
    r = backend.client.post(
        "/admin/riyadh-01/faq", data={**FAQ, "id": bad_id, "csrf_token": staff["X-CSRF-Token"]}
    )
    assert r.status_code == 422 and "id" in r.text


def test_twenty_digit_ids_in_paths_and_queries_are_422(backend, staff):
    c, k = backend.client, backend.kiosk_headers
    assert c.put(f"/api/v1/stores/riyadh-01/faq/{HUGE_ID}", json=FAQ, headers=staff).status_code == 422
    assert c.delete(f"/api/v1/stores/riyadh-01/faq/{HUGE_ID}", headers=staff).status_code == 422
    assert c.post(f"/api/v1/stores/riyadh-01/kiosks/{HUGE_ID}/revoke", headers=staff).status_code == 422
    assert (
        c.post(f"/api/v1/stores/riyadh-01/help-requests/{HUGE_ID}/resolve", headers=staff).status_code == 422
    )
    assert c.get(f"/api/v1/kiosk/help-requests/{HUGE_ID}", headers=k).status_code == 422
    assert c.get(f"/api/v1/stores/riyadh-01/kpis?kiosk_id={HUGE_ID}", headers=staff).status_code == 422
    assert c.get(f"/admin/riyadh-01/dashboard?kiosk_id={HUGE_ID}").status_code == 422
    assert (
        c.post(
            f"/admin/riyadh-01/faq/{HUGE_ID}/delete", data={"csrf_token": staff["X-CSRF-Token"]}
        ).status_code
        == 422
    )


@pytest.mark.parametrize("bad", ["\\ud800", "\\udc00x", "\\u0000", "a\\ud83d"])
def test_lone_surrogates_and_nul_in_any_json_body_are_400(backend, staff, bad):
    c, k = backend.client, backend.kiosk_headers
    assert (
        post_text(c, "/api/v1/auth/login", f'{{"email": "a{bad}@x.sa", "password": "p"}}').status_code == 400
    )
    heartbeat = (
        f'{{"software_version": "1", "fps": 1, "camera_state": "ok", "uptime_s": 1, "last_error": "{bad}"}}'
    )
    assert c.post("/api/v1/kiosk/heartbeat", content=heartbeat.encode(), headers=k).status_code == 400
    faq = f'{{"question_en": "{bad}", "question_ar": "س", "answer_en": "a", "answer_ar": "ج"}}'
    assert post_text(c, "/api/v1/stores/riyadh-01/faq", faq, staff).status_code == 400


def test_a_proper_surrogate_pair_is_welcome(backend, staff):
    faq = '{"question_en": "lips \\ud83d\\udc84?", "question_ar": "س", "answer_en": "a", "answer_ar": "ج"}'
    r = post_text(backend.client, "/api/v1/stores/riyadh-01/faq", faq, staff)
    assert r.status_code == 201 and r.json()["question_en"] == "lips \U0001f484?"


def test_nul_bytes_are_refused_wherever_text_is_stored(backend, staff):
    """PostgreSQL cannot store NUL in text: each route once answered 500 there."""
    c, k = backend.client, backend.kiosk_headers
    csrf = staff["X-CSRF-Token"]
    assert c.post("/api/v1/auth/login", json={"email": "a\x00@x.sa", "password": "p"}).status_code == 400
    assert c.post("/admin/login", data={"email": "a\x00@x.sa", "password": "p"}).status_code == 400
    assert c.post("/api/v1/stores/riyadh-01/kiosks", json={"name": "k\x00"}, headers=staff).status_code == 400
    assert c.post("/admin/riyadh-01/kiosks", data={"name": "k\x00", "csrf_token": csrf}).status_code == 400
    assert (
        c.post("/api/v1/stores/riyadh-01/faq", json={**FAQ, "answer_ar": "\x00"}, headers=staff).status_code
        == 400
    )
    assert (
        c.post("/admin/riyadh-01/faq", data={**FAQ, "answer_en": "\x00", "csrf_token": csrf}).status_code
        == 400
    )
    user = {
        "email": "n\x00@x.sa",
        "password": "long-enough-password",
        "role": "staff",
        "stores": ["riyadh-01"],
    }
    assert c.post("/api/v1/users", json=user, headers=staff).status_code == 400
    assert (
        c.post("/api/v1/kiosk/heartbeat", json={**HEARTBEAT, "last_error": "e\x00"}, headers=k).status_code
        == 400
    )
    help_ = {"session_id": "00000000-0000-4000-8000-000000000000", "reason": "shopper", "note": "\x00"}
    assert c.post("/api/v1/kiosk/help-requests", json=help_, headers=k).status_code == 400
    assert c.get("/h/%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00").status_code == 400
    assert c.get("/api/v1/stores/riyadh-01%00/kpis", headers=staff).status_code == 400
    assert c.get("/admin/lang/en?next=/admin%00").status_code == 400
    csv_file = ("c.csv", b"product_id,kind\nx\x00,lipstick\n")
    r = c.post("/api/v1/stores/riyadh-01/catalogue/import", files={"file": csv_file}, headers=staff)
    assert r.status_code == 422 and "NUL" in r.text
    # The server is still answering normally afterwards.
    assert (
        c.post("/api/v1/kiosk/heartbeat", json={**HEARTBEAT, "last_error": "ok"}, headers=k).status_code
        == 200
    )


def test_the_guard_helpers():
    assert unstorable("a\x00") and unstorable("\ud800") and not unstorable("مرحبا 💄")
    with pytest.raises(ValueError, match="nested deeper"):
        loads_json(DEEP)
    with pytest.raises(ValueError, match="NUL"):
        loads_json('{"a": ["\\u0000"]}')
    assert loads_json('{"a": ["\\ud83d\\udc84"]}') == {"a": ["\U0001f484"]}
