"""The store's light as the camera sees it: one estimate per frame, shared by makeup and skin tone.

A light is per-channel gains on linear RGB: what this light and this camera do to a surface's
reflectance (neutral = 1, 1, 1; a dim corner < 1; warm light lifts red and lowers blue). The
renderer multiplies each catalogue shade by them, so a lipstick in a dim corner looks dim as
a real one would, instead of glowing like a sticker; skin tone divides them out.

Where the gains come from, best first:
- a reference in view (`LightReference`: a grey card or any fixed matte patch of the store,
  recorded by `kiosk calibrate light` under the store's normal light): exact, exposure and
  colour, because the same patch is compared with itself;
- without a reference, the frame's white point (`WHITE_POINT_SHARE`, per channel) held
  within what the whites of the eyes allow. The eyes (`vision.sclera`, the one sampler skin
  tone reads too) are lit by the same light as the face and near-neutral on every skin tone,
  but people's differ: in colour by about ±8%, in brightness about 2.5× under one studio
  light (eye opening, lid shadow). A camera puts the brightest things in view (speculars,
  white walls, lamps) at the top of its range and, when they are white, shows the light's
  colour on them; when they stop short of the top, the scene is dimmer than the camera was
  set for, as in a dim corner with the exposure locked (a camera that raises its own
  exposure in the dark fills its range again, and then the shades need no darkening either).
  Neither source is enough alone: the brightest thing may be coloured or missing, and the
  eyes are one person's. So the light is the white point's, moved into the range the eyes'
  reading allows: a colour within their uncertainty of what they read (with a neutral white
  point, that is the eyes' reading less its uncertainty; eyes may read warmer than the light,
  as yellowed or pigmented sclera do, never cooler), an exposure no darker than they
  allow; only they can brighten (the white point cannot see past clipping), by what they
  read beyond their spread between people, or, where a cut-off top shows the frame is
  brighter than the camera was set for, by their reading shrunk towards no change;
- grey world over the frame when the eyes are closed, hidden or too small to read, in place of
  the eyes, with a wider uncertainty in colour; the exposure is then the white point's alone.

`measure_light` is one frame's raw reading, all of it (what skin tone needs to divide out);
`LightEstimator` turns the readings into what the renderer should trust: a colour reading's
known uncertainty is taken off (so ordinary light reads as neutral and the catalogue colour is
painted bit for bit), and readings are smoothed over time so a passing shadow does not pump
the colours.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from vision.color import (
    CLIPPED_LINEAR,
    REFERENCE_GRAY,
    SRGB_TO_LINEAR_LUT,
    hex_to_rgb,
    linear_to_srgb,
    rgb_to_lab,
    srgb_to_linear,
)
from vision.face import FaceResult
from vision.sclera import SCLERA_LEVEL, sample_sclera

# How far a colour reading can be off under neutral light, in natural-log gain per channel:
# people's sclera differ in yellowness by about ±8%, and grey world is at the mercy of
# whatever colours the store and the shopper wear. The light's colour is taken as near the
# white point's cast as this allows, so with a neutral white point ordinary light reads
# exactly neutral, and a strong cast is followed.
COLOUR_UNCERTAINTY = {"sclera": 0.10, "grey_world": 0.20}
# Camera streams and JPEGs carry colour at half resolution (4:2:0), so the whites of small eyes
# (a face far from the camera) take colour from the lids and skin around them. Below this many
# sampled pixels the uncertainty grows as 1/sqrt(pixels), the way a mean's error does.
SCLERA_FULL_TRUST_PIXELS = 64
# A colour-only reading that puts one channel at more than twice another is taken for a failed
# reading (red, shadowed or tiny eyes; an old print's dye fade), not for a lamp: its colour is
# ignored (the eyes still bound the exposure).
MAX_COLOUR_RATIO = 2.0
# Exposure without a reference. The white point: per channel, the linear level below which
# all but this share of the frame lies; a photo that fills the camera's range puts its
# brightest channel at clipping (CLIPPED_LINEAR): 29 of 34 studio, press and phone photos read
# within 0.08 (log) of it (the others are graded or moody). A video stream's own top is
# learned from the stream instead (`LightEstimator`): codecs and webcams often stop short of
# clipping (the demo clip and the Pexels clip at about 0.6). Darkening starts past
# WHITE_POINT_BAND below the top.
# The eye whites' level spreads 0.3 (log, std) between people under one light (31 portraits),
# about EYES_WELL_EXPOSED (their median against SCLERA_LEVEL), so they bound the exposure to
# within EXPOSURE_UNCERTAINTY (1.5 spreads) of that typical level: a graded or moody photo
# whose eyes read normal is not taken for a dim store. (The bound once sat about SCLERA_LEVEL
# itself, 0.23 below the median: a graded photo with bright eyes then still read a third of a
# stop dim, and its shades were darkened in plain light.) Brightening needs more, as the next
# paragraph says. With the eyes hidden or too small to read, the white point's shortfall
# darkens alone: grey world, the scene's mean brightness, bounds nothing (it spreads 0.47
# between those photos, and a white backdrop a stop darker still reads brighter than a
# mid-grey room).
WHITE_POINT_SHARE = 0.005
WHITE_POINT_BAND = 0.1
EYES_WELL_EXPOSED = -0.23
EXPOSURE_UNCERTAINTY = 0.45
# Brighter than the camera was set for (a lamp switched on with the exposure locked, a pale
# face against a dark store) cannot show in the white point, which stops at clipping, but the
# share of the frame stopped there can: a frame that fills its range holds about
# WHITE_POINT_SHARE at its white point in every channel (0.2-1.4% in 31 portraits, studio
# backgrounds too), one whose top is cut off piles the cut-off part there (3-45% at +½ stop
# on the studio ones). Past OVER_EXPOSED_SHARE (a ramp) the eyes' reading is believed without
# their band: how far they read above EYES_WELL_EXPOSED, shrunk by EYES_SHRINK towards no
# change: the Bayesian weight of a reading whose spread between people (about 0.3 log) is that
# of the over-exposure itself (half a stop, 0.35). A top that is not cut off is itself a sign
# the frame is not over-exposed, so there the eyes alone brighten only past BRIGHTER_THAN_EYES
# above the median: brighter than any of those portraits' eyes read (at most 0.61 above it).
# Taking the band alone there brightened bright-eyed people in plain light (by up to 3 ΔE2000).
OVER_EXPOSED_SHARE = (5 * WHITE_POINT_SHARE, 10 * WHITE_POINT_SHARE)
EYES_SHRINK = 0.5
BRIGHTER_THAN_EYES = 0.68
CAMERA_WHITE = (CLIPPED_LINEAR,) * 3  # a photo's: its range filled, neutral
# The white point's colour, as a cast (log, mean removed): 27 of those 29 photos read within
# 0.01 of neutral (two street scenes 0.06-0.07: something bright and coloured in view, which
# the eyes' bound keeps small), so a cast starts past WHITE_CAST_BAND.
WHITE_CAST_BAND = 0.03
# Warm to cool (BGR, log): the black-body line stores' lights lie near, and the way sclera vary.
WARM_AXIS = np.array([-1.0, 0.0, 1.0])
# Smoothing: the median of the last MEDIAN_WINDOW_MS of readings ignores a shadow passing
# for less than half that; the exponential follow-up turns a real change of light into a
# fade rather than a step.
MEDIAN_WINDOW_MS = 1500.0
FOLLOW_TAU_MS = 700.0


class LightError(ValueError):
    """A light reference cannot be used (empty or off-frame rectangle, a black or clipped card)."""


@dataclass(frozen=True)
class LightReference:
    """A matte patch fixed in the camera's view, and its linear BGR level under normal light.

    The one card both readers use: the renderer takes the light relative to `level` (the
    store's normal light shows the catalogue colours); skin tone needs absolute colour, so it
    uses the card only when its own `reflectance` is known (a photographers' grey card: 0.18),
    and the eye whites otherwise (any fixed patch of the store still serves the renderer).
    """

    rect: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels
    level: tuple[float, float, float] = (REFERENCE_GRAY,) * 3
    reflectance: float | None = None  # the card's linear reflectance, when it is a known grey

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = self.rect
        if x0 < 0 or y0 < 0 or x1 - x0 < 4 or y1 - y0 < 4:
            raise LightError(f"reference rect {self.rect} must be x0,y0,x1,y1 with at least 4×4 pixels")
        if min(self.level) <= 0.005 or max(self.level) > 1.0:
            raise LightError(f"reference level {self.level} must be linear values in (0.005, 1]")
        if self.reflectance is not None and not 0.02 <= self.reflectance <= 1.0:
            raise LightError(f"reference reflectance {self.reflectance} must be a linear value in [0.02, 1]")

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
    def record(
        cls, image: np.ndarray, rect: tuple[int, int, int, int], reflectance: float | None = None
    ) -> LightReference:
        """The patch at `rect`, with its level as this frame shows it (the store's normal light)."""
        level = cls(rect).read(image)
        return cls(rect, tuple(round(float(v), 5) for v in level), reflectance)


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
    white_bgr: tuple[float, float, float] = (CLIPPED_LINEAR,) * 3  # the frame's white point (linear)
    top_share: float = WHITE_POINT_SHARE  # the share of the frame at its white point in every channel

    @property
    def white_point(self) -> float:
        """The white point's brightest channel: how close the frame comes to filling its range."""
        return max(self.white_bgr)


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
    top = frame_top(image)
    if face is not None:
        whites = sample_sclera(image, face.landmarks)
        if len(whites.pixels) >= 12:
            return _sample(whites.linear_white() / SCLERA_LEVEL, "sclera", len(whites.pixels), top)
    pix = image[::4, ::4].reshape(-1, 3)
    return _sample(SRGB_TO_LINEAR_LUT[pix].mean(axis=0) / REFERENCE_GRAY, "grey_world", len(pix), top)


@dataclass(frozen=True)
class FrameTop:
    """The top of a frame's range: its white point and how much of the frame sits there."""

    # Per channel, the linear level all but WHITE_POINT_SHARE of the frame stay under.
    white_bgr: tuple[float, float, float]
    share: float  # the share of the frame at or above the white point in every channel


def frame_top(image: np.ndarray) -> FrameTop:
    """The frame's white point and the share at it (every 4th pixel each way; histograms, not
    sorts: about 0.2 ms at 720p)."""
    small = cv2.resize(image, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_NEAREST)
    codes = []
    for c in range(3):
        below = np.cumsum(cv2.calcHist([small], [c], None, [256], [0, 256]).ravel())
        codes.append(min(int(np.searchsorted(below, below[-1] * (1.0 - WHITE_POINT_SHARE))), 255))
    at_top = cv2.inRange(small, np.array(codes, np.uint8), np.full(3, 255, np.uint8))
    white = SRGB_TO_LINEAR_LUT[codes]
    return FrameTop(
        (float(white[0]), float(white[1]), float(white[2])),
        cv2.countNonZero(at_top) / at_top.size,
    )


# A reference is exact: the frame's top says nothing more, so it reads as a filled range.
_FILLED_TOP = FrameTop(CAMERA_WHITE, WHITE_POINT_SHARE)


def _sample(gains: np.ndarray, source: str, pixels: int, top: FrameTop = _FILLED_TOP) -> LightSample:
    g = np.maximum(gains, 1e-3)
    return LightSample((float(g[0]), float(g[1]), float(g[2])), source, pixels, top.white_bgr, top.share)


def trusted_log_gains(sample: LightSample, camera_white: Sequence[float] = CAMERA_WHITE) -> np.ndarray | None:
    """The part of a reading the renderer may believe, as natural-log gains (BGR); None: none.

    A reference is exact. Otherwise the colour is the cast of the frame's white point (against
    the camera's own, `camera_white`), moved into the known uncertainty of the eyes' (or grey
    world's) reading: continuous, so a light drifting across never makes the colours jump,
    and with a neutral white point it is the reading less its uncertainty (neutral where the
    eyes read warm: `sclera_light`), so ordinary light reads exactly neutral. The exposure is
    the white point's shortfall (`shortfall`), held within what the eyes allow
    (`exposure_from_eyes`); with grey world, the shortfall alone.
    """
    log = np.log(np.asarray(sample.gains_bgr))
    if sample.source == "reference":
        return log
    failed_colour = max(sample.gains_bgr) > MAX_COLOUR_RATIO * min(sample.gains_bgr)
    if failed_colour and sample.source != "sclera":
        return None
    exposure = float(log.mean())
    log -= exposure
    band = COLOUR_UNCERTAINTY[sample.source]
    if sample.source == "sclera":
        band *= max(1.0, np.sqrt(SCLERA_FULL_TRUST_PIXELS / sample.pixels))
    white = np.log(np.maximum(np.asarray(sample.white_bgr), 1e-4) / np.asarray(camera_white))
    cast = beyond(white_cast(white), WHITE_CAST_BAND)
    # Eyes whose colour is unusable bound nothing: the white point's cast is then believed as
    # far as a reading of theirs would have let it move.
    centre = np.zeros(3) if failed_colour else sclera_light(log, cast)
    colour = np.clip(cast, centre - band, centre + band)
    short = shortfall(float(white.max()))
    if sample.source != "sclera":
        return colour + short
    return colour + exposure_from_eyes(exposure, short, sample.top_share)


def white_cast(white_log: np.ndarray) -> np.ndarray:
    """The light's colour (log, mean removed) from the white point's level per channel against
    the camera's top (`white_log`, BGR, at most about 0).

    A channel at the top (within WHITE_CAST_BAND) is clipped: the white's true level there is
    at least the top, perhaps more. A coloured light pushes its strong channel past clipping
    (a warm lamp on a white wall: red clips, blue is seen short), so taking a clipped channel
    at face value would see half the cast. Store lights lie near the black-body line, where
    warmer and cooler move red and blue in opposite directions from green by about as much
    each (in log), so a clipped red or blue is taken as the mirror of the other through green.
    """
    level = white_log.copy()
    top = at_the_top(white_log)
    b, g, r = 0, 1, 2
    for clipped, seen in ((r, b), (b, r)):
        if top[clipped] and not top[seen]:
            level[clipped] = max(level[clipped], 2.0 * level[g] - level[seen])
    return level - level.mean()


def at_the_top(white_log: np.ndarray) -> np.ndarray:
    """Which channels of a white point (log, against the camera's top) reach the top, within
    WHITE_CAST_BAND: clipped there, their colour is only a lower bound."""
    return white_log > -WHITE_CAST_BAND


def sclera_light(sclera: np.ndarray, cast: np.ndarray) -> np.ndarray:
    """The light's colour as the eye whites allow it (log, mean removed), given the white
    point's `cast`: the eyes' reading, except that eyes may be warmer than the light.

    Sclera yellow with age and are often pigmented (brownish) with deep skin: they read
    warmer than the light, never cooler. So where the eyes read warmer than the white point
    along the warm-cool axis (blue down, red up), that warmth is given to the eyes rather than
    to the light, as far as they read warm at all: eyes that read neutral or cool are not
    yellow, and still hold a white point that reads cooler (a bluish window or sign as the
    brightest thing in view) to what they see.
    """
    axis = float(WARM_AXIS @ WARM_AXIS)
    own = max(0.0, float(sclera @ WARM_AXIS) / axis)
    warmer = float((sclera - cast) @ WARM_AXIS) / axis
    return sclera - min(max(0.0, warmer), own) * WARM_AXIS


def beyond(log: np.ndarray | float, band: float) -> np.ndarray:
    """What of a reading to believe given its uncertainty `band`: nothing within the band, all
    of it beyond twice the band, and a ramp between, so a light drifting across never makes
    the colours jump and a strong light is followed exactly."""
    x = np.asarray(log, np.float64)
    return x * np.clip((np.abs(x) - band) / band, 0.0, 1.0)


def shortfall(white_log: float) -> float:
    """How much dimmer (natural log, at most 0) than the camera was set for the frame's white
    point says the scene is, from how far (log) it stops short of the camera's, `white_log`:
    nothing within WHITE_POINT_BAND, all of it past twice that."""
    return float(beyond(min(white_log, 0.0), WHITE_POINT_BAND))


def exposure_from_eyes(sclera_log: float, short: float, top_share: float) -> float:
    """Natural-log exposure to render with, from the eye whites' level, the white point's
    `shortfall` and the share of the frame at its top, `top_share`: the shortfall, but no
    darker than the eyes allow; brighter only where the eyes read brighter than any eyes do
    under a well-set camera, or where the frame's top is cut off (OVER_EXPOSED_SHARE) and the
    eyes say by how much."""
    eyes = sclera_log - EYES_WELL_EXPOSED  # how far they read from people's typical whites
    if short < 0.0:
        return min(0.0, max(short, eyes - EXPOSURE_UNCERTAINTY))
    lo, hi = OVER_EXPOSED_SHARE
    cut_off = float(np.clip((top_share - lo) / (hi - lo), 0.0, 1.0))
    over = cut_off * EYES_SHRINK * max(0.0, eyes)
    return max(over, eyes - BRIGHTER_THAN_EYES, 0.0)


class LightEstimator:
    """One light estimate per frame, smoothed over time; the kiosk keeps one per camera.

    `stream`: the frames come from one camera or video, whose own white point (the level and
    colour its frames normally reach) is learned as it plays: its colour from the white point's
    running median over the first MEDIAN_WINDOW_MS, its level the highest (channels' mean log)
    seen since. So a camera or codec that never fills its range, or a video's colour grade, is
    not taken for the store's light, while a light that dims or turns warm later is followed,
    and once it is gone the light reads as before: a lamp's colour is never learnt as the
    camera's own, even a lamp brighter than the light before it. (Each channel's top learnt
    at its own highest would keep red's from a warm lamp and blue's from before it: a white the
    camera never saw, and a cool cast ever after.) Otherwise (photos) the camera's white is
    clipping, neutral.
    """

    def __init__(self, reference: LightReference | None = None, stream: bool = False) -> None:
        self.reference = reference
        self.stream = stream
        self._camera_white: np.ndarray | None = None
        self._camera_since_ms = 0.0  # when the stream's first frame came
        self._whites: deque[tuple[float, np.ndarray]] = deque()
        self.reset()

    def reset(self) -> None:
        """Forget the readings (a new shopper: the eye whites are theirs, not the last one's).
        A stream's white point is the camera's, not the shopper's: it is kept."""
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
            if self.stream:
                self._camera_white, self._whites = None, deque()
        if face is None and self.reference is None:  # nothing to read the light from but the room
            return self.current
        sample = measure_light(image, face, self.reference)
        reading = trusted_log_gains(sample, self._learn_camera_white(sample.white_bgr, t_ms))
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

    def _learn_camera_white(self, white: Sequence[float], t_ms: float) -> Sequence[float]:
        if not self.stream:
            return CAMERA_WHITE
        self._whites.append((t_ms, np.asarray(white)))
        while self._whites[0][0] < t_ms - MEDIAN_WINDOW_MS:
            self._whites.popleft()
        median = np.median(np.array([w for _, w in self._whites]), axis=0)
        known = self._camera_white
        if known is None:
            self._camera_white, self._camera_since_ms = median, t_ms
        elif t_ms - self._camera_since_ms <= MEDIAN_WINDOW_MS:  # still its first window
            self._camera_white = median
        elif _level(median) > _level(known):  # a brighter light: the camera's level, not its colour
            self._camera_white = known * np.exp(_level(median) - _level(known))
        return self._camera_white


def _level(white: np.ndarray) -> float:
    """A white point's level, its channels' mean log: a lamp that only changes the light's
    colour along the black-body line does not raise it (warmer, red rises by at most as much
    as blue falls; by about 0.6 as much in a D65-balanced camera)."""
    return float(np.log(np.maximum(white, 1e-4)).mean())


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
