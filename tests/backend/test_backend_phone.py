"""The phone page (/h/<token>) the shopper keeps, and the Arabic admin pages, in both languages
(issue 16): local times, bidi-isolated fragments, a photo to save, no external resources, no
English enum left on an Arabic staff page. Browser checks drive Debian's Chromium at 390×844."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import re
import uuid
from pathlib import Path

import cv2
import httpx
import pytest

from catalogue import FINISHES, PRODUCT_KINDS, UNDERTONES
from kiosk.backend.handoff.schemas import MAX_SNAPSHOT_BYTES

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "build" / "screens"
PHONE = {"width": 390, "height": 844}

# Every stored enum a staff page could show; none may appear on an Arabic page outside an
# isolated left-to-right fragment (product ids, SKUs, e-mails, brands).
ENUMS = {
    *PRODUCT_KINDS,
    *FINISHES,
    *UNDERTONES,
    *("healthy", "stale", "down", "revoked", "never-seen", "ok", "lost", "none"),
    *("admin", "manager", "staff", "open", "acknowledged", "resolved", "shopper", "assistant"),
}


def look_photo() -> bytes:
    """A real portrait (tests/data, see PROVENANCE.md) as the kiosk would send it."""
    image = cv2.imread(str(ROOT / "tests/data/pexels_smile.jpg"))
    scale = 640 / max(image.shape[:2])
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok and len(jpeg) <= MAX_SNAPSHOT_BYTES
    return jpeg.tobytes()


def make_look(post, kiosk_headers: dict) -> dict:
    body = {
        "session_id": str(uuid.uuid4()),
        "items": [
            {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01"},
            {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-02"},
        ],
        "snapshot_jpeg_b64": base64.b64encode(look_photo()).decode(),
    }
    r = post("/api/v1/kiosk/handoffs", json=body, headers=kiosk_headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_phone_page_is_local_isolated_and_self_contained(sqlite_backend):
    b = sqlite_backend
    csrf = b.sign_in()
    info = b.client.get("/api/v1/kiosk/faq", headers=b.kiosk_headers).json()["store"]
    info |= {"hours_ar": "يومياً 10 ص – 11 م", "hours_en": "Daily 10 am – 11 pm"}
    assert b.client.put("/api/v1/stores/riyadh-01/info", json=info, headers={"X-CSRF-Token": csrf}).is_success
    look = make_look(b.client.post, b.kiosk_headers)
    expires = dt.datetime.fromisoformat(look["expires_at"]).astimezone(dt.timezone(dt.timedelta(hours=3)))

    ar = b.client.get(look["url"], params={"lang": "ar"}).text
    en = b.client.get(look["url"], params={"lang": "en"}).text
    assert "UTC" not in ar and "UTC" not in en  # the old page's wording
    assert f'<bdi class="when">{expires.day} ' in ar and f"{expires:%H:%M}</bdi>" in ar
    months_ar = re.search(r'<bdi class="when">\d+ (\S+) ', ar).group(1)
    assert re.fullmatch("[\u0600-\u06ff]+", months_ar), months_ar  # an Arabic month name
    assert f'<bdi class="when">{expires.day} {expires:%B %Y}, {expires:%H:%M}</bdi>' in en
    assert f'<bdi dir="ltr">{look["code"]}</bdi>' in ar and '<bdi dir="ltr">SAH-LIP-01</bdi>' in ar
    assert "يومياً 10 ص" in ar and "Daily 10 am" in en
    for page in (ar, en):
        assert 'download="maraya-look.jpg"' in page
        # Light and private: nothing loaded from anywhere but this server.
        assert not re.search(r'(src|href)="(https?:)?//', page), "external resource on the phone page"
    saved = b.client.get(look["url"] + "/snapshot.jpg", params={"download": 1})
    assert (
        saved.headers["content-disposition"].startswith("attachment") and saved.content[:3] == b"\xff\xd8\xff"
    )
    assert "content-disposition" not in b.client.get(look["url"] + "/snapshot.jpg").headers


def arabic_page_text(page) -> str:
    """What an Arabic reader sees as running text: isolated LTR fragments left out."""
    return page.evaluate(
        """() => { const c = document.body.cloneNode(true);
        c.querySelectorAll('bdi, [dir=ltr], script, style, option:not(:checked)').forEach(e => e.remove());
        c.querySelectorAll('select').forEach(s => { const o = s.querySelector('option[selected]');
          s.replaceWith(o ? o.textContent : ''); });
        return c.innerText; }"""
    )


def english_enums(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z][A-Za-z_\-]*", text) if w.lower() in ENUMS}


@pytest.mark.browser
@pytest.mark.slow
def test_phone_page_and_arabic_admin_in_chromium(browser, server):
    from playwright.sync_api import expect

    base, seed = server
    SCREENS.mkdir(parents=True, exist_ok=True)
    kiosk = {"Authorization": f"Bearer {seed.kiosk_token}"}
    with httpx.Client(base_url=base) as http:
        look = make_look(http.post, kiosk)
        beat = {"software_version": "1.0", "fps": 29.5, "camera_state": "ok", "uptime_s": 60}
        assert http.post("/api/v1/kiosk/heartbeat", json=beat, headers=kiosk).is_success
        help_body = {"session_id": str(uuid.uuid4()), "reason": "shopper"}
        assert http.post("/api/v1/kiosk/help-requests", json=help_body, headers=kiosk).status_code == 201

    errors: list[str] = []
    with contextlib.closing(browser.new_page(viewport=PHONE, device_scale_factor=2)) as page:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
        for lang in ("ar", "en"):
            page.goto(f"{base}{look['url']}?lang={lang}")
            expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
            expect(page.locator("img.snapshot")).to_be_visible()
            assert page.evaluate("document.querySelector('img.snapshot').naturalWidth") > 0
            expect(page.locator("#save-photo")).to_be_visible()
            # Fits the phone: nothing wider than the screen, no sideways scrolling.
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            page.screenshot(path=str(SCREENS / f"phone-{lang}.png"), full_page=True)
        assert not outside, outside

    with contextlib.closing(browser.new_page(viewport={"width": 1280, "height": 900})) as page:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/admin")
        page.fill("input[name=email]", seed.admin_email)
        page.fill("input[name=password]", seed.admin_password)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard**")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        pages = {
            "catalogue": "/admin/riyadh-01/catalogue",
            "dashboard": "/admin/riyadh-01/dashboard",
            "users": "/admin/users",
            "kiosks": "/admin/riyadh-01/kiosks",
            "help": "/admin/riyadh-01/help",
        }
        for name, path in pages.items():
            page.goto(base + path)
            if name == "help":
                expect(page.locator(".help-item")).to_be_visible(timeout=10_000)
            if name in ("catalogue", "dashboard"):
                page.screenshot(path=str(SCREENS / f"admin-{name}-ar.png"), full_page=True)
            assert not english_enums(arabic_page_text(page)), (name, english_enums(arabic_page_text(page)))
        assert "أحمر الخدود" in page.goto(base + "/admin/riyadh-01/catalogue").text()
    assert not errors, errors
