"""`render(image, faces, look)`: the one entry point that puts a Look on every face.

Per face, only a padded crop around the face is converted to float CIELAB once; every layer
paints into that crop; the crop is converted back once and written only where some layer
touched it, so pixels outside every product region stay bit-identical.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from vision.face import FaceResult
from vision.makeup.effects import EFFECTS
from vision.makeup.look import Look
from vision.makeup.regions import FaceGeometry


def _crop_rect(face: FaceResult, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    pts = face.landmarks
    pad = 0.25 * face.interocular
    h, w = shape
    x0, y0 = np.floor(pts.min(axis=0) - pad).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0) + pad).astype(int)
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


def render(image: np.ndarray, faces: Sequence[FaceResult], look: Look) -> np.ndarray:
    """A new BGR uint8 image with `look` applied to each face; `image` is not modified."""
    out = image.copy()
    if not look.layers:
        return out
    for face in faces:
        if face.interocular < 8:  # too small to place products meaningfully
            continue
        x0, y0, x1, y1 = _crop_rect(face, image.shape[:2])
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        crop = out[y0:y1, x0:x1]
        lab = cv2.cvtColor(np.multiply(crop, 1 / 255, dtype=np.float32), cv2.COLOR_BGR2Lab)
        touched = np.zeros(crop.shape[:2], np.float32)
        geo = FaceGeometry(face.landmarks - np.array([x0, y0], np.float32), crop.shape[:2])
        for layer in look.layers:
            EFFECTS[layer.kind](lab, geo, layer, touched)
        painted = cv2.convertScaleAbs(cv2.cvtColor(lab, cv2.COLOR_Lab2BGR), alpha=255)  # rounds, saturates
        changed = (touched > 1 / 512).view(np.uint8)
        cv2.copyTo(painted, changed, crop)
    return out
