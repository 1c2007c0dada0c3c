"""Staff and shoppers read times in the store's zone and enums in their language (issue 16)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from catalogue import FINISH_NAMES, FINISHES, KIND_NAMES, PRODUCT_KINDS, UNDERTONE_NAMES, UNDERTONES
from kiosk.backend.db import alembic_config, make_engine, make_sessionmaker
from kiosk.backend.kiosks.models import Kiosk
from kiosk.backend.localtime import FSI, PDI, format_datetime, isolate, validate_timezone
from kiosk.backend.sessions.models import SessionEvent
from kiosk.backend.web import STRINGS, labeller

ROOT = Path(__file__).resolve().parents[2]
EVENING_UTC = dt.datetime(2026, 11, 30, 22, 30, tzinfo=dt.UTC)  # 01:30 on 1 December in Riyadh


def test_times_are_local_with_month_names_in_each_language():
    assert format_datetime(EVENING_UTC, "Asia/Riyadh", "ar") == "1 ديسمبر 2026، 01:30"
    assert format_datetime(EVENING_UTC, "Asia/Riyadh", "en") == "1 December 2026, 01:30"
    assert format_datetime(EVENING_UTC, "Europe/London", "en") == "30 November 2026, 22:30"
    with pytest.raises(ValueError, match="naive"):
        format_datetime(EVENING_UTC.replace(tzinfo=None), "Asia/Riyadh", "en")


def test_unknown_zone_is_a_clear_error_and_plain_text_isolates():
    assert validate_timezone("Asia/Dubai") == "Asia/Dubai"
    for bad in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(ValueError, match="unknown time zone"):
            validate_timezone(bad)
    assert isolate("XWTV599U") == f"{FSI}XWTV599U{PDI}"


def test_every_enum_value_has_an_arabic_name_from_one_vocabulary():
    ar = labeller("ar")
    for group, values in (("kind", PRODUCT_KINDS), ("finish", FINISHES), ("undertone", UNDERTONES)):
        for value in values:
            assert re.search("[\u0600-\u06ff]", ar(group, value)), (group, value)
    for key, (arabic, _) in STRINGS.items():
        if key.split("_")[0] in ("health", "camera", "reason", "role"):
            assert re.search("[\u0600-\u06ff]", arabic), key
    # The kiosk's own screen uses the same words: the kind names its catalogue view sends the page
    # are these, and its page's finish names (kiosk/ui/i18n.js, JavaScript) are held to them here.
    from catalogue import load_catalogue
    from kiosk.app.catalogue_view import catalogue_json

    sent = catalogue_json(load_catalogue(), ())["kinds"]
    assert sent and all((k["name_en"], k["name_ar"]) == KIND_NAMES[k["id"]] for k in sent)
    i18n = (ROOT / "kiosk/ui/i18n.js").read_text(encoding="utf-8")
    arabic_block = i18n[: i18n.index("\n  en: {")]
    for value, (_, arabic) in FINISH_NAMES.items():
        assert f'finish_{value}: "{arabic}"' in arabic_block, value
    assert set(UNDERTONE_NAMES) == set(UNDERTONES)


def _set_zone(b, zone: str, csrf: str):
    info = b.client.get("/api/v1/kiosk/faq", headers=b.kiosk_headers).json()["store"]
    return b.client.put(
        "/api/v1/stores/riyadh-01/info", json={**info, "timezone": zone}, headers={"X-CSRF-Token": csrf}
    )


def test_store_zone_is_validated_stored_and_drives_days(backend):
    csrf = backend.sign_in()
    stores = backend.client.get("/api/v1/stores").json()
    assert {s["timezone"] for s in stores} == {"Asia/Riyadh"}  # the default for seeded stores
    new = {"id": "dubai-01", "name_en": "Dubai", "name_ar": "دبي", "timezone": "Mars/Olympus"}
    refused = backend.client.post("/api/v1/stores", json=new, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 422 and "unknown time zone" in refused.text
    made = backend.client.post(
        "/api/v1/stores", json={**new, "timezone": "Asia/Dubai"}, headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201 and made.json()["timezone"] == "Asia/Dubai"
    bad = _set_zone(backend, "Mars/Olympus", csrf)
    assert bad.status_code == 422 and "unknown time zone" in bad.text
    assert _set_zone(backend, "America/New_York", csrf).status_code == 200
    assert (
        backend.client.get("/api/v1/kiosk/faq", headers=backend.kiosk_headers).json()["store"]["timezone"]
        == "America/New_York"
    )

    # 02:30 UTC on 1 November is still 31 October in New York: the dashboard files it there.
    event = {
        "event_id": str(uuid.uuid4()),
        "session_id": str(uuid.uuid4()),
        "seq": 0,
        "at": "2026-11-01T02:30:00+00:00",
        "kind": "session_started",
        "data": {"mode": "makeup"},
    }
    r = backend.client.post(
        "/api/v1/kiosk/events",
        json={"events": [event]},
        headers={**backend.kiosk_headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 200, r.text
    engine = make_engine(backend.database_url)
    with make_sessionmaker(engine)() as db:
        day = db.scalar(select(SessionEvent.day).where(SessionEvent.event_id == event["event_id"]))
    engine.dispose()
    assert day == dt.date(2026, 10, 31)


def test_admin_form_edits_the_zone_and_refuses_a_bad_one(sqlite_backend):
    b = sqlite_backend
    csrf = b.sign_in()
    page = b.client.get("/admin/riyadh-01/faq")
    assert 'name="timezone"' in page.text and "Asia/Riyadh" in page.text
    info = b.client.get("/api/v1/kiosk/faq", headers=b.kiosk_headers).json()["store"]
    form = {**info, "timezone": "Nowhere/Land", "csrf_token": csrf}
    assert b.client.post("/admin/riyadh-01/info", data=form, follow_redirects=False).status_code == 422
    form["timezone"] = "Asia/Dubai"
    assert b.client.post("/admin/riyadh-01/info", data=form, follow_redirects=False).status_code == 303
    assert b.client.get("/api/v1/stores").json()[0]["timezone"] == "Asia/Dubai"


def test_kiosks_page_shows_last_seen_in_store_time_and_arabic_names(sqlite_backend):
    b = sqlite_backend
    b.sign_in()
    beat = {"software_version": "1.0", "fps": 30, "camera_state": "lost", "uptime_s": 5}
    assert b.client.post("/api/v1/kiosk/heartbeat", json=beat, headers=b.kiosk_headers).is_success
    engine = make_engine(b.database_url)
    with make_sessionmaker(engine)() as db:
        seen = db.scalar(select(Kiosk.last_seen_at).where(Kiosk.last_seen_at.is_not(None)))
    engine.dispose()
    page = b.client.get("/admin/riyadh-01/kiosks").text
    assert format_datetime(seen, "Asia/Riyadh", "ar") in page
    assert "انقطعت" in page and ">lost<" not in page and ">healthy<" not in page


def test_migration_gives_existing_stores_riyadh_and_reverts(database_url):
    cfg = alembic_config(database_url)
    command.upgrade(cfg, "0003_login_throttle")
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stores (id, name_en, name_ar, currency, hours_en, hours_ar, returns_en,"
                " returns_ar, payment_en, payment_ar, catalogue_version, faq_version, created_at)"
                " VALUES ('old-01', 'Old', 'قديم', 'SAR', '', '', '', '', '', '', 1, 1, :now)"
            ),
            {"now": EVENING_UTC.replace(tzinfo=None)},
        )
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT timezone FROM stores WHERE id = 'old-01'")) == "Asia/Riyadh"
    command.downgrade(cfg, "0003_login_throttle")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT name_en FROM stores WHERE id = 'old-01'")) == "Old"
    engine.dispose()
