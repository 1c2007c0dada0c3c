"""The whites of the eyes: the one sampler of the sclera, read by skin tone and by the store light.

Colour and level are read from different parts of the visible sclera (both eyes pooled, so the
more open eye, showing more white, counts more).

Colour: the 50th-85th brightness percentiles, above the lashes and the lid shadow, below the
glints (the lamp's mirror image on the wet eye) and the first pixels to clip. Lid shadow is
neutral (the chroma of the whites does not move when a smile shades them: measured on the
London pairs), so this broad band keeps its many pixels, which small eyes need (4:2:0 colour).

Level: from the part of the sclera the lids do not shade (issue 11). A smile or a squint
narrows the eyes; lids and lashes shade what is left of the sclera, whose middle then reads
up to half as bright, the correction brightens the face and the skin comes out 10-20 L*
lighter. Shading only ever takes light away, and the lids' shadow is a margin along them
whose area hardly changes as the lids close, so its share of the visible sclera grows as the
eye narrows: half of an open eye's (openness 1, where the 50th percentile always began), so
0.5 / openness in general. The level is read from the same part of the unshaded rest as on an
open eye (its dimmer 70%: 50th-85th there), never from the top 5%, where the glints and their
rims are (a median 3% of the visible sclera over the London and committed faces), and never
below the 50th percentile, where the lashes and the iris's dark rim are however wide the eye.
On the London neutral/smiling pairs this took ΔE2000 from median 2.16 / p90 9.11 / max 10.62
to 1.97 / 2.72 / 3.64.

Why not leave out what clips instead of a top percentile: a glint that clips in one exposure
does not in a darker one, so the white would move with the exposure, and skin tone must not.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.color import CLIPPED_LINEAR, SRGB_TO_LINEAR_LUT

RIGHT_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246]
LEFT_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466]
# (eye outline, iris centre, iris ring) per eye: MediaPipe's refined iris landmarks.
_EYES = ((RIGHT_EYE, 468, [469, 470, 471, 472]), (LEFT_EYE, 473, [474, 475, 476, 477]))

# Linear level (BGR) of unshaded sclera under neutral, well-exposed light. Sclera is not a
# calibrated white: this sets where skin lands on the absolute L* scale (vision.skin), and was
# chosen so that studio portraits with a known exposure land near their
# spectrophotometer-typical skin L* (see the note on issue 2); an open eye is read exactly as
# it was then. Sclera is slightly yellow, so its level is too, else every face would be
# "corrected" towards blue and read as cooler than it is.
SCLERA_LEVEL = np.array([0.33, 0.40, 0.43])
COLOUR_BAND = (50.0, 85.0)  # brightness percentiles of the visible sclera its colour is read from
OPEN_EYE_SHADED = 0.5  # share of an open eye's visible sclera in the lids' shadow
UNSHADED_READ = 0.7  # share of the unshaded part read for the level, from its dim end
GLINTS = 0.05  # the brightest share of the visible sclera, never read
MIN_PIXELS = 30  # fewer visible sclera pixels than this: the eyes are taken as closed or hidden


@dataclass(frozen=True)
class Sclera:
    """One frame's whites of the eyes."""

    pixels: np.ndarray  # BGR uint8 rows: the COLOUR_BAND of the visible sclera
    bright: np.ndarray  # BGR uint8 rows: the unshaded part its level is read from (level_band)
    openness: float  # visible sclera over the iris discs: ~1 for an open eye, 0 when shut

    def linear_white(self) -> np.ndarray:
        """The white (linear BGR): the colour of `pixels` at the brightness of `bright`."""
        colour = SRGB_TO_LINEAR_LUT[self.pixels].mean(axis=0)
        level = float(SRGB_TO_LINEAR_LUT[self.bright].mean())
        return colour * (level / max(float(colour.mean()), 1e-6))

    @property
    def clipped(self) -> bool:
        """More than 30% of the level's pixels clip: it cannot say how bright the light is."""
        return bool((SRGB_TO_LINEAR_LUT[self.bright].max(axis=1) >= CLIPPED_LINEAR).mean() > 0.3)


def level_band(openness: float) -> tuple[float, float]:
    """Brightness percentiles of the visible sclera its level is read from (see the module's
    docstring): (50, 85) for an open eye or a wider one, rising as the eye narrows, to
    (83.3, 95) at most."""
    top = 1.0 - GLINTS
    most_shaded = (top - UNSHADED_READ) / (1.0 - UNSHADED_READ)  # the band then ends at `top`
    shaded = min(OPEN_EYE_SHADED / min(max(openness, 1e-6), 1.0), most_shaded)
    return 100.0 * shaded, 100.0 * (shaded + UNSHADED_READ * (1.0 - shaded))


def _polygon_mask(shape: tuple[int, int], poly: np.ndarray) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 255)
    return mask


def sample_sclera(image: np.ndarray, pts: np.ndarray) -> Sclera:
    """The whites of both eyes in `image` (BGR uint8) from MediaPipe's 478 landmarks `pts`.

    Visible sclera: each eye opening shrunk by 15% towards its centre (off the lid margins and
    lashes) minus the iris disc widened by 20% (its dark limbus).

    Openness: the whole opening minus the iris disc, over the iris disc area. An open adult eye
    (fissure about 10 x 30 mm, iris 11.7 mm across) shows about as much sclera as iris, so this
    is ~1 for an open eye and falls to 0 as the lids close; the iris is the same physical size
    on every face, so the ratio does not depend on the distance to the camera.
    """
    rows, opening_area, iris_area = [], 0, 0.0
    for eye, iris_centre, iris_ring in _EYES:
        poly = pts[eye]
        x0, y0 = np.maximum(np.floor(poly.min(axis=0)).astype(int), 0)
        x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 1
        crop = image[y0:y1, x0:x1]
        if crop.size == 0:
            continue
        origin = np.array([x0, y0], np.float32)
        radius = float(np.linalg.norm(pts[iris_ring] - pts[iris_centre], axis=1).mean())
        c = np.rint(pts[iris_centre] - origin).astype(int)
        centre = (int(c[0]), int(c[1]))
        opening = _polygon_mask(crop.shape[:2], poly - origin)
        cv2.circle(opening, centre, int(np.ceil(radius)), 0, -1)
        opening_area += int(np.count_nonzero(opening))
        iris_area += np.pi * radius**2
        centroid = poly.mean(axis=0)
        mask = _polygon_mask(crop.shape[:2], centroid + (poly - centroid) * 0.85 - origin)
        cv2.circle(mask, centre, int(np.ceil(radius * 1.2)), 0, -1)
        rows.append(crop[mask > 0])
    openness = opening_area / iris_area if iris_area > 0 else 0.0
    pix = np.concatenate(rows) if rows else np.zeros((0, 3), np.uint8)
    if len(pix) < MIN_PIXELS:
        return Sclera(pix[:0], pix[:0], 0.0)
    brightness = pix.astype(np.int32).sum(axis=1)

    def band(lo_hi: tuple[float, float]) -> np.ndarray:
        lo, hi = np.percentile(brightness, lo_hi)
        return pix[(brightness >= lo) & (brightness <= hi)]

    return Sclera(band(COLOUR_BAND), band(level_band(openness)), openness)
