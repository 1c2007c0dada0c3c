"""Where each product goes, from MediaPipe's 478-point face mesh.

Index lists follow MediaPipe's canonical face mesh (the same topology as
`FaceLandmarksConnections`). "Right"/"left" are the subject's own sides. Every region is
built as an anti-aliased, feathered mask on a small rectangle of the face crop (`Region`), so
no work is done on pixels a product cannot touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

LIPS_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185]
LIPS_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191]
RIGHT_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246]
LEFT_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466]
# Upper lid and lower brow edge, each from the inner corner outwards.
RIGHT_UPPER_LID = [133, 173, 157, 158, 159, 160, 161, 246, 33]
LEFT_UPPER_LID = [362, 398, 384, 385, 386, 387, 388, 466, 263]
RIGHT_LOWER_LID = [133, 155, 154, 153, 145, 144, 163, 7, 33]
LEFT_LOWER_LID = [362, 382, 381, 380, 374, 373, 390, 249, 263]
RIGHT_BROW_LOWER = [55, 65, 52, 53, 46]
LEFT_BROW_LOWER = [285, 295, 282, 283, 276]
RIGHT_BROW = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46]
LEFT_BROW = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276]
FACE_OVAL = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
]  # fmt: skip
NOSE_BRIDGE = [168, 6, 197, 195, 5]
RIGHT_CHEEK, LEFT_CHEEK = 205, 425  # cheek apples
RIGHT_CHEEKBONE, LEFT_CHEEKBONE = 116, 345
RIGHT_EAR_JAW, LEFT_EAR_JAW = 132, 361
RIGHT_TEMPLE, LEFT_TEMPLE = 54, 284
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
RIGHT_EYE_INNER, LEFT_EYE_INNER = 133, 362


@dataclass(frozen=True)
class Region:
    """A feathered mask (float32, 0..1) covering rect (x0, y0, x1, y1) of the face crop."""

    rect: tuple[int, int, int, int]
    mask: np.ndarray


def resample(points: np.ndarray, n: int) -> np.ndarray:
    """n points evenly spaced by arc length along a polyline."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    dist = np.concatenate([[0.0], np.cumsum(seg)])
    targets = np.linspace(0.0, dist[-1], n)
    return np.stack([np.interp(targets, dist, points[:, i]) for i in range(2)], axis=1)


