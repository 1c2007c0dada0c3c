"""Stored HTML injection through a kiosk's name: the dashboard embeds its chart data in a
`<script type=application/json>` block, and a name that closes that block must stay text. Run
in headless Chromium against the real server, because only a browser shows whether the
injected `<meta http-equiv=refresh>` would have been followed."""

from __future__ import annotations

import contextlib
import datetime
import uuid
from pathlib import Path

import httpx
import pytest

EVIL_NAME = "</script><meta http-equiv=refresh content='0;url=/healthz'>"
TEMPLATES = Path(__file__).resolve().parents[2] / "kiosk" / "backend" / "templates"


def test_no_template_marks_data_safe():
    """`|safe` switches autoescaping off; every template value must go through escaping or
    `|tojson` instead, so a new one cannot slip in unnoticed."""
    offenders = [p.name for p in TEMPLATES.glob("*.html") if "|safe" in p.read_text().replace(" ", "")]
    assert offenders == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_kiosk_name_that_closes_the_script_block_stays_text(browser, server):
    from playwright.sync_api import expect

    base, seed = server
    with httpx.Client(base_url=base, timeout=30) as api:
        login = api.post(
            "/api/v1/auth/login", json={"email": seed.admin_email, "password": seed.admin_password}
        )
        assert login.status_code == 200, login.text
        made = api.post(
            "/api/v1/stores/riyadh-01/kiosks",
            json={"name": EVIL_NAME},
            headers={"X-CSRF-Token": login.json()["csrf_token"]},
        )
        assert made.status_code == 201, made.text
        event = {
            "event_id": str(uuid.uuid4()),
            "session_id": str(uuid.uuid4()),
            "seq": 0,
            "at": datetime.datetime.now(datetime.UTC).isoformat(),
            "kind": "session_started",
            "data": {"mode": "makeup"},
        }
        sent = api.post(
            "/api/v1/kiosk/events",
            json={"events": [event]},
            headers={"Authorization": f"Bearer {made.json()['token']}", "Idempotency-Key": str(uuid.uuid4())},
        )
        assert sent.status_code == 200, sent.text

    with contextlib.closing(browser.new_page()) as page:
        page.goto(f"{base}/admin/login")
        page.fill("input[name=email]", seed.admin_email)
        page.fill("input[name=password]", seed.admin_password)
        page.click("#login-form button[type=submit]")
        page.wait_for_url("**/admin/riyadh-01/dashboard")
        # The chart script parses the embedded data; once it has drawn, a meta refresh with a
        # zero delay would long have fired.
        page.wait_for_function("() => window.Chart && Chart.getChart('chart-shades')")
        page.wait_for_timeout(1000)
        assert page.url.endswith("/admin/riyadh-01/dashboard"), page.url
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        expect(page.locator("select[name=kiosk_id] option", has_text="</script>")).to_have_text(EVIL_NAME)
        embedded = page.evaluate("() => JSON.parse(document.getElementById('kpi-data').textContent)")
        assert {"key": EVIL_NAME, "count": 1} in embedded["per_kiosk"]
