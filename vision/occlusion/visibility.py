"""`Occlusion`: how visible the face is at each pixel, the seam between occluders and `render`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Occlusion:
    """Face visibility over a rectangle of the frame: 1 = face visible, 0 = something in front.

    Only the rectangle an occluder covers is stored (`origin` is its top-left corner in frame
    pixels); everywhere else the face is fully visible, so a hand near the chin costs a small
    array, not a frame-sized one.
    """

    visibility: np.ndarray  # (h, w) float32 in 0..1
    origin: tuple[int, int] = (0, 0)  # x, y of visibility[0, 0] in the frame

    def __post_init__(self) -> None:
        v = self.visibility
        if not isinstance(v, np.ndarray) or v.ndim != 2 or v.dtype != np.float32:
            raise ValueError("Occlusion.visibility must be a 2-D float32 array")

    def over(self, rect: tuple[int, int, int, int]) -> np.ndarray | None:
        """Visibility over frame rectangle `rect` (x0, y0, x1, y1); None where nothing occludes it."""
        x0, y0, x1, y1 = rect
        ox, oy = self.origin
        h, w = self.visibility.shape
        ix0, iy0, ix1, iy1 = max(x0, ox), max(y0, oy), min(x1, ox + w), min(y1, oy + h)
        if ix0 >= ix1 or iy0 >= iy1:
            return None
        out = np.ones((y1 - y0, x1 - x0), np.float32)
        out[iy0 - y0 : iy1 - y0, ix0 - x0 : ix1 - x0] = self.visibility[
            iy0 - oy : iy1 - oy, ix0 - ox : ix1 - ox
        ]
        return out
