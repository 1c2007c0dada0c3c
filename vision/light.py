"""The store's light as the camera sees it: one estimate per frame, shared by makeup and skin tone.

A light is per-channel gains on linear RGB: what this light and this camera do to a surface's
reflectance (neutral = 1, 1, 1; a dim corner < 1; warm light lifts red and lowers blue). The
renderer multiplies each catalogue shade by them, so a lipstick in a dim corner looks dim as
a real one would, instead of glowing like a sticker; skin tone divides them out.

Where the gains come from, best first:
- a reference in view (`LightReference`: a grey card or any fixed matte patch of the store,
  recorded by `kiosk calibrate light` under the store's normal light): exact, exposure and
  colour, because the same patch is compared with itself;
- the whites of the eyes (`vision.sclera`, the one sampler skin tone reads too): lit by the
  same light as the face and near-neutral on every skin tone, but their brightness varies
  about 2.5× between people under one studio light (eye opening, lid shadow), so without a
  reference they tell the light's *colour* only, never its exposure;
- grey world over the frame when the eyes are closed or hidden: colour only, less trusted.

`measure_light` is one frame's raw reading, all of it (what skin tone needs to divide out);
`LightEstimator` turns the readings into what the renderer should trust: a colour reading's
known uncertainty is taken off (so ordinary light reads as neutral and the catalogue colour is
painted bit for bit), and readings are smoothed over time so a passing shadow does not pump
the colours.
"""

from __future__ import annotations

import contextlib
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from vision.color import (
    REFERENCE_GRAY,
    SRGB_TO_LINEAR_LUT,
    hex_to_rgb,
    linear_to_srgb,
    rgb_to_lab,
    srgb_to_linear,
)
from vision.face import FaceResult
from vision.sclera import SCLERA_LEVEL, sample_sclera

# How far a colour-only reading can be off under neutral light, in natural-log gain per
# channel: people's sclera differ in yellowness by about ±8%, and grey world is at the mercy
# of whatever colours the store and the shopper wear. Only the part of a reading beyond this
# is believed, so ordinary light reads exactly neutral and a strong cast is followed.
COLOUR_UNCERTAINTY = {"sclera": 0.10, "grey_world": 0.20}
# Camera streams and JPEGs carry colour at half resolution (4:2:0), so the whites of small eyes
# (a face far from the camera) take colour from the lids and skin around them. Below this many
# sampled pixels the uncertainty grows as 1/sqrt(pixels), the way a mean's error does.
SCLERA_FULL_TRUST_PIXELS = 64
# A colour-only reading that puts one channel at more than twice another is taken for a failed
# reading (red, shadowed or tiny eyes; an old print's dye fade), not for a lamp: it is ignored.
MAX_COLOUR_RATIO = 2.0
# Smoothing: the median of the last MEDIAN_WINDOW_MS of readings ignores a shadow passing
# for less than half that; the exponential follow-up turns a real change of light into a
# fade rather than a step.
MEDIAN_WINDOW_MS = 1500.0
FOLLOW_TAU_MS = 700.0


class LightError(ValueError):
    """A light reference cannot be used (empty or off-frame rectangle, a black or clipped card)."""


@dataclass(frozen=True)
class LightReference:
    """A matte patch fixed in the camera's view, and its linear BGR level under normal light."""

    rect: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels
    level: tuple[float, float, float] = (REFERENCE_GRAY,) * 3

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = self.rect
        if x0 < 0 or y0 < 0 or x1 - x0 < 4 or y1 - y0 < 4:
            raise LightError(f"reference rect {self.rect} must be x0,y0,x1,y1 with at least 4×4 pixels")
        if min(self.level) <= 0.005 or max(self.level) > 1.0:
            raise LightError(f"reference level {self.level} must be linear values in (0.005, 1]")

    def read(self, image: np.ndarray) -> np.ndarray:
        """Mean linear BGR of the patch in `image`; LightError if it is off-frame or clipped."""
        x0, y0, x1, y1 = self.rect
        h, w = image.shape[:2]
        if x1 > w or y1 > h:
            raise LightError(f"reference rect {self.rect} lies outside the {w}×{h} frame")
        patch = image[y0:y1, x0:x1].reshape(-1, 3)
        if (patch.max(axis=1) >= 250).mean() > 0.05:
            raise LightError("the reference patch is clipped (over-exposed): it cannot measure the light")
        return SRGB_TO_LINEAR_LUT[patch].mean(axis=0)

    @classmethod
    def record(cls, image: np.ndarray, rect: tuple[int, int, int, int]) -> LightReference:
        """The patch at `rect`, with its level as this frame shows it (the store's normal light)."""
        level = cls(rect).read(image)
        return cls(rect, tuple(round(float(v), 5) for v in level))


