"""The reporting period (kiosk/backend/analytics/dependencies.py): one dependency that every report
asks, so the KPI and shade-gap APIs, their CSVs and the admin pages read and refuse a period alike,
and check the store is one the signed-in person may read."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

REPORTS = (
    "/api/v1/stores/{store}/kpis",
    "/api/v1/stores/{store}/kpis.csv",
    "/api/v1/stores/{store}/shade-gap",
    "/api/v1/stores/{store}/shade-gap.csv",
    "/admin/{store}/dashboard",
    "/admin/{store}/shade-gap",
)


def test_every_report_reads_and_refuses_a_period_alike(sqlite_backend):
    c = sqlite_backend.client
    sqlite_backend.sign_in()
    for report in REPORTS:
        url = report.format(store=sqlite_backend.seed.store_id)
        assert c.get(url).status_code == 200, url
        assert c.get(url, params={"start": "2025-03-01", "end": "2026-03-01"}).status_code == 200, url
        for start, end in (("2026-03-02", "2026-03-01"), ("2025-02-27", "2026-03-01")):  # reversed, 367 days
            r = c.get(url, params={"start": start, "end": end})
            assert r.status_code == 422 and "at most 366 days" in r.text, (url, r.status_code)


def test_the_default_period_is_the_last_30_days_of_the_stores_own_calendar(sqlite_backend):
    c = sqlite_backend.client
    h = {"X-CSRF-Token": sqlite_backend.sign_in()}
    for store, zone in (
        ("east-edge", "Pacific/Kiritimati"),
        ("west-edge", "Pacific/Pago_Pago"),
    ):  # UTC+14, -11
        body = {"id": store, "name_en": store, "name_ar": store, "timezone": zone}
        assert c.post("/api/v1/stores", json=body, headers=h).status_code in (200, 201)
        before = dt.datetime.now(ZoneInfo(zone)).date()
        kpis = c.get(f"/api/v1/stores/{store}/kpis").json()
        after = dt.datetime.now(ZoneInfo(zone)).date()
        end = dt.date.fromisoformat(kpis["end"])
        assert end in (before, after) and dt.date.fromisoformat(kpis["start"]) == end - dt.timedelta(days=29)
    kpis = c.get("/api/v1/stores/east-edge/kpis", params={"end": "2026-03-01"}).json()
    assert (kpis["start"], kpis["end"]) == ("2026-01-31", "2026-03-01")


def test_a_report_of_a_store_one_may_not_read_is_refused_before_its_period_is_read(sqlite_backend):
    c = sqlite_backend.client
    h = {"X-CSRF-Token": sqlite_backend.sign_in()}
    assert c.post(
        "/api/v1/stores", json={"id": "other", "name_en": "o", "name_ar": "o"}, headers=h
    ).is_success
    user = {"email": "clerk@x.sa", "password": "a-long-password", "role": "staff", "stores": ["other"]}
    assert c.post("/api/v1/users", json=user, headers=h).status_code == 201
    clerk = sqlite_backend.new_client()
    sqlite_backend.sign_in(user["email"], user["password"], client=clerk)
    for report in REPORTS:
        url = report.format(store=sqlite_backend.seed.store_id)
        assert clerk.get(url).status_code in (403, 404), url
        assert clerk.get(url, params={"start": "2026-03-02", "end": "2026-03-01"}).status_code in (403, 404)
        assert clerk.get(report.format(store="other")).status_code == 200, url
