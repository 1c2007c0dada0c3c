"""The shopper's journey in headless Chromium against a running kiosk (demo clip) and backend."""

from __future__ import annotations

import time

import cv2
import httpx
import numpy as np
import pytest

from kiosk.app.framehub import FLAG_ANALYSED, FLAG_LOOK, unpack

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def start_makeup(page) -> None:
    page.click("#start-btn")
    page.wait_for_selector("body[data-phase=consent]")
    page.click("#consent-yes")
    page.wait_for_selector("body[data-phase=makeup]")
    page.wait_for_selector("#shades .swatch")


def put_on(page, sku: str) -> None:
    """Tap through kind → product → swatch, as a shopper would."""
    kind, product = {
        "SAH-LIP-01": ("lipstick", "lip-sahra-velvet"),
        "SAH-LIP-04": ("lipstick", "lip-sahra-velvet"),
        "SAH-BLU-02": ("blush", "blu-sahra-cheek"),
    }[sku]
    page.click(f'#kinds .tab[data-kind="{kind}"]')
    page.click(f'#products [data-product="{product}"]')
    page.click(f'#shades .swatch[data-sku="{sku}"]')
    page.wait_for_selector(f'#shades .swatch.active[data-sku="{sku}"]')


def record_frames(page) -> list[tuple[int, int, bytes]]:
    """Every binary frame the page receives, as (seq, flags, jpeg)."""
    frames: list[tuple[int, int, bytes]] = []

    def on_socket(ws) -> None:
        def on_frame(payload) -> None:
            if isinstance(payload, bytes):
                seq, flags, _, jpeg = unpack(payload)
                frames.append((seq, flags, jpeg))

        ws.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    return frames


