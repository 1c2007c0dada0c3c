"""The handoff QR must read back to its exact link for any link the backend can issue."""

from __future__ import annotations

import base64
import random

import cv2
import numpy as np

from kiosk.app.qr import qr_png


def test_qr_codes_read_back_to_their_links_at_screen_scale():
    # The page shows the code at up to 360 px (app.css #qr), a non-integer scale of its modules.
    rng = random.Random(7)  # seeded: the same 40 links every run
    for _ in range(40):
        token = base64.urlsafe_b64encode(rng.randbytes(16)).rstrip(b"=").decode()  # token_urlsafe(16)'s shape
        url = f"http://127.0.0.1:{rng.randrange(30000, 65000)}/h/{token}"
        image = cv2.imdecode(np.frombuffer(qr_png(url), np.uint8), cv2.IMREAD_GRAYSCALE)
        shown = cv2.resize(image, (360, 360), interpolation=cv2.INTER_NEAREST)
        assert cv2.QRCodeDetectorAruco().detectAndDecode(shown)[0] == url
