"""People in front of furniture: a matte over a furniture layer's box of the camera pixels that
must show through, because a person there stands nearer than the piece.

Per pixel a person hides the furniture when their distance (vision/people.py: where their feet
meet the floor) is smaller than the furniture's (Layer.forward); where the layer draws no
furniture (its floor shadow), a person always shows, since a body in the picture is in front of
the floor behind it. Each person's mask (at the segmentation's resolution) is upsampled to the
box and snapped to the frame's own edges with a guided filter (the mask of a 256-pixel person
model is a few pixels off at 720p; on the composited people of tests/furniture this halves the
furniture pixels wrongly given to a person), then cut by the depth test at full resolution: the
border between a person and a piece in front of them is the piece's exact silhouette, which is
no edge in the camera frame. The matte is smoothed over time so edges do not flicker (an
exponential average, reset when the layer changes).
"""

from __future__ import annotations

import numpy as np

from vision.people import People
from vision.render.composite import Layer

MATTE_SMOOTHING = 0.5  # weight of the previous frame's matte: steadier edges, one frame of lag
EDGE_RADIUS_PX = 8  # guided filter window (frame pixels) and regularisation (of 0..1 grey)
EDGE_EPS = 1e-3


class PeopleOcclusion:
    def __init__(self, smoothing: float = MATTE_SMOOTHING) -> None:
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be within 0..1 (exclusive), not {smoothing}")
        self.smoothing = smoothing
        self._layer: Layer | None = None
        self._scale: float | None = None
        self._maps: tuple[np.ndarray, np.ndarray] | None = None  # box pixel -> segmentation pixel
        self._matte: np.ndarray | None = None

    def reset(self) -> None:
        self._layer = self._maps = self._matte = None

    def keep(self, layer: Layer, people: People, frame_bgr: np.ndarray) -> np.ndarray | None:
        """The `keep` matte for `Layer.apply` over `frame_bgr` (the frame people were found
        in), or None when no person overlaps the layer."""
        import cv2

        x0, y0, w, h = layer.box
        if w == 0 or h == 0:
            return None
        if layer is not self._layer or people.scale != self._scale:
            self._layer, self._scale, self._matte = layer, people.scale, None
            s = people.scale
            jx = ((np.arange(w) + x0 + 0.5) * s - 0.5).astype(np.float32)
            iy = ((np.arange(h) + y0 + 0.5) * s - 0.5).astype(np.float32)
            self._maps = np.meshgrid(jx, iy)
        guide = None
        matte = np.zeros((h, w), np.float32)
        for person in people.persons:
            mask = cv2.remap(person.mask, *self._maps, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            if not (mask > 1 / 256).any():
                continue
            if guide is None:
                guide = cv2.cvtColor(frame_bgr[y0 : y0 + h, x0 : x0 + w], cv2.COLOR_BGR2GRAY)
            mask = cv2.ximgproc.guidedFilter(guide, mask, EDGE_RADIUS_PX, EDGE_EPS * 255.0**2)
            np.maximum(matte, np.where(layer.forward > person.distance_m, mask, 0.0), out=matte)
        if self._matte is not None and self.smoothing > 0:
            matte = self.smoothing * self._matte + (1 - self.smoothing) * matte
        self._matte = matte
        if not (matte > 1 / 256).any():
            return None
        return np.round(np.clip(matte, 0, 1) * 256).astype(np.uint16)[..., None]
