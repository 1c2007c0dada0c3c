"""The shade-gap report on SQLite and PostgreSQL: per Monk group and undertone, the best in-stock
foundation's ΔE2000, and the opted-in shoppers whose tone had no close match; it follows a stock
edit at once, and its CSV export is formula-safe."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import uuid

import httpx
import pytest

from kiosk.backend.catalogue.schemas import ProductIn, ShadeIn
from vision.color import hex_to_lab

STORE = "/api/v1/stores/riyadh-01"
FOUNDATIONS = ("fnd-sahra-skin", "fnd-lumen-serum")


def send_tones(b, tones: list[list[tuple[int, str]]]) -> None:
    """One kiosk session per inner list, each recording those skin_tone events in order."""
    now = dt.datetime.now(dt.UTC).isoformat()
    events = []
    for session in tones:
        sid = str(uuid.uuid4())
        for seq, (mst, tone) in enumerate(session):
            data = {"mst": mst, "undertone": tone}
            events.append({"event_id": str(uuid.uuid4()), "session_id": sid, "seq": seq, "at": now,
                           "kind": "skin_tone", "data": data})  # fmt: skip
    r = b.client.post(
        "/api/v1/kiosk/events",
        json={"events": events},
        headers={**b.kiosk_headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 200, r.text


def edit_shades(b, csrf: str, product_id: str, keep, prefix: str = "") -> None:
    """PUT the product back with only the shades `keep(shade)` accepts, English names prefixed."""
    out = b.client.get(f"{STORE}/products/{product_id}").json()
    body = {k: v for k, v in out.items() if k in ProductIn.model_fields}
    body["shades"] = [
        {**{k: v for k, v in s.items() if k in ShadeIn.model_fields}, "name_en": prefix + s["name_en"]}
        for s in out["shades"]
        if keep(s)
    ]
    r = b.client.put(f"{STORE}/products/{product_id}", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text


def cells(report: dict) -> dict[tuple[int, str], dict]:
    return {(c["mst"], c["undertone"]): c for c in report["cells"]}


def test_report_grades_every_monk_group_and_follows_a_stock_edit(backend):
    csrf = backend.sign_in()
    send_tones(backend, [[(10, "warm")], [(10, "cool"), (10, "warm")], [(2, "neutral")], [(9, "neutral")]])

    before = backend.client.get(f"{STORE}/shade-gap").json()
    assert len(before["cells"]) == 30 and before["shoppers"] == 4
    assert all(c["best_sku"] and c["delta_e"] is not None for c in before["cells"])
    assert cells(before)[(10, "warm")]["shoppers"] == 2  # the corrected session counts once, as warm
    assert cells(before)[(10, "cool")]["shoppers"] == 0
    deep_before = cells(before)[(10, "neutral")]["delta_e"]

    for product_id in FOUNDATIONS:  # the deep shades leave the shelf
        edit_shades(backend, csrf, product_id, lambda s: hex_to_lab(s["hex"])[0] >= 45)
    after = backend.client.get(f"{STORE}/shade-gap").json()
    for mst in (9, 10):
        for tone in ("warm", "neutral", "cool"):
            assert cells(after)[(mst, tone)]["grade"] == "none"
    assert cells(after)[(10, "neutral")]["delta_e"] > deep_before
    unmatched = sum(c["shoppers"] for c in after["cells"] if c["grade"] != "close")
    assert after["shoppers_without_close_match"] == unmatched >= 3  # MST 9 and 10 shoppers
    assert after["in_stock_shades"] < before["in_stock_shades"]


def test_report_counts_only_the_chosen_period_and_checks_its_input(backend):
    backend.sign_in()
    send_tones(backend, [[(8, "warm")]])
    today = dt.datetime.now(dt.UTC).date()
    last_year = today - dt.timedelta(days=400)
    old = backend.client.get(f"{STORE}/shade-gap", params={"start": last_year, "end": last_year}).json()
    assert old["shoppers"] == 0
    assert backend.client.get(f"{STORE}/shade-gap", params={"kind": "lipstick"}).status_code == 422
    conceal = backend.client.get(f"{STORE}/shade-gap", params={"kind": "concealer"}).json()
    assert conceal["kind"] == "concealer" and conceal["shoppers"] == 1


def test_csv_export_is_formula_safe(backend):
    csrf = backend.sign_in()
    edit_shades(backend, csrf, "fnd-sahra-skin", lambda s: True, prefix="=HYPERLINK(1)")
    edit_shades(backend, csrf, "fnd-lumen-serum", lambda s: False)
    r = backend.client.get(f"{STORE}/shade-gap.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["mst", "undertone", "best_sku"]
    assert all(row[3].startswith("'=HYPERLINK(1)") for row in rows[1:31])  # every best is renamed
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


@pytest.mark.browser
@pytest.mark.slow
def test_shade_gap_page_shows_the_gap_after_the_deep_shades_leave(browser, server):
    from playwright.sync_api import expect

    base, seed = server
    with contextlib.closing(browser.new_page(viewport={"width": 1280, "height": 900})) as page:
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        now = dt.datetime.now(dt.UTC).isoformat()
        tone = {"mst": 10, "undertone": "neutral"}
        events = [{"event_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()), "seq": 0, "at": now,
                   "kind": "skin_tone", "data": tone} for _ in range(3)]  # fmt: skip
        r = httpx.post(
            f"{base}/api/v1/kiosk/events",
            json={"events": events},
            headers={"Authorization": f"Bearer {seed.kiosk_token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        assert r.status_code == 200, r.text

        page.goto(f"{base}/admin/login")
        page.fill("input[name=email]", seed.admin_email)
        page.fill("input[name=password]", seed.admin_password)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/admin/riyadh-01/dashboard")
        page.click("a[href='/admin/riyadh-01/shade-gap']")  # from the nav, in Arabic
        page.wait_for_url("**/admin/riyadh-01/shade-gap")
        expect(page.locator("h1")).to_have_text("فجوة الدرجات")
        expect(page.locator("[data-kpi=shoppers]")).to_have_text("3")
        expect(page.locator("td[data-cell='10-neutral']")).not_to_have_attribute("data-grade", "none")
        expect(page.locator("[data-kpi=unmatched]")).to_have_text("0")

        # A manager removes the deep foundation shades (the product edit page, as staff do).
        client = httpx.Client(base_url=base, cookies={c["name"]: c["value"] for c in page.context.cookies()})
        csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
        for product_id in FOUNDATIONS:
            out = client.get(f"{STORE}/products/{product_id}").json()
            body = {k: v for k, v in out.items() if k in ProductIn.model_fields}
            body["shades"] = [
                {k: v for k, v in s.items() if k in ShadeIn.model_fields}
                for s in out["shades"]
                if hex_to_lab(s["hex"])[0] >= 45
            ]
            client.put(
                f"{STORE}/products/{product_id}", json=body, headers={"X-CSRF-Token": csrf}
            ).raise_for_status()

        page.reload()
        cell = page.locator("td[data-cell='10-neutral']")
        expect(cell).to_have_attribute("data-grade", "none")
        expect(cell).to_contain_text("لا توجد درجة مطابقة")
        expect(page.locator("rect[data-cell='10-neutral']")).to_have_attribute("data-grade", "none")
        expect(page.locator("[data-kpi=unmatched]")).to_have_text("3")

        page.goto(f"{base}/admin/lang/en?next=/admin/riyadh-01/shade-gap")
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        expect(page.locator("h1")).to_have_text("Shade gap")
        expect(page.locator("td[data-cell='10-neutral']")).to_contain_text("No close match")
        expect(page.locator("td[data-cell='10-neutral']")).to_contain_text("3 shoppers")
        assert errors == []
