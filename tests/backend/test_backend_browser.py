"""The admin pages in headless Chromium (Debian's), against the real `kiosk backend` server:
sign in, edit a product, import a CSV with a bad row and see the error, and see a help request
raised by a kiosk appear live in the queue."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import uuid

import httpx
import pytest


@pytest.mark.browser
@pytest.mark.slow
def test_staff_workflow_in_chromium(browser, server, tmp_path):
    from playwright.sync_api import expect

    base, seed = server
    shots = tmp_path / "shots"
    shots.mkdir()
    with contextlib.closing(browser.new_page(viewport={"width": 1280, "height": 900})) as page:
        errors: list[str] = []
        # Script errors only: the 401/422 answers this test provokes are logged as failed loads.
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        now = datetime.datetime.now(datetime.UTC).isoformat()
        events = [
            {
                "event_id": str(uuid.uuid4()),
                "session_id": str(uuid.uuid4()),
                "seq": 0,
                "at": now,
                "kind": kind,
                "data": data,
            }
            for kind, data in [("session_started", {"mode": "makeup"})] * 3
            + [
                (
                    "product_tried",
                    {"product_id": "lip-sahra-velvet", "shade_sku": f"SAH-LIP-0{i}", "dwell_ms": 3000},
                )
                for i in (1, 1, 2, 3)
            ]
        ]
        r = httpx.post(
            f"{base}/api/v1/kiosk/events",
            json={"events": events},
            headers={"Authorization": f"Bearer {seed.kiosk_token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        assert r.status_code == 200

        page.goto(f"{base}/admin")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")  # Arabic first
        page.fill("input[name=email]", seed.admin_email)
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
        expect(page.locator(".error")).to_be_visible()
        page.fill("input[name=password]", seed.admin_password)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/admin/riyadh-01/dashboard")
        page.wait_for_function("() => window.Chart && Chart.getChart('chart-shades')")
        expect(page.locator("[data-kpi=sessions]")).to_have_text("3")
        page.screenshot(path=str(shots / "dashboard.png"), full_page=True)

        # Edit a product: rename it and change a shade's colour; the swatch follows live.
        page.goto(f"{base}/admin/riyadh-01/catalogue/lip-sahra-velvet")
        page.fill("input[name=name_en]", "Velvet Lipstick (edited)")
        first_hex = page.locator("input[name=shade_hex]").first
        first_hex.fill("#aa1122")
        expect(page.locator("[data-swatch]").first).to_have_attribute(
            "style", "background: rgb(170, 17, 34);"
        )
        page.click("#product-form button.primary")
        expect(page.locator(".ok")).to_be_visible()
        expect(page.locator("input[name=name_en]")).to_have_value("Velvet Lipstick (edited)")
        page.screenshot(path=str(shots / "product.png"), full_page=True)
        page.goto(f"{base}/admin/riyadh-01/catalogue")
        expect(page.locator("tr[data-product=lip-sahra-velvet]")).to_be_visible()

        # Import a CSV with one bad row: nothing imported, the row and column are named.
        csv_text = httpx.get(  # the export, via the API with the browser's session
            f"{base}/api/v1/stores/riyadh-01/catalogue/export.csv",
            cookies={c["name"]: c["value"] for c in page.context.cookies()},
        ).text
        rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
        assert rows[0][0] == "product_id", csv_text[:200]
        rows[2][rows[0].index("finish")] = "glitter"  # spreadsheet row 3
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        bad = tmp_path / "bad.csv"
        bad.write_text(out.getvalue(), encoding="utf-8")
        page.goto(f"{base}/admin/riyadh-01/import")
        page.set_input_files("input[type=file]", str(bad))
        page.click("#import-form button.primary")
        expect(page.locator("#import-errors")).to_be_visible()
        expect(page.locator("#import-errors")).to_contain_text("finish")
        expect(page.locator("#import-errors td").first).to_have_text("3")
        page.screenshot(path=str(shots / "import.png"), full_page=True)

        # The live help queue: a kiosk raises a request and it appears without reloading.
        page.goto(f"{base}/admin/riyadh-01/help")
        expect(page.locator("#help-queue .empty")).to_be_visible()
        r = httpx.post(
            f"{base}/api/v1/kiosk/help-requests",
            json={"session_id": str(uuid.uuid4()), "reason": "shopper", "note": ""},
            headers={"Authorization": f"Bearer {seed.kiosk_token}"},
        )
        assert r.status_code == 201
        item = page.locator(f"[data-help-id='{r.json()['id']}']")
        expect(item).to_be_visible(timeout=10_000)
        page.screenshot(path=str(shots / "help.png"), full_page=True)
        item.locator("button").first.click()  # acknowledge
        expect(item).to_have_class("card help-item acknowledged", timeout=10_000)
    assert not errors, errors
