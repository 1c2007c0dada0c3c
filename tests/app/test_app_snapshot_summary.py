"""The summary screen shows the photo before it is sent, behind the kiosk's secret, and the
shopper can retake it; what goes with the list is exactly what they saw (the handoff that
sends it is covered by test_app_privacy.py)."""

from __future__ import annotations

import cv2
import httpx
import numpy as np
import pytest

from kiosk.app.photo import EYES_CLOSED
from kiosk.sync.client import MAX_SNAPSHOT_BYTES
from vision.capture import Frame
from vision.face import FaceTracker

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOWN = "document.getElementById('photo').naturalWidth > 0 && !document.getElementById('photo').hidden"


def eyes_open(jpeg: bytes) -> bool:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    with FaceTracker(mode="image", max_faces=1) as tracker:
        faces = tracker.process(Frame(image, 0, 0))
    assert faces, "no face in the photo"
    return max(faces[0].blendshapes["eyeBlinkLeft"], faces[0].blendshapes["eyeBlinkRight"]) < EYES_CLOSED


def test_the_summary_shows_the_photo_retakes_it_and_sends_what_it_showed(page, kiosk):
    page.click("#start-btn")
    page.click("#consent-yes")
    page.wait_for_selector("body[data-phase=makeup]")
    page.click('#kinds .tab[data-kind="lipstick"]')
    page.click('#products [data-product="lip-sahra-velvet"]')
    page.click('#shades .swatch[data-sku="SAH-LIP-01"]')
    page.click("#basket-btn")
    page.click("#summary-btn")
    page.wait_for_selector("body[data-phase=summary]")
    page.wait_for_function(SHOWN, timeout=30_000)
    first = kiosk.api("/api/photo.jpg?round=0")
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    assert eyes_open(first.content)
    assert httpx.get(kiosk.url + "/api/photo.jpg?round=0").status_code == 401  # the per-launch secret only

    page.click("#retake-btn")
    page.wait_for_function("window.__maraya.state.session.photo_round === 1")
    page.wait_for_function(SHOWN, timeout=30_000)
    retaken = kiosk.api("/api/photo.jpg?round=1")
    assert retaken.status_code == 200 and eyes_open(retaken.content)

    # What a handoff with "include my photo" sends is this very picture. (Not sent here: the
    # shared kiosk's privacy tests expect no photo to have left it unless they sent it.)
    session = kiosk.runtime.machine.session
    held = kiosk.runtime.pipeline.snapshot_jpeg(MAX_SNAPSHOT_BYTES, held_round=session.photo_round)
    assert held == retaken.content
    page.click("#end-btn")
    page.wait_for_selector("body[data-phase=attract]")
    assert kiosk.api("/api/photo.jpg?round=1").status_code == 404  # nothing kept past the session
    assert page.locator("#photo").get_attribute("src") is None