def _rect(points: np.ndarray, pad: float, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    h, w = shape
    x0, y0 = np.floor(points.min(axis=0) - pad).astype(int)
    x1, y1 = np.ceil(points.max(axis=0) + pad).astype(int)
    return max(0, x0), max(0, y0), min(w, x1 + 1), min(h, y1 + 1)


_AA_SHIFT = 4  # fillPoly sub-pixel bits: polygons are placed with 1/16 px precision


def _fill(mask: np.ndarray, polygons: list[np.ndarray], origin: tuple[float, float], value: int) -> None:
    # One call per polygon: fillPoly given several at once fills their overlap even-odd
    # (i.e. leaves it empty), and overlapping holes must stay holes.
    for p in polygons:
        scaled = np.round((p - np.asarray(origin, np.float32)) * (1 << _AA_SHIFT)).astype(np.int32)
        cv2.fillPoly(mask, [scaled], value, lineType=cv2.LINE_AA, shift=_AA_SHIFT)


def polygon_region(
    polygons: list[np.ndarray],
    shape: tuple[int, int],
    feather_px: float,
    holes: list[np.ndarray] = (),
    hole_feather_px: float = 0.0,
) -> Region | None:
    """Anti-aliased polygons, feathered by a Gaussian of sigma `feather_px`, minus `holes`.

    Holes are cut *after* feathering (with their own, smaller feather) so that the inner
    mouth or the eye opening stays untouched even where the product mask is blurred.
    """
    allpts = np.concatenate(polygons)
    rect = _rect(allpts, 3 * feather_px + 2, shape)
    x0, y0, x1, y1 = rect
    if x1 <= x0 or y1 <= y0:
        return None
    out = _feathered((y1 - y0, x1 - x0), polygons, (x0, y0), feather_px)
    if len(holes):
        hole = np.zeros(out.shape, np.uint8)
        _fill(hole, list(holes), (x0, y0), 255)
        hole_f = hole.astype(np.float32) * (1 / 255)
        if hole_feather_px > 0.3:
            hole_f = np.maximum(hole_f, _feathered(out.shape, list(holes), (x0, y0), hole_feather_px))
        out *= 1.0 - hole_f
    return Region(rect, out)


def _feathered(
    size: tuple[int, int], polygons: list[np.ndarray], origin: tuple[int, int], sigma: float
) -> np.ndarray:
    """Filled polygons blurred by `sigma`; wide blurs are done at reduced resolution.

    A Gaussian of sigma ≥ 4 px has no detail a 1/f-scale mask cannot carry (f = sigma/2),
    and blurring there costs 1/f² as much, which is most of the makeup budget otherwise.
    """
    h, w = size
    f = max(1, int(sigma // 2)) if sigma >= 4 else 1
    small = np.zeros((-(-h // f), -(-w // f)), np.uint8)
    _fill(small, [p / f for p in polygons], (origin[0] / f, origin[1] / f), 255)
    mask = small.astype(np.float32) * (1 / 255)
    if sigma > 0.3:
        mask = cv2.GaussianBlur(mask, (0, 0), sigma / f)
    if f > 1:
        mask = cv2.resize(mask, (small.shape[1] * f, small.shape[0] * f), interpolation=cv2.INTER_LINEAR)[
            :h, :w
        ]
    return mask


def ellipse_region(
    center: np.ndarray, axes: tuple[float, float], angle_deg: float, shape: tuple[int, int]
) -> Region | None:
    """A soft elliptical blob (Gaussian falloff, zero beyond the ellipse) — blush, contour."""
    ax, ay = max(axes[0], 1.0), max(axes[1], 1.0)
    r = max(ax, ay)
    rect = _rect(np.array([center]), r + 1, shape)
    x0, y0, x1, y1 = rect
    if x1 <= x0 or y1 <= y0:
        return None
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xx - center[0], yy - center[1]
    t = np.radians(angle_deg)
    u = (dx * np.cos(t) + dy * np.sin(t)) / ax
    v = (-dx * np.sin(t) + dy * np.cos(t)) / ay
    d2 = u * u + v * v
    mask = np.exp(-2.5 * d2) * np.clip((1.0 - d2) * 4.0, 0.0, 1.0)  # soft, and exactly 0 outside
    return Region(rect, mask.astype(np.float32))


# Smooth products (a shade shift with no detail of its own: base, powder, contour) are laid
# out where the inter-ocular distance is about this many pixels (`FaceGeometry.coarse`).
SMOOTH_DETAIL_PX = 75


@dataclass(frozen=True)
class FaceGeometry:
    """Landmarks in face-crop pixels plus the few sizes every effect scales with."""

    pts: np.ndarray  # (478, 2) float32
    shape: tuple[int, int]  # crop height, width
    reduce: int = 1  # how many crop pixels one of these pixels spans (`coarse`)

    @cached_property
    def coarse(self) -> FaceGeometry:
        """The same face on a grid `reduce` times coarser, where the inter-ocular distance is
        about SMOOTH_DETAIL_PX: pixel (i, j) there averages crop pixels f·i..f·i+f-1 (and j),
        so the grid covers the crop's top-left (h // f)·f × (w // f)·f pixels exactly."""
        f = max(1, int(self.scale // SMOOTH_DETAIL_PX))
        if f == 1 or self.reduce != 1:
            return self
        pts = ((self.pts + 0.5) / f - 0.5).astype(np.float32)  # pixel centres map to pixel centres
        return FaceGeometry(pts, (self.shape[0] // f, self.shape[1] // f), f)

    @property
    def scale(self) -> float:
        """Inter-ocular distance (outer eye corners), the face's yardstick in pixels."""
        return float(np.linalg.norm(self.pts[LEFT_EYE_OUTER] - self.pts[RIGHT_EYE_OUTER]))

    def poly(self, indices: list[int]) -> np.ndarray:
        return self.pts[indices].astype(np.float32)

    def eye_openings(self) -> list[np.ndarray]:
        return [self.poly(RIGHT_EYE), self.poly(LEFT_EYE)]

    def paintable(self, rect: tuple[int, int, int, int]) -> np.ndarray:
        """0..1 map over `rect` of where any product may paint: inside the face, outside
        the eye openings and the open mouth.

        Every stroke's alpha is multiplied by it, so a blush on a turned head never spills
        onto the background, and nothing ever tints teeth, tongue, sclera or iris.
        """
        face, holes = self._face_and_openings(rect)
        inside = cv2.GaussianBlur(face.astype(np.float32) * (1 / 255), (0, 0), max(0.01 * self.scale, 0.5))
        inside *= face > 0  # the blur softens the edge inward only
        return inside * (1.0 - holes.astype(np.float32) * (1 / 255))

    def open_face(self, rect: tuple[int, int, int, int]) -> np.ndarray:
        """uint8 mask over `rect`, 1 inside the face and outside its openings: what `paintable`
        allows at all, as a hard edge (the pixels a coarse stroke may reach once upscaled)."""
        face, holes = self._face_and_openings(rect)
        return cv2.subtract(face, holes) >> 7

    def _face_and_openings(self, rect: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        x0, y0, x1, y1 = rect
        size = (y1 - y0, x1 - x0)
        # The hull of all landmarks, not FACE_OVAL: on a three-quarter view MediaPipe puts
        # the far side's outline points inside the silhouette, which would cut the far lip.
        face = np.zeros(size, np.uint8)
        _fill(face, [cv2.convexHull(self.pts).reshape(-1, 2)], (x0, y0), 255)
        holes = np.zeros(size, np.uint8)
        _fill(holes, [*self.eye_openings(), self.poly(LIPS_INNER)], (x0, y0), 255)
        # One pixel of margin: an anti-aliased edge pixel just inside an opening would
        # otherwise get a trace of paint (a 1-level change after the round trip through Lab).
        return face, cv2.dilate(holes, np.ones((3, 3), np.uint8))
