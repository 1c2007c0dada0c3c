"""Honest shade matches on the shopper's screen, end to end in headless Chromium: when the store's
foundation shelf has nothing close to the shopper's tone, the kiosk says so in Arabic and in
English, labels the nearest shades for what they are (never "for you"), offers staff, and the
assistant's "what suits me" answer says the same."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from kiosk.backend.catalogue.schemas import ProductIn, ShadeIn
from vision.color import hex_to_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FOUNDATIONS = ("fnd-sahra-skin", "fnd-lumen-serum")
DEEP_L = 45.0  # foundation shades deeper than this leave the shelf


def _put(staff: httpx.Client, store: str, csrf: str, product: dict, keep) -> None:
    body = {k: v for k, v in product.items() if k in ProductIn.model_fields}
    body["shades"] = [
        {k: v for k, v in s.items() if k in ShadeIn.model_fields} for s in product["shades"] if keep(s)
    ]
    staff.put(
        f"/api/v1/stores/{store}/products/{product['id']}", json=body, headers={"X-CSRF-Token": csrf}
    ).raise_for_status()


def _wait_for_catalogue(kiosk, deepest_l: float, shallow: bool) -> None:
    """Until the kiosk has pulled and applied the edited (or restored) catalogue."""
    deadline = time.monotonic() + 30
    while True:
        labs = [s.lab[0] for p in kiosk.runtime.catalogue.by_kind("foundation") for s in p.shades]
        if (min(labs) >= deepest_l) == shallow:
            return
        assert time.monotonic() < deadline, "the kiosk never applied the edited catalogue"
        kiosk.runtime.link.worker.wake()
        time.sleep(0.2)


@pytest.fixture
def shallow_shelf(kiosk, backend) -> Iterator[None]:
    """The store's foundations without their deep shades, restored afterwards."""
    with httpx.Client(base_url=backend.url) as staff:
        login = staff.post(
            "/api/v1/auth/login", json={"email": backend.admin_user, "password": backend.admin_password}
        )
        login.raise_for_status()
        csrf = login.json()["csrf_token"]
        store = backend.store_id
        originals = [staff.get(f"/api/v1/stores/{store}/products/{p}").json() for p in FOUNDATIONS]
        for product in originals:
            _put(staff, store, csrf, product, lambda s: hex_to_lab(s["hex"])[0] >= DEEP_L)
        kiosk.reset()
        _wait_for_catalogue(kiosk, DEEP_L, shallow=True)
        try:
            yield
        finally:
            for product in originals:
                _put(staff, store, csrf, product, lambda s: True)
            kiosk.reset()
            _wait_for_catalogue(kiosk, DEEP_L, shallow=False)


def test_no_close_match_is_said_with_a_staff_offer_in_both_languages(shallow_shelf, page, kiosk):
    page.reload()
    page.wait_for_function("window.__maraya && window.__maraya.state && window.__maraya.stats.drawn > 2")
    page.click("#start-btn")
    page.wait_for_selector("body[data-phase=consent]")
    page.check("#share-tone")
    page.click("#consent-yes")
    page.wait_for_selector("body[data-phase=makeup]")
    page.wait_for_function(
        "window.__maraya.state.session && window.__maraya.state.session.tone", timeout=30_000
    )
    # The shopper sets the deepest tone ("this is how we see your tone — adjust").
    kiosk.command({"cmd": "tone", "mst": 10, "undertone": "neutral"})

    page.wait_for_selector("#shade-note:not([hidden])", timeout=10_000)
    note = page.inner_text("#shade-note")
    assert "لا توجد في المتجر الآن درجة مطابقة" in note and "مزج درجتين" in note
    foundation = page.locator('#recs .rec[data-grade="none"]')
    assert foundation.count() >= 1
    assert "أقرب درجة متوفرة" in foundation.first.inner_text()
    assert "مقترح لك" not in foundation.first.inner_text()

    page.click("#lang-toggle")
    page.wait_for_function("document.documentElement.dir === 'ltr'")
    note = page.inner_text("#shade-note")
    assert "No close match" in note and "mixing two shades" in note
    assert "Nearest we have" in foundation.first.inner_text()
    assert "For you" not in foundation.first.inner_text()

    # The assistant's "what suits me" answer grades the same way.
    page.fill("#ask-input", "which foundation suits me?")
    page.click("#ask-form button")
    page.wait_for_function(
        "document.getElementById('assistant-reply').textContent.includes('no close foundation match')",
        timeout=15_000,
    )
    assert "mix two shades" in page.inner_text("#assistant-reply")

    page.click("#shade-staff")  # the staff offer raises a help request
    page.wait_for_selector("#help-banner:not([hidden])")
    assert kiosk.runtime.machine.session.help is not None
