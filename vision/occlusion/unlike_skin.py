"""What lies in front of the skin and is unlike it (a glasses rim, a strand of hair), for skin products.

Foundation, concealer, powders, highlighter and eyeshadow colour the skin, and brow colour the
brows; painted over a black rim or a dark strand they make it look dyed (which products:
`catalogue.kinds.KindSpec.off_unlike_skin`). Both are told from the face's own skin,
in two ways that shading leaves alone (a shadow scales the light, not its colour):

- *much darker than the skin around it*: each pixel's luminance (linear light) against the
  local skin's, which is the luminance with every dark thing narrower than CLOSE (a rim, a
  strand, a crease) closed over. A black rim is a fifth of it or less; bare skin, even in a
  crease or under deep-skin eyes, stays above about half of it (on the London portraits
  99.5 % of the face outside its own dark features, below);
- *dimmer, and of a colour no shadow on this skin has*: the chromaticity (r, g, b shares of
  linear light, which shading does not change) far from the skin's (median of three patches:
  cheeks and forehead). Deep skin and a dark-brown strand can be equally dark, but the strand
  is far more saturated than even the skin's own shadows.

The face's own dark features are where the landmarks say: lashes around the eye openings,
brows, nostrils and the lip line are dark against the skin just as a rim is, and the skin
products' regions reach their edges (eyeshadow up to the lashes). There a pixel is taken only
where something found outside them crosses them: found above and below, or left and right,
within BRIDGE (a strand over the eye, a rim over the brow), not a lash or a nostril alone.

Everything is worked out on a grid a whole number of times coarser than the frame, where the
inter-ocular distance is at most WORK_IOD_PX (a ninth of the pixels of a close shopper's 720p
face); it is a function of the frame alone, so it cannot drift from frame to frame beyond
what the frame itself does; the visibility is softened over a pixel or two, so the paint
fades out at an edge.

What it cannot see: an object of the skin's own colour and brightness (blond hair on light
skin, a skin-toned frame); real lashes and brows under a skin product stay painted. Real
facial hair is hidden like a strand (a moustache is not skin).
"""

from __future__ import annotations

import cv2
import numpy as np

from vision.color import SRGB_TO_LINEAR_LUT
from vision.makeup import regions as R
from vision.makeup.regions import FaceGeometry
from vision.occlusion.visibility import Occlusion

WORK_IOD_PX = 120  # at most: everything is judged on a grid a whole number of times coarser
REF_IOD_PX = 60  # the local skin's luminance needs no finer grid
CLOSE = 0.14  # of the IOD: wider than a rim (0.05) or strands side by side, narrower than a cheek
RATIO_LO, RATIO_HI = 0.17, 0.3  # luminance / local skin's: surely not skin .. maybe not
DIM_LO, DIM_HI = 0.55, 0.7  # dim enough for its colour to count
DIST_LO, DIST_HI = 0.17, 0.23  # chromaticity distance to the skin's: maybe .. surely not skin
SKIN_PATCHES = (R.RIGHT_CHEEK, R.LEFT_CHEEK, 151)  # 151: mid-forehead
PATCH_RADIUS = 0.08  # of the IOD
# The face's own dark features, as bands (of the IOD) around their landmark outlines.
LASH_BAND = 0.07
BROW_BAND = 0.015
LIP_BAND = 0.04
NOSE_BAND = 0.04
NOSTRILS = [1, 48, 64, 98, 2, 327, 294, 278]  # tip, alar and subnasal points around both nostrils
BRIDGE = 0.3  # of the IOD: across an eye and its lashes
BRIDGE_WIDTH = 0.06  # of the IOD: a strand's slant over that length
EDGE_GAIN = 1.5  # visibility 0 from two thirds of `hidden` on, so anti-aliased edges go too

_LUMA = np.array([[0.0722, 0.7152, 0.2126]], np.float32)  # BGR, linear light