@dataclass(frozen=True)
class Light:
    """Per-channel gains on linear light (BGR, like the frames)."""

    gains_bgr: tuple[float, float, float] = (1.0, 1.0, 1.0)

    def __post_init__(self) -> None:
        if len(self.gains_bgr) != 3 or not all(np.isfinite(g) and g > 0 for g in self.gains_bgr):
            raise LightError(f"light gains must be three positive numbers, got {self.gains_bgr}")
        object.__setattr__(self, "gains_bgr", tuple(float(g) for g in self.gains_bgr))  # a list, ints

    @property
    def is_neutral(self) -> bool:
        return self.gains_bgr == (1.0, 1.0, 1.0)

    def shade_lab(self, hex_colour: str) -> np.ndarray:
        """CIELAB of a catalogue shade as this light and camera show it (clipped like a camera)."""
        rgb = np.array(hex_to_rgb(hex_colour), np.float64)
        if not self.is_neutral:
            lin = srgb_to_linear(rgb / 255.0) * np.asarray(self.gains_bgr[::-1])
            rgb = linear_to_srgb(lin) * 255.0
        return rgb_to_lab(rgb).astype(np.float32)

    def white_lab(self) -> np.ndarray:
        """CIELAB of a white surface under this light: how bright and what colour shine can be."""
        if self.is_neutral:
            return np.array([100.0, 0.0, 0.0], np.float32)
        return rgb_to_lab(linear_to_srgb(np.asarray(self.gains_bgr[::-1])) * 255.0).astype(np.float32)


NEUTRAL = Light()


@dataclass(frozen=True)
class LightSample:
    """One frame's raw reading of the light and what it was read from."""

    gains_bgr: tuple[float, float, float]
    source: str  # reference | sclera | grey_world
    pixels: int  # how many pixels it was read from


def measure_light(
    image: np.ndarray, face: FaceResult | None, reference: LightReference | None = None
) -> LightSample:
    """One frame's light: from the reference if any, else the eye whites, else grey world.

    A reference that cannot be read in this frame (a lamp clipping it, a frame of another
    size) is passed over for the eyes rather than stopping the try-on.
    """
    if reference is not None:
        with contextlib.suppress(LightError):
            x0, y0, x1, y1 = reference.rect
            gains = reference.read(image) / np.asarray(reference.level)
            return _sample(gains, "reference", (x1 - x0) * (y1 - y0))
    if face is not None:
        whites = sample_sclera(image, face.landmarks)
        if len(whites.pixels) >= 12:
            return _sample(whites.linear_white() / SCLERA_LEVEL, "sclera", len(whites.pixels))
    pix = image[::4, ::4].reshape(-1, 3)
    return _sample(SRGB_TO_LINEAR_LUT[pix].mean(axis=0) / REFERENCE_GRAY, "grey_world", len(pix))


def _sample(gains: np.ndarray, source: str, pixels: int) -> LightSample:
    g = np.maximum(gains, 1e-3)
    return LightSample((float(g[0]), float(g[1]), float(g[2])), source, pixels)