def lip_and_background(jpeg: bytes, lips: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Mean CIELAB inside the (slightly shrunk) outer lip polygon, and of a background patch."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    lab = cv2.cvtColor(image.astype(np.float32) / 255, cv2.COLOR_BGR2Lab)
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(np.array(lips)).astype(np.int32)], 255)
    mask = cv2.erode(mask, np.ones((3, 3), np.uint8))
    h, w = mask.shape
    background = lab[: h // 8, w - w // 8 :].reshape(-1, 3)  # top corner: the wall behind her
    return lab[mask > 0].mean(axis=0), background.mean(axis=0)


def _lips_in_view(info: dict | None) -> bool:
    """The debug ring's record of a frame says its lips were found and not covered (the demo
    shopper puts a hand over her mouth for a while)."""
    return info is not None and info["lips"] is not None and info["lips_visible"] >= 0.9


def test_tapping_a_shade_changes_the_streamed_lips(page, kiosk):
    frames = record_frames(page)
    page.reload()  # reconnect so the socket is observed from its first frame
    page.wait_for_function("window.__maraya.stats.drawn > 2")
    start_makeup(page)
    # Before the tap, wait for enough analysed frames with the lips in view (not a fixed time:
    # on a loaded machine the tracker takes a while to warm up).
    debug: dict[int, dict] = {}
    for _ in range(40):
        page.wait_for_timeout(500)
        debug.update({f["seq"]: f for f in kiosk.api("/api/debug/frames").json()["frames"]})
        bare = [seq for seq, flags, _ in frames if flags & FLAG_ANALYSED and _lips_in_view(debug.get(seq))]
        if len(bare) >= 10:
            break
    tapped_at = len(frames)
    put_on(page, "SAH-LIP-01")  # Royal Red, matte
    # The demo shopper puts a hand over her mouth for a while: wait for painted frames where
    # the lips show (the debug ring holds only the last few seconds, so keep what it held).
    for _ in range(40):
        page.wait_for_timeout(500)
        debug.update({f["seq"]: f for f in kiosk.api("/api/debug/frames").json()["frames"]})
        shown = [f for f in debug.values() if f["look"] and _lips_in_view(f)]
        if len(shown) >= 10:
            break

    before, after = [], []
    for i, (seq, flags, jpeg) in enumerate(frames):
        info = debug.get(seq)
        if info is None or info["lips"] is None or not flags & FLAG_ANALYSED:
            continue
        if info["lips_visible"] < 0.9:  # the demo shopper's hand is over her mouth: no paint there
            continue
        (after if flags & FLAG_LOOK else before if i < tapped_at else []).append(
            lip_and_background(jpeg, info["lips"])
        )
    assert len(before) >= 5 and len(after) >= 5, (len(before), len(after))
    lips_before = np.median([b[0] for b in before], axis=0)
    lips_after = np.median([a[0] for a in after], axis=0)
    wall_before = np.median([b[1] for b in before], axis=0)
    wall_after = np.median([a[1] for a in after], axis=0)
    # Royal Red (#9e1b32, L* 35 a* 55) on natural lips: much redder and darker.
    assert lips_after[1] - lips_before[1] > 10, (lips_before, lips_after)
    assert lips_after[0] < lips_before[0]
    assert np.abs(wall_after - wall_before).max() < 3  # the rest of the picture is untouched
    # The look arrives with the first frames after the tap: no frame after the first painted one
    # comes back unpainted.
    seqs_after_tap = [(seq, flags) for seq, flags, _ in frames[tapped_at:] if flags & FLAG_ANALYSED]
    first_painted = next(i for i, (_, flags) in enumerate(seqs_after_tap) if flags & FLAG_LOOK)
    assert all(flags & FLAG_LOOK for _, flags in seqs_after_tap[first_painted:])


def test_language_toggle_flips_the_layout(page):
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert page.inner_text("#start-btn") == "بدء التجربة"
    page.click("#lang-toggle")
    page.wait_for_function("document.documentElement.dir === 'ltr'")
    assert html.get_attribute("lang") == "en"
    assert page.inner_text("#start-btn") == "Touch to start"
    assert page.inner_text("#lang-toggle") == "العربية"
    page.click("#lang-toggle")
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.inner_text("#start-btn") == "بدء التجربة"


def test_idle_timeout_returns_to_attract_and_forgets_the_shopper(page, kiosk):
    machine = kiosk.runtime.machine
    assert page.input_value("#intensity") == "80"  # where the kiosk's config says a shade goes on
    start_makeup(page)
    page.click("#lang-toggle")
    put_on(page, "SAH-LIP-04")
    page.evaluate("window.__maraya.send({cmd: 'intensity', kind: 'lipstick', value: 0.3})")
    page.wait_for_function("document.getElementById('intensity').value === '30'")
    page.click("#basket-btn")
    page.wait_for_function("document.getElementById('basket-count').textContent === '1'")
    first_session = machine.session.id
    saved = machine.idle_timeout_ms
    machine.idle_timeout_ms = 2000
    try:
        page.wait_for_selector("body[data-phase=attract]", timeout=15_000)
    finally:
        machine.idle_timeout_ms = saved
    assert machine.session is None
    assert page.locator("html").get_attribute("dir") == "rtl"  # back to the default language
    start_makeup(page)
    state = page.evaluate("window.__maraya.state")
    assert state["session"]["id"] != first_session
    assert state["session"]["selections"] == {} and state["session"]["basket"] == []
    assert page.locator("#shades .swatch.active").count() == 0
    assert page.inner_text("#basket-count") == "0"
    assert not page.is_checked("#share-tone")
    assert page.input_value("#intensity") == "80"


def test_handoff_qr_opens_a_page_listing_the_chosen_shades(page, kiosk):
    start_makeup(page)
    put_on(page, "SAH-LIP-01")
    page.click("#basket-btn")
    put_on(page, "SAH-BLU-02")
    page.click("#basket-btn")
    page.wait_for_function("document.getElementById('basket-count').textContent === '2'")
    page.click("#summary-btn")
    page.wait_for_selector("body[data-phase=summary]")
    assert page.locator("#summary-items li").count() == 2
    page.click("#handoff-btn")
    page.wait_for_function("document.getElementById('qr').naturalWidth > 0", timeout=15_000)
    # Decode the code as the phone would see it: from the screen. OpenCV's classic QRCodeDetector
    # misreads about 7% of clean, random codes (it failed CI once); the ArUco-based one read 300/300.
    shot = page.locator("#qr").screenshot()
    image = cv2.imdecode(np.frombuffer(shot, np.uint8), cv2.IMREAD_GRAYSCALE)
    url, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    assert url.startswith(kiosk.runtime.settings.backend_url + "/h/"), url
    listing = httpx.get(url)
    assert listing.status_code == 200
    for sku, name_ar in (("SAH-LIP-01", "أحمر ملكي"), ("SAH-BLU-02", "وردي")):
        assert sku in listing.text and name_ar in listing.text
    # No photo was asked for: none went to the backend.
    handoffs = [s for s in kiosk.recorder.snapshot() if s.path.endswith("/handoffs")]
    assert handoffs and b'"snapshot_jpeg_b64":null' in handoffs[-1].body.replace(b" ", b"")


def test_call_staff_raises_a_help_request_and_shows_the_answer(page, kiosk, backend):
    page.click("#help-btn")  # from the attract screen: always available
    page.wait_for_selector("#help-banner:not([hidden])")
    deadline = time.monotonic() + 10
    while kiosk.runtime.machine.session.help is None or kiosk.runtime.machine.session.help.id is None:
        assert time.monotonic() < deadline, "the help request never reached the backend"
        time.sleep(0.1)
    help_id = kiosk.runtime.machine.session.help.id
    with httpx.Client(base_url=backend.url) as staff:
        login = staff.post(
            "/api/v1/auth/login", json={"email": backend.admin_user, "password": backend.admin_password}
        )
        login.raise_for_status()
        csrf = login.json()["csrf_token"]
        queue = staff.get(f"/api/v1/stores/{backend.store_id}/help-requests").json()
        assert [h["status"] for h in queue if h["id"] == help_id] == ["open"]
        staff.post(
            f"/api/v1/stores/{backend.store_id}/help-requests/{help_id}/acknowledge",
            headers={"X-CSRF-Token": csrf},
        ).raise_for_status()
    page.wait_for_selector("#help-banner[data-status=acknowledged]", timeout=10_000)
    assert "في الطريق" in page.inner_text("#help-banner")


def ask(page, question: str) -> str:
    """Type a question into the assistant panel; returns the caption that answers it."""
    before = page.inner_text("#assistant-reply")
    page.fill("#ask-input", question)
    page.click("#ask-form button")
    page.wait_for_function(
        "(b) => { const t = document.getElementById('assistant-reply').textContent; return t && t !== b; }",
        arg=before,
        timeout=15_000,
    )
    return page.inner_text("#assistant-reply")


def test_assistant_replies_are_captioned_and_spoken_and_the_shopper_can_mute_them(page, kiosk):
    speaker = kiosk.runtime.speaker
    start_makeup(page)
    assert page.is_visible("#speech-row")
    caption = ask(page, "كم سعر الروج الأحمر؟")
    assert "ريال" in caption or "SAR" in caption, caption
    assert speaker.wait_idle(20)
    spoken = speaker.spoken[-1]
    assert spoken.text == caption and spoken.lang == "ar" and spoken.path.stat().st_size > 1000

    heard = len(speaker.spoken)
    page.click("#mute-btn")
    page.wait_for_function("(window.__maraya.state.session.speech || {}).muted === true")
    assert speaker.muted
    ask(page, "where can I find the blush?")
    assert speaker.wait_idle(20)
    assert len(speaker.spoken) == heard  # captioned, not spoken

    # The next shopper starts with the kiosk's defaults, not this shopper's mute.
    page.click("#end-btn")
    page.wait_for_selector("body[data-phase=attract]")
    assert not speaker.muted
    assert speaker.volume == kiosk.runtime.settings.speech_volume


def staff_help_queue(backend) -> list[dict]:
    with httpx.Client(base_url=backend.url) as staff:
        staff.post(
            "/api/v1/auth/login", json={"email": backend.admin_user, "password": backend.admin_password}
        ).raise_for_status()
        return staff.get(f"/api/v1/stores/{backend.store_id}/help-requests").json()


def test_asking_the_assistant_for_a_person_reaches_the_staff_queue(page, kiosk, backend):
    start_makeup(page)
    before = {h["id"] for h in staff_help_queue(backend)}
    ask(page, "أبغى أكلم موظف لو سمحت")  # "I'd like to talk to a member of staff, please"
    page.wait_for_selector("#help-banner:not([hidden])", timeout=15_000)
    deadline = time.monotonic() + 15
    while True:
        new = [h for h in staff_help_queue(backend) if h["id"] not in before]
        if new:
            break
        assert time.monotonic() < deadline, "the assistant's escalation never reached the staff queue"
        time.sleep(0.3)
    assert new[0]["reason"] == "assistant" and new[0]["status"] == "open"