def unlike_skin(crop: np.ndarray, geo: FaceGeometry, seen: np.ndarray | None = None) -> Occlusion | None:
    """Visibility of the skin over the face crop (BGR uint8; `geo` in its pixels): 0 where
    something unlike the skin is in front of it. None when no skin patch lies in the crop.
    `seen`: the face's visibility through what else is known to be in front of it (a hand),
    over the whole crop; that is not taken for the skin beside it."""
    if not isinstance(crop, np.ndarray) or crop.dtype != np.uint8 or crop.ndim != 3 or crop.shape[2] != 3:
        raise ValueError("unlike_skin needs a BGR uint8 image (h, w, 3)")
    n = max(1, int(np.ceil(geo.scale / WORK_IOD_PX)))
    h, w = crop.shape[0] // n, crop.shape[1] // n
    # Each n×n block's mean (what INTER_AREA gives), as a box filter sampled at the blocks'
    # centres: OpenCV's area reduction has a fast path for 2× only, this is a third of its cost.
    small = np.ascontiguousarray(cv2.blur(crop, (n, n))[n // 2 :: n, n // 2 :: n][:h, :w]) if n > 1 else crop
    f = 1 / n
    pts = (geo.pts + 0.5) * f - 0.5
    lin = cv2.LUT(small, SRGB_TO_LINEAR_LUT)
    luma = cv2.transform(lin, _LUMA)
    total = cv2.transform(lin, np.ones((1, 3), np.float32))
    shares = lin / np.maximum(total, 1e-4)[..., None]
    skin = _skin_shares(shares, pts, geo.scale * f)
    if skin is None:
        return None
    hand = None
    if seen is not None:
        hand = seen[n // 2 :: n, n // 2 :: n][:h, :w] < 0.5
    ratio = cv2.divide(luma, np.maximum(_local_skin(luma, pts, geo.scale * f, hand), 1e-4))
    diff = cv2.subtract(shares, (*skin.tolist(), 0.0))
    dist = cv2.sqrt(cv2.transform(cv2.multiply(diff, diff), np.ones((1, 3), np.float32)))
    dark = _ramp(ratio, RATIO_HI, RATIO_LO)
    off = np.minimum(_ramp(ratio, DIM_HI, DIM_LO), _ramp(dist, DIST_LO, DIST_HI))
    hidden = np.maximum(dark, off)
    hidden = _spare_own_features(hidden, pts, geo.scale * f)
    hidden = cv2.dilate(hidden, np.ones((3, 3), np.uint8))  # past the object's anti-aliased edge
    hidden = cv2.GaussianBlur(hidden, (0, 0), 0.7)
    # In 8 bits (1/255 steps are invisible in a paint's strength) the upscale is a fraction of
    # a float one; it covers the crop's top-left n·h × n·w pixels, the rest stays visible.
    # (convertScaleAbs takes |·|: `hidden` is capped where visibility reaches 0, not past it.)
    visible = cv2.convertScaleAbs(np.minimum(hidden, 1 / EDGE_GAIN), alpha=-255 * EDGE_GAIN, beta=255)
    if n > 1:
        visible = cv2.resize(visible, (w * n, h * n), interpolation=cv2.INTER_LINEAR)
    return Occlusion(visible.astype(np.float32) * np.float32(1 / 255), (0, 0))


def _ramp(x: np.ndarray, zero: float, one: float) -> np.ndarray:
    """0 at `zero`, 1 at `one`, linear between and clipped (either order)."""
    return np.clip((x - np.float32(zero)) * np.float32(1 / (one - zero)), 0, 1)


def _skin_shares(shares: np.ndarray, pts: np.ndarray, iod: float) -> np.ndarray | None:
    """The skin's chromaticity: the median of the cheek and forehead patches' means (an
    object over one patch moves it little)."""
    r = max(2, round(PATCH_RADIUS * iod))
    means = []
    for idx in SKIN_PATCHES:
        cx, cy = np.round(pts[idx]).astype(int)
        patch = shares[max(0, cy - r) : max(0, cy + r), max(0, cx - r) : max(0, cx + r)]
        if patch.size:
            means.append(np.median(patch.reshape(-1, 3), axis=0))
    return np.median(np.array(means, np.float32), axis=0) if means else None


def _local_skin(luma: np.ndarray, pts: np.ndarray, iod: float, hand: np.ndarray | None) -> np.ndarray:
    """The skin's luminance around each pixel: a morphological closing (every dark thing
    narrower than CLOSE filled in from the skin beside it), inside the face only and off the
    `hand` (bool, `luma`'s grid), so neither the bright wall behind a cheek nor a pale finger
    is taken for the skin (deep skin between two pale fingers was taken for a dark strand)."""
    g = min(1.0, REF_IOD_PX / iod)
    ref = cv2.resize(luma, None, fx=g, fy=g, interpolation=cv2.INTER_AREA) if g < 1 else luma.copy()
    face = np.zeros(ref.shape, np.uint8)
    cv2.fillPoly(face, [np.round(cv2.convexHull((pts + 0.5) * g - 0.5)).astype(np.int32).reshape(-1, 2)], 1)
    if hand is not None:
        off = cv2.resize(hand.view(np.uint8), ref.shape[::-1], interpolation=cv2.INTER_NEAREST)
        face[off > 0] = 0
    ref[face == 0] = 0
    k = max(3, 2 * round(CLOSE * iod * g / 2) + 1)
    ref = cv2.morphologyEx(ref, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return cv2.resize(ref, luma.shape[::-1], interpolation=cv2.INTER_LINEAR) if g < 1 else ref


def _own_features(shape: tuple[int, int], pts: np.ndarray, iod: float) -> np.ndarray:
    """uint8 mask of the eye openings with their lashes, the brows, the nostrils and the lips."""
    mask = np.zeros(shape, np.uint8)

    def outline(poly: np.ndarray, band: float) -> None:
        p = np.round(poly).astype(np.int32)
        cv2.fillPoly(mask, [p], 1)
        cv2.polylines(mask, [p], True, 1, max(1, round(2 * band * iod)))

    for eye in (R.RIGHT_EYE, R.LEFT_EYE):
        outline(pts[eye], LASH_BAND)
    for brow in (R.RIGHT_BROW, R.LEFT_BROW):
        outline(pts[brow], BROW_BAND)
    outline(pts[R.LIPS_OUTER], LIP_BAND)
    outline(cv2.convexHull(pts[NOSTRILS]).reshape(-1, 2), NOSE_BAND)
    return mask


def _spare_own_features(hidden: np.ndarray, pts: np.ndarray, iod: float) -> np.ndarray:
    """`hidden`, kept on the face's own dark features only where something found outside
    them reaches in from both sides."""
    own = _own_features(hidden.shape, pts, iod)
    outside = hidden.copy()
    outside[own > 0] = 0
    length, width = round(BRIDGE * iod), max(1, round(BRIDGE_WIDTH * iod))
    # Dilating with a one-sided kernel spreads what lies on that side: both sides must agree.
    tall, wide = np.ones((length + 1, width), np.uint8), np.ones((width, length + 1), np.uint8)
    above = cv2.dilate(outside, tall, anchor=(width // 2, length))
    below = cv2.dilate(outside, tall, anchor=(width // 2, 0))
    left = cv2.dilate(outside, wide, anchor=(length, width // 2))
    right = cv2.dilate(outside, wide, anchor=(0, width // 2))
    across = np.maximum(np.minimum(above, below), np.minimum(left, right))
    return np.where(own > 0, np.minimum(hidden, across), hidden)