def trusted_log_gains(sample: LightSample) -> np.ndarray | None:
    """The part of a reading the renderer may believe, as natural-log gains (BGR); None: none.

    A reference is exact. A colour-only source loses its exposure (its brightness says more
    about the eye than the light) and, per channel, its known uncertainty: a soft threshold,
    continuous, so a light drifting across it never makes the colours jump.
    """
    log = np.log(np.asarray(sample.gains_bgr))
    if sample.source == "reference":
        return log
    if max(sample.gains_bgr) > MAX_COLOUR_RATIO * min(sample.gains_bgr):
        return None
    log -= log.mean()
    band = COLOUR_UNCERTAINTY[sample.source]
    if sample.source == "sclera":
        band *= max(1.0, np.sqrt(SCLERA_FULL_TRUST_PIXELS / sample.pixels))
    return np.sign(log) * np.maximum(np.abs(log) - band, 0.0)


class LightEstimator:
    """One light estimate per frame, smoothed over time; the kiosk keeps one per camera."""

    def __init__(self, reference: LightReference | None = None) -> None:
        self.reference = reference
        self.reset()

    def reset(self) -> None:
        """Forget the readings (a new shopper: the eye whites are theirs, not the last one's)."""
        self._recent: deque[tuple[float, np.ndarray]] = deque()
        self._log: np.ndarray | None = None
        self._t_ms: float | None = None

    @property
    def current(self) -> Light:
        # Within 0.1% of neutral is neutral: the catalogue colours, bit for bit.
        if self._log is None or np.abs(self._log).max() < 1e-3:
            return NEUTRAL
        g = np.exp(self._log)
        return Light((float(g[0]), float(g[1]), float(g[2])))

    def update(self, image: np.ndarray, face: FaceResult | None, t_ms: float) -> Light:
        """Read this frame's light and return the smoothed estimate to render it with."""
        if self._t_ms is not None and t_ms < self._t_ms:  # a new clip or a looped video
            self.reset()
        if face is None and self.reference is None:  # nothing to read the light from but the room
            return self.current
        reading = trusted_log_gains(measure_light(image, face, self.reference))
        if reading is None:
            return self.current
        self._recent.append((t_ms, reading))
        while self._recent[0][0] < t_ms - MEDIAN_WINDOW_MS:
            self._recent.popleft()
        target = np.median(np.array([r for _, r in self._recent]), axis=0)
        if self._log is None or self._t_ms is None:
            self._log = target
        else:
            a = 1.0 - np.exp(-(t_ms - self._t_ms) / FOLLOW_TAU_MS)
            self._log = self._log + a * (target - self._log)
        self._t_ms = t_ms
        return self.current


def find_grey_card(image: np.ndarray) -> tuple[int, int, int, int]:
    """The rect of a grey card in view: the largest flat, neutral, mid-grey, card-shaped patch.

    Flat (little texture), neutral (no chroma) and neither dark nor near clipping, as a grey
    card is and a face, a shirt or a lit wall rarely are; the returned rect is the patch's
    centre, clear of its edges. LightError when none is found (pass the rect by hand then).
    """
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2Lab)
    L = lab[..., 0].astype(np.float32)
    chroma = np.hypot(lab[..., 1].astype(np.float32) - 128, lab[..., 2].astype(np.float32) - 128)
    mean = cv2.blur(L, (5, 5))
    texture = np.sqrt(np.maximum(cv2.blur(L * L, (5, 5)) - mean * mean, 0))
    flat = (texture < 2.5) & (chroma < 6) & (L > 50) & (L < 215)
    mask = cv2.morphologyEx(flat.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    min_area = max(64, image.shape[0] * image.shape[1] // 1500)  # about 25×25 px at 720p
    best = None
    for x, y, w, h, area in stats[1:count]:
        card_shaped = area >= 0.85 * w * h and 0.5 <= w / h <= 2.0
        if card_shaped and area >= min_area and (best is None or area > best[4]):
            best = (x, y, w, h, area)
    if best is None:
        raise LightError("no grey card found in the image: give its rectangle (--rect x0,y0,x1,y1)")
    x, y, w, h, _ = (int(v) for v in best)
    return x + w // 5, y + h // 5, x + w - w // 5, y + h - h // 5
