"""Objects in front of the lips that need no model to be seen: whatever covers them is not lip-coloured.

Lips and skin are one colour family: in the CIELAB chroma plane both lie along the skin's own
hue, lips further out or deeper but within a few tens of degrees of it, on deep skin as on
light (on the London portraits 99% of lip pixels lie within 20-62° of the cheeks' hue, the
spread growing on deep skin; ~80° on the darkest, under-exposed Unsplash photo).
A phone, a cup, a straw or a pen is mostly neutral (black, white, grey, metal) or of another
hue. So a lip pixel whose colour leaves that family, and lies far from the colours of the lip
pixels within it, is taken for an object, and only where such pixels form a patch wider
than a lip line: deep-skin lips are two-toned and their darkest corners can be nearly
neutral, but as a few scattered pixels close to the rest of the lips' colours. A colour with
almost no chroma has no hue to judge by (a black phone's faint tint is noise), so it is never
counted into the family. An object found on the lips goes on over the skin around them (a
phone over the cheek and chin, where foundation and blush paint): every pixel of the face
crop outside the family that is connected to it is taken too.

What this cannot see: an object of the skin's own hue (a red cup over red lips), which only a
learned segmentation could tell apart, nor a near-black one over lips that are themselves
nearly neutral (two of the five deep-skin London faces: the phone lies within the lips' own
colours, ΔE2000 p90 ~16 on it with a full look). The colour reference is three patches of plain skin
(both cheeks, the forehead), taking the patch of median chroma: an object held to the mouth
often covers one cheek, rarely two of them.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from vision.color import SRGB_TO_LINEAR_LUT, linear_to_srgb
from vision.light import NEUTRAL, Light
from vision.makeup import regions as R
from vision.makeup.regions import FaceGeometry
from vision.occlusion.visibility import Occlusion

SKIN_PATCHES = (R.RIGHT_CHEEK, R.LEFT_CHEEK, 151)  # 151: mid-forehead
PATCH_RADIUS = 0.08  # of the inter-ocular distance
ALONG_MIN = 0.2  # a lip's chroma along the skin's hue is at least this share of the skin's chroma
HUE_SPREAD_DEG = 60.0  # and its hue within this of the skin's
PATCH = 0.08  # of the inter-ocular distance: the narrowest object; thinner specks are lip texture
FEATHER = 0.025  # of the inter-ocular distance: how far lip products' feathered edges reach outside
OUTLIER_SPREADS = 3.0  # and this many standard deviations (a*, b*, robust) from the lip-like pixels
OUTLIER_MIN = 4.0  # nor closer than this in a*, b* (lips of one flat colour have almost no spread)
MIN_SKIN_CHROMA = 5.0  # below it (a grey-scale picture, a colourless light) colour tells nothing
# Worked out where the inter-ocular distance is at most this many pixels: an object over the
# lips needs no finer steps, and a close shopper's lips at 720p cost a tenth as much.
WORK_IOD_PX = 120


def _lab(bgr: np.ndarray, light: Light = NEUTRAL) -> np.ndarray:
    """True CIELAB (float32) from OpenCV's table-driven 8-bit conversion, of the colours as they
    would be under neutral light: the skin-and-lips family is a fact about reflectances, and a
    coloured lamp (a cool light takes most of deep skin's chroma) would push half the lips out
    of it."""
    if not light.is_neutral:
        bgr = cv2.merge(
            [cv2.LUT(c, _undo_table(g)) for c, g in zip(cv2.split(bgr), light.gains_bgr, strict=True)]
        )
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2Lab).astype(np.float32)
    lab[..., 0] *= 100 / 255
    lab[..., 1:] -= 128
    return lab


@functools.lru_cache(maxsize=16)
def _undo_table(gain: float) -> np.ndarray:
    """sRGB byte -> sRGB byte with one channel's light gain divided out (in linear light)."""
    return np.round(255 * linear_to_srgb(SRGB_TO_LINEAR_LUT / gain)).astype(np.uint8)


def skin_chroma(crop: np.ndarray, geo: FaceGeometry, light: Light = NEUTRAL) -> np.ndarray | None:
    """The skin's (a*, b*): each patch's median, then the patch of median chroma (None where
    no patch falls inside the crop)."""
    r = max(2, round(PATCH_RADIUS * geo.scale))
    medians = []
    for idx in SKIN_PATCHES:
        cx, cy = np.round(geo.pts[idx]).astype(int)
        patch = crop[max(0, cy - r) : max(0, cy + r), max(0, cx - r) : max(0, cx + r)]
        if patch.size:
            medians.append(np.median(_lab(patch, light).reshape(-1, 3)[:, 1:], axis=0))
    if not medians:
        return None
    chroma = [float(np.hypot(*m)) for m in medians]
    return medians[int(np.argsort(chroma)[(len(chroma) - 1) // 2])]


def lip_objects(crop: np.ndarray, geo: FaceGeometry, light: Light = NEUTRAL) -> Occlusion | None:
    """Visibility of the lips (in `crop`'s pixels) where something not lip-coloured covers them;
    None when nothing does. `light`: the frame's light, whose colour is divided out first."""
    skin = skin_chroma(crop, geo, light)
    if skin is None or float(np.hypot(*skin)) < MIN_SKIN_CHROMA:
        return None
    outer = geo.poly(R.LIPS_OUTER)
    h, w = crop.shape[:2]
    pad = 3 + round(FEATHER * geo.scale)
    x0, y0 = np.maximum(np.floor(outer.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(outer.max(axis=0)).astype(int) + pad + 1, (w, h))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    f = min(1.0, WORK_IOD_PX / geo.scale)
    area = crop[y0:y1, x0:x1]
    small = cv2.resize(area, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else area
    origin = np.array([x0, y0], np.float32)
    lips = np.zeros(small.shape[:2], np.uint8)
    outer_px = np.round((outer - origin) * f).astype(np.int32)
    cv2.fillPoly(lips, [outer_px], 255)
    cv2.fillPoly(lips, [np.round((geo.poly(R.LIPS_INNER) - origin) * f).astype(np.int32)], 0)
    inside = lips.copy()
    # The lipstick's feathered edge reaches a little past the outline: so does the search.
    cv2.polylines(lips, [outer_px], True, 255, max(1, round(2 * FEATHER * geo.scale * f)))
    lab = _lab(small, light)
    family = _skin_family(lab, skin)
    # And far from the colours of the lip pixels that are in the family: a coloured light
    # turns deep lips' darkest, least chromatic pixels away from the skin's hue, but leaves
    # them among the lips' colours (deep lips spread widely), while a phone stays far off.
    ab = lab[..., 1:]
    body = ab[(inside > 0) & family]
    if len(body) < 20:  # nothing on the lips looks like lips: no reference to tell an object by
        return None
    centre = np.median(body, axis=0)
    # sigma of a 2-D normal from its median radius (a Rayleigh median is 1.1774 sigma)
    spread = float(np.median(np.linalg.norm(body - centre, axis=1))) / 1.1774
    outlier = np.linalg.norm(ab - centre, axis=2) > max(OUTLIER_SPREADS * spread, OUTLIER_MIN)
    foreign = ((~family) & outlier & (lips > 0)).view(np.uint8)
    k = max(3, 2 * round(PATCH * geo.scale * f / 2) + 1)
    foreign = cv2.morphologyEx(foreign, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    if not foreign.any():
        return None
    # The object goes on past the lips, over the skin, where foundation and blush would paint it:
    # the face crop's pixels outside the skin's colour family that touch it are taken too. Not on
    # the lips themselves, where the lips' own colours (above) have already judged every pixel.
    whole = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else crop
    seeds = np.zeros(whole.shape[:2], np.uint8)
    sx, sy = round(x0 * f), round(y0 * f)
    seeds[sy : sy + foreign.shape[0], sx : sx + foreign.shape[1]] = foreign[
        : whole.shape[0] - sy, : whole.shape[1] - sx
    ]
    on_lips = np.zeros_like(seeds)
    on_lips[sy : sy + lips.shape[0], sx : sx + lips.shape[1]] = lips[
        : whole.shape[0] - sy, : whole.shape[1] - sx
    ]
    apart = (~_skin_family(_lab(whole, light), skin) & (on_lips == 0)).view(np.uint8)
    apart = cv2.morphologyEx(apart, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    _, labels = cv2.connectedComponents(apart | seeds, connectivity=8)
    touching = np.unique(labels[seeds > 0])
    held = np.isin(labels, touching[touching > 0]).view(np.uint8)
    ys, xs = np.nonzero(held)
    bx0, by0, bx1, by1 = max(0, xs.min() - 2), max(0, ys.min() - 2), xs.max() + 3, ys.max() + 3
    # Past the object's anti-aliased edge, then softened so the paint fades out rather than stops.
    hidden = cv2.dilate(held[by0:by1, bx0:bx1], np.ones((3, 3), np.uint8)).astype(np.float32)
    h, w = crop.shape[:2]
    ox, oy = min(w - 1, int(bx0 / f)), min(h - 1, int(by0 / f))
    size = (min(w, round(bx1 / f)) - ox, min(h, round(by1 / f)) - oy)
    if hidden.shape[::-1] != size:
        hidden = cv2.resize(hidden, size, interpolation=cv2.INTER_LINEAR)
    hidden = cv2.GaussianBlur(hidden, (0, 0), 1.0)
    return Occlusion(np.clip(1.0 - hidden * 1.5, 0.0, 1.0).astype(np.float32), (ox, oy))


def _skin_family(lab: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Pixels whose chroma lies along the skin's hue (lips and skin), as a bool mask. A colour
    with less chroma than MIN_SKIN_CHROMA has no hue to speak of (a black phone's is noise and
    JPEG): it is not counted in, and is judged by its distance to the lips' colours alone."""
    chroma = float(np.hypot(*skin))
    u = skin / chroma
    along = lab[..., 1] * u[0] + lab[..., 2] * u[1]
    across = np.abs(lab[..., 2] * u[0] - lab[..., 1] * u[1])
    return (along >= max(ALONG_MIN * chroma, MIN_SKIN_CHROMA)) & (
        across <= along * np.tan(np.radians(HUE_SPREAD_DEG))
    )
