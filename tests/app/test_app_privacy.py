"""Privacy at the kiosk: declining consent means no face analysis at all and nothing about the
face recorded; nothing the kiosk sends to the backend carries image data unless the shopper
ticked "include my photo"."""

from __future__ import annotations

import base64
import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JPEG_MAGIC = b"\xff\xd8\xff"
JPEG_B64_PREFIX = base64.b64encode(JPEG_MAGIC)[:4]  # "/9j/"


def sent_events(kiosk, session_id: str) -> list[dict]:
    events = []
    for sent in kiosk.recorder.snapshot():
        if sent.path.endswith("/events"):
            events += [e for e in json.loads(sent.body)["events"] if e["session_id"] == session_id]
    return events


def assert_no_image_data(kiosk, allowed_paths: tuple[str, ...] = ()) -> None:
    for sent in kiosk.recorder.snapshot():
        if sent.path.endswith(allowed_paths) and allowed_paths:
            continue
        assert JPEG_MAGIC not in sent.body, sent.path
        assert JPEG_B64_PREFIX not in sent.body, sent.path
        assert b"landmark" not in sent.body.lower(), sent.path


def test_declining_consent_runs_no_face_analysis_and_records_nothing_about_the_face(page, kiosk):
    pipeline = kiosk.runtime.pipeline
    page.click("#start-btn")
    page.click("#consent-no")
    page.wait_for_selector("body[data-phase=mirror]")
    session_id = kiosk.runtime.machine.session.id
    calls = pipeline.tracker_calls
    drawn = page.evaluate("window.__maraya.stats.drawn")
    page.wait_for_timeout(2500)
    assert page.evaluate("window.__maraya.stats.drawn") > drawn + 20  # the mirror keeps streaming
    assert pipeline.tracker_calls == calls  # …and the face tracker was never called
    debug = kiosk.api("/api/debug/frames").json()["frames"]
    assert debug and not any(f["analysed"] or f["lips"] for f in debug)
    assert kiosk.runtime.machine.snapshot()["session"]["tone"] is None
    page.click("#end-btn")
    page.wait_for_selector("body[data-phase=attract]")
    kiosk.flush_events()
    kinds = [e["kind"] for e in sent_events(kiosk, session_id)]
    assert kinds == ["consent_declined", "session_started", "session_ended"]
    assert sent_events(kiosk, session_id)[1]["data"] == {"mode": "none"}
    assert_no_image_data(kiosk)


def test_a_snapshot_leaves_the_kiosk_only_when_the_shopper_ticks_include_my_photo(page, kiosk):
    for include_photo in (False, True):
        page.click("#start-btn")
        page.click("#consent-yes")
        page.wait_for_selector("body[data-phase=makeup]")
        page.click("#shades .swatch >> nth=0")
        page.wait_for_selector("#shades .swatch.active")
        page.click("#summary-btn")
        if include_photo:
            page.check("#include-photo")
        page.click("#handoff-btn")
        page.wait_for_function("document.getElementById('qr').naturalWidth > 0", timeout=15_000)
        handoff = json.loads([s for s in kiosk.recorder.snapshot() if s.path.endswith("/handoffs")][-1].body)
        if include_photo:
            photo = base64.b64decode(handoff["snapshot_jpeg_b64"])
            assert photo.startswith(JPEG_MAGIC) and len(photo) <= 300 * 1024
        else:
            assert handoff["snapshot_jpeg_b64"] is None
            assert_no_image_data(kiosk)
        page.click("#end-btn")
        page.wait_for_selector("body[data-phase=attract]")
    kiosk.flush_events()
    assert_no_image_data(kiosk, allowed_paths=("/handoffs",))


def test_the_assistant_answers_and_the_shoppers_words_never_leave_the_kiosk(page, kiosk):
    question = "كم سعر أحمر الشفاه الأحمر الملكي؟"
    page.click("#start-btn")
    page.click("#consent-yes")
    page.wait_for_selector("body[data-phase=makeup]")
    session_id = kiosk.runtime.machine.session.id
    page.fill("#ask-input", question)
    page.click("#ask-form button")
    page.wait_for_function(
        "document.getElementById('assistant-reply').textContent.length > 0", timeout=20_000
    )
    assert "99" in page.inner_text("#assistant-reply")  # the price, from the catalogue
    page.click("#end-btn")
    page.wait_for_selector("body[data-phase=attract]")
    assert page.inner_text("#assistant-reply") == ""  # the next shopper does not see it
    kiosk.flush_events()
    asked = [e for e in sent_events(kiosk, session_id) if e["kind"] == "assistant_question"]
    assert asked and asked[0]["data"]["intent"] == "price" and asked[0]["data"]["lang"] == "ar"
    words = "أحمر الشفاه الأحمر"
    for sent in kiosk.recorder.snapshot():  # neither as UTF-8 nor as JSON \u escapes
        for form in (words.encode(), json.dumps(words)[1:-1].encode()):
            assert form not in sent.body
