"""A hand's outline at pixel precision, from its 21 landmarks and its own colours.

The landmarks say where the hand is, not where its edge runs: a finger drawn as a fixed-width
stroke either leaves a rim of lipstick on the finger or a gap of bare lip around it. So the
stroke is only trusted in its middle (the *core*); in a band around it each pixel is decided
by colour: a histogram of the hand's own pixels (the core) against one of what surrounds the
hand (a ring just outside: lips, skin, teeth), combined with how far the pixel lies from the
finger's axis. Landmarks on a partly seen hand can miss a finger: the band therefore also
spans the landmarks' outline (where such a finger lies, with a weaker prior), and the ring's
histogram is purged of the hand's own colours, so a missed finger crossing the ring does not
teach "surroundings" what the hand looks like. Lips and fingers differ in colour far more
than the hand differs from itself, which is exactly where the edge matters. A guided filter
then snaps the soft edge to the image's own edges. The histograms are averaged over frames by
the caller, so the decision at a given colour does not flicker from frame to frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# MediaPipe hand landmarks: 0 wrist; thumb 1-4, index 5-8, middle 9-12, ring 13-16, pinky 17-20.
FINGERS = [[0, 1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16], [17, 18, 19, 20]]
PALM = [0, 1, 2, 5, 9, 13, 17]
# Widths as fractions of the hand's size (wrist to middle knuckle, or across the knuckles):
# an adult finger is ~0.18 of it wide. The core stays well inside the finger; the band
# reaches past the widest finger seen from any angle.
CORE_RADIUS = 0.06
BAND_RADIUS = 0.16
RING_PX = 0.06
BINS = (8, 16, 16)  # 8-bit Lab: L coarse (shading varies), a*/b* fine (that is where lips differ)
RING_PURGE_PASSES = 2  # re-weightings of the surroundings' histogram (`colour_model`)
# Between the bones, inside the landmarks' outline, a finger the landmarks missed may lie: the
# prior there does not fall below this, so a hand-coloured pixel is still taken for hand.
HULL_PRIOR = 0.35
# The mask is worked out where the hand is about this many pixels long, then scaled up: a
# close shopper's hand at 720p is ~250 px, and the mask's edge needs no finer steps than
# a pixel at this size (bilinear upscaling keeps it smooth).
WORK_SIZE_PX = 128


def hand_size(points: np.ndarray) -> float:
    """Wrist to middle knuckle, or across the knuckles (whichever foreshortening spares)."""
    return max(
        float(np.linalg.norm(points[9] - points[0])), 1.25 * float(np.linalg.norm(points[17] - points[5]))
    )


def draw_hand(shape: tuple[int, int], points: np.ndarray, radius: float) -> np.ndarray:
    """uint8 0/255 mask of the palm polygon and finger bones drawn `radius` px thick."""
    mask = np.zeros(shape, np.uint8)
    pts = np.round(points).astype(np.int32)
    thickness = max(1, round(2 * radius))
    cv2.fillPoly(mask, [pts[PALM]], 255)
    for finger in FINGERS:
        cv2.polylines(mask, [pts[finger]], False, 255, thickness)
        for p in pts[finger[-2:]]:  # round joints and tips: polylines' joins are not round
            cv2.circle(mask, tuple(int(v) for v in p), max(1, round(radius)), 255, -1)
    if radius > 1:
        mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    return mask


def _grown(shape: tuple[int, int], points: np.ndarray, hull: np.ndarray, radius: float) -> np.ndarray:
    """The hand's bones and its landmarks' convex outline, grown by `radius` px (uint8 0/255):
    drawn, not dilated, since a convex polygon grown by a disc is the polygon plus its border
    drawn that thick, and a morphological dilation by a wide disc costs far more."""
    mask = draw_hand(shape, points, radius)
    cv2.fillConvexPoly(mask, hull, 255)
    cv2.polylines(mask, [hull], True, 255, max(1, round(2 * radius)))
    return mask


def shrink(image: np.ndarray, scale: float) -> tuple[np.ndarray, tuple[int, int]]:
    """`image` resized by about `scale` (≤ 1), and the (width, height) of the part of `image`
    it shows: the top-left corner, all of it but for up to 2^k - 1 last rows and columns.

    Halving by pixel areas is OpenCV's fast path when both sides are even, while an area
    resize by any other factor is ten times slower per input pixel: so the image is cropped to
    a multiple of 2^k and halved k times, while at least a halving is left, and only the rest,
    a factor over 1/2, is an area resize of the already small image. (Bilinear would be cheaper
    still, but aliases: the hand landmarker's input is to be as clean as before.)
    """
    k = 0
    while scale * 2 ** (k + 1) <= 1.0 and min(image.shape[:2]) >= 2 ** (k + 3):
        k += 1
    h, w = (image.shape[0] >> k) << k, (image.shape[1] >> k) << k
    out = image[:h, :w]
    for _ in range(k):
        out = cv2.resize(out, (out.shape[1] // 2, out.shape[0] // 2), interpolation=cv2.INTER_AREA)
    rest = scale * 2**k
    if rest < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        out = cv2.resize(out, size, interpolation=cv2.INTER_AREA)
    return out, (w, h)


@dataclass
class ColourModel:
    """Hand and surroundings colour histograms (normalised, flat over BINS), averaged over frames."""

    hand: np.ndarray
    around: np.ndarray

    def blend(self, other: ColourModel, keep: float) -> ColourModel:
        return ColourModel(
            keep * self.hand + (1 - keep) * other.hand, keep * self.around + (1 - keep) * other.around
        )

    def p_hand(self, bins: np.ndarray) -> np.ndarray:
        """P(hand | colour) for each flat bin index in `bins`, even priors (float32)."""
        h, a = self.hand[bins], self.around[bins]
        return ((h + 1e-4) / (h + a + 2e-4)).astype(np.float32)


def colour_bins(lab8: np.ndarray) -> np.ndarray:
    """Each pixel's flat histogram bin (int32, the height and width of `lab8`)."""
    q = lab8 >> np.array([5, 4, 4], np.uint8)  # 256 / BINS
    return (q[..., 0].astype(np.int32) * BINS[1] + q[..., 1]) * BINS[2] + q[..., 2]


def _hist(bins: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    h = np.bincount(bins, weights, minlength=BINS[0] * BINS[1] * BINS[2])
    return h / max(float(h.sum()), 1e-6)


def colour_model(bins: np.ndarray, core: np.ndarray, ring: np.ndarray) -> ColourModel | None:
    """The hand's colours from its core; the surroundings' from the ring, purged of hand colours.

    When the landmarks miss a finger (a partial hand read wrongly), that finger lies in the
    ring, and a ring taken as it is would teach "surroundings" the hand's own colours. So each
    ring pixel is weighted by how unlike the hand its colour is (a few EM-style passes): lips
    and background keep their weight, a stray finger loses most of it.
    """
    if cv2.countNonZero(core) < 20 or cv2.countNonZero(ring) < 20:
        return None
    ring_bins = bins[ring > 0]
    model = ColourModel(_hist(bins[core > 0]), _hist(ring_bins))
    for _ in range(RING_PURGE_PASSES):
        model = ColourModel(model.hand, _hist(ring_bins, 1.0 - model.p_hand(ring_bins)))
    return model


def hand_coverage(
    image: np.ndarray,
    points: np.ndarray,
    rect: tuple[int, int, int, int],
    previous: ColourModel | None,
    keep: float = 0.7,
) -> tuple[np.ndarray, ColourModel | None]:
    """How much hand covers each pixel of frame rectangle `rect` (float32 0..1), and the colour
    model used (averaged with `previous`, which the caller keeps for the next frame)."""
    x0, y0, x1, y1 = rect
    roi = image[y0:y1, x0:x1]
    full = roi.shape[:2]
    size = hand_size(points)
    roi, (shown_w, shown_h) = shrink(roi, min(1.0, WORK_SIZE_PX / max(size, 1.0)))
    to_work = np.array([roi.shape[1] / shown_w, roi.shape[0] / shown_h], np.float32)
    local = (points - np.array([x0, y0], np.float32)) * to_work
    size *= float(to_work.mean())
    shape = roi.shape[:2]
    r_core, r_band = max(1.0, CORE_RADIUS * size), max(2.0, BAND_RADIUS * size)
    core = draw_hand(shape, local, r_core)
    # The band, and the landmarks' outline reaching as far as the band: where a missed finger
    # would be. Then a ring just outside both.
    hull = cv2.convexHull(np.round(local).astype(np.int32))
    region = _grown(shape, local, hull, r_band)
    ring = _grown(shape, local, hull, r_band + max(1.0, RING_PX * size))
    ring[region > 0] = 0
    hull_mask = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(hull_mask, hull, 255)
    lab8 = cv2.cvtColor(roi, cv2.COLOR_BGR2Lab)
    bins = colour_bins(lab8)
    model = colour_model(bins, core, ring)
    if model is not None and previous is not None:
        model = model.blend(previous, keep)
    elif model is None:
        model = previous
    cover = (core > 0).astype(np.float32)
    undecided = (region > 0) & (core == 0)
    if model is not None and undecided.any():
        colour = model.p_hand(bins[undecided])
        # Distance from the core: the prior falls from 0.9 at the core's edge to 0.1 at the
        # band's, and inside the outline no lower than HULL_PRIOR.
        dist = cv2.distanceTransform(255 - core, cv2.DIST_L2, 3)[undecided]
        prior = np.clip(0.9 - 0.8 * dist / (r_band - r_core), 0.1, 0.9)
        prior = np.where(hull_mask[undecided] > 0, np.maximum(prior, HULL_PRIOR), prior)
        odds = colour / (1 - colour + 1e-6) * prior / (1 - prior)
        cover[undecided] = odds / (1 + odds)
    elif undecided.any():
        cover[undecided] = 0.5
    guide = lab8[:, :, 0]
    radius = max(2, round(0.03 * size))
    cover = cv2.ximgproc.guidedFilter(guide, cover, radius, 40.0)
    cover[region == 0] = 0.0  # nothing is hand outside the region, whatever the filter smeared
    cover[core > 0] = 1.0  # nor is the core's middle of a finger ever anything else
    if cover.shape != full:
        cover = cv2.resize(cover, (shown_w, shown_h), interpolation=cv2.INTER_LINEAR)
        cover = cv2.copyMakeBorder(cover, 0, full[0] - shown_h, 0, full[1] - shown_w, cv2.BORDER_REPLICATE)
    return np.clip(cover, 0.0, 1.0), model
