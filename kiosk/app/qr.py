"""QR codes for the handoff, drawn locally (no web service sees the shopper's link)."""

from __future__ import annotations

import cv2
import numpy as np
import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(text: str, module_px: int = 10, border: int = 4) -> bytes:
    """A black-on-white PNG; rendered through OpenCV so no imaging library is needed."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(text)
    code.make(fit=True)
    dark = np.array(code.get_matrix(), dtype=bool)
    image = np.where(dark, 0, 255).astype(np.uint8)
    image = cv2.resize(image, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return buf.tobytes()
