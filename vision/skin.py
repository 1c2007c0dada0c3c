"""Skin tone from the forehead and cheeks, corrected for exposure and white balance.

Why the white reference is the whites of the eyes: gray-world over the whole frame lets the
face itself set the exposure, which pushes a deep-toned face that fills the frame towards
"medium" (the classic failure on deep skin), and the kiosk's surroundings are whatever colour
the store painted them. The sclera is lit by the same light as the skin and is near-neutral
on every skin tone. A reference card in view (`WhiteReference`) replaces it when a store
configures one; gray-world over the frame is the fallback when the eyes are closed or hidden.
Per-channel gains in linear RGB undo both an exposure change and a colour cast, and their
size tells the quality gate when the light is too far off to trust ("please step into the
light").
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.color import (
    ita_class,
    ita_degrees,
    linear_to_srgb,
    monk_skin_tone,
    rgb_to_lab,
    srgb_to_linear,
    undertone,
)
from vision.face import FaceResult

FOREHEAD = [108, 109, 10, 338, 337, 151]
RIGHT_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246]
LEFT_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466]
RIGHT_CHEEK = [117, 118, 101, 36, 205, 187, 123]
LEFT_CHEEK = [346, 347, 330, 266, 425, 411, 352]
FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
             152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109]  # fmt: skip

REFERENCE_GRAY = 0.20  # linear level of a mid-grey reference card (~L* 52)
# Linear level the sclera is mapped to. Sclera is not a calibrated white: this constant sets
# where skin lands on the absolute L* scale, and was chosen so that studio portraits with a
# known exposure land near their spectrophotometer-typical skin L* (see the note on issue 2).
# Sclera is slightly yellow, so its target is too (BGR, linear), else every face would be
# "corrected" towards blue and read as cooler than it is.
SCLERA_LEVEL = np.array([0.33, 0.40, 0.43])
_LUT_SRGB_TO_LINEAR = srgb_to_linear(np.arange(256) / 255.0).astype(np.float32)


@dataclass(frozen=True)
class WhiteReference:
    """A neutral card at a known place in the frame (a fixed kiosk camera sees it always)."""

    rect: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels
    linear_level: float = REFERENCE_GRAY  # the card's reflectance in linear RGB


@dataclass(frozen=True)
class SkinTone:
    lab: tuple[float, float, float]
    ita: float
    ita_class: str
    mst: int  # Monk Skin Tone 1..10
    undertone: str  # warm | neutral | cool
    confidence: float  # 0..1

    @classmethod
    def from_lab(cls, lab: np.ndarray, confidence: float) -> SkinTone:
        ita = float(ita_degrees(lab))
        return cls(
            lab=(float(lab[0]), float(lab[1]), float(lab[2])),
            ita=ita,
            ita_class=ita_class(ita),
            mst=monk_skin_tone(lab),
            undertone=undertone(lab),
            confidence=confidence,
        )


@dataclass(frozen=True)
class SkinStatus:
    code: str  # ok | settling | no_face | too_dark | too_bright | colour_cast
    message_en: str
    message_ar: str


STATUSES = {
    "ok": SkinStatus("ok", "Skin tone measured.", "تم قياس لون البشرة."),
    "settling": SkinStatus(
        "settling", "Measuring your skin tone… hold still.", "جارٍ قياس لون بشرتك… ثبّت وجهك قليلاً."
    ),
    "no_face": SkinStatus("no_face", "Looking for your face.", "نبحث عن وجهك."),
    "too_dark": SkinStatus(
        "too_dark",
        "It is too dark here — please step into the light.",
        "الإضاءة ضعيفة — تقدّم نحو الضوء من فضلك.",
    ),
    "too_bright": SkinStatus(
        "too_bright",
        "Too much light on your face — step back a little from the light.",
        "الإضاءة قوية على وجهك — ابتعد قليلاً عن الضوء.",
    ),
    "colour_cast": SkinStatus(
        "colour_cast",
        "The light here is strongly coloured, so we can't read your tone reliably.",
        "لون الإضاءة هنا قوي، لذلك لا يمكننا قراءة لون بشرتك بدقة.",
    ),
}


@dataclass(frozen=True)
class SkinReading:
    status: SkinStatus
    tone: SkinTone | None  # the accumulated estimate so far (None until the first good frame)


@dataclass(frozen=True)
class FrameMeasure:
    """One frame's corrected skin colour, or why it was refused."""

    code: str
    lab: np.ndarray | None = None
    pixels: int = 0
    gains: tuple[float, float, float] = (1.0, 1.0, 1.0)


def _polygon_mask(shape: tuple[int, int], polys: list[np.ndarray]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    for p in polys:
        cv2.fillPoly(mask, [np.round(p).astype(np.int32)], 255)
    return mask


def _sclera_pixels(image: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """The whites of the eyes (BGR uint8 rows): the face's own white reference.

    Lit by the same light as the skin and close to neutral on every skin tone, so it
    corrects exposure and colour cast without letting the skin set its own exposure.
    Eye opening minus the iris disc.
    """
    rows = []
    for eye, iris_centre, iris_ring in (
        (RIGHT_EYE, 468, [469, 470, 471, 472]),
        (LEFT_EYE, 473, [474, 475, 476, 477]),
    ):
        poly = pts[eye]
        x0, y0 = np.floor(poly.min(axis=0)).astype(int)
        x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 1
        x0, y0 = max(x0, 0), max(y0, 0)
        crop = image[y0:y1, x0:x1]
        if crop.size == 0:
            continue
        origin = np.array([x0, y0], np.float32)
        centre = poly.mean(axis=0)
        mask = _polygon_mask(crop.shape[:2], [(centre + (poly - centre) * 0.85) - origin])
        radius = float(np.linalg.norm(pts[iris_ring] - pts[iris_centre], axis=1).mean())
        c = np.round(pts[iris_centre] - origin).astype(int)
        cv2.circle(mask, (int(c[0]), int(c[1])), int(np.ceil(radius * 1.2)), 0, -1)
        rows.append(crop[mask > 0])
    pix = np.concatenate(rows) if rows else np.zeros((0, 3), np.uint8)
    if len(pix) < 30:  # too few to take percentiles of; the caller treats this as eyes hidden
        return pix[:0]
    # The 50th-85th brightness percentiles: above lashes and lid shadow, below the glints
    # and the first pixels to clip when the exposure goes up.
    brightness = pix.astype(np.int32).sum(axis=1)
    lo, hi = np.percentile(brightness, [50, 85])
    return pix[(brightness >= lo) & (brightness <= hi)]


def measure_frame(
    image: np.ndarray,
    face: FaceResult,
    reference: WhiteReference | None = None,
    max_gain_ratio: float = 1.8,
    max_gain: float = 6.0,
) -> FrameMeasure:
    """Corrected CIELAB of the forehead and cheeks in one frame (no accumulation)."""
    h, w = image.shape[:2]
    pts = face.landmarks
    if reference is not None:
        x0, y0, x1, y1 = reference.rect
        ref_pix, level = image[y0:y1, x0:x1].reshape(-1, 3), reference.linear_level
    else:
        ref_pix, level = _sclera_pixels(image, pts), SCLERA_LEVEL
        if len(ref_pix) < 12:  # eyes closed or hidden: gray-world over the frame instead
            ref_pix, level = image[::4, ::4].reshape(-1, 3), REFERENCE_GRAY
    ref_lin = _LUT_SRGB_TO_LINEAR[ref_pix]  # BGR order
    if (ref_lin.max(axis=1) >= 0.98).mean() > 0.3:
        return FrameMeasure("too_bright")
    ref_mean = ref_lin.mean(axis=0)
    if ref_mean.mean() < 0.005:
        return FrameMeasure("too_dark")
    gains = level / np.maximum(ref_mean, 1e-4)
    if gains.max() > max_gain:
        return FrameMeasure("too_dark", gains=tuple(gains))
    if gains.max() / gains.min() > max_gain_ratio:
        return FrameMeasure("colour_cast", gains=tuple(gains))

    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(pts.max(axis=0)).astype(int) + 1, (w, h))
    crop = image[y0:y1, x0:x1]
    local = pts - np.array([x0, y0], np.float32)
    mask = _polygon_mask(crop.shape[:2], [local[FOREHEAD], local[RIGHT_CHEEK], local[LEFT_CHEEK]])
    raw = crop[mask > 0]
    if len(raw) < 50:
        return FrameMeasure("no_face")
    clipped = (raw >= 250).any(axis=1).mean()
    if clipped > 0.25:
        return FrameMeasure("too_bright", gains=tuple(gains))
    lin = _LUT_SRGB_TO_LINEAR[raw] * gains
    if lin.mean() < 0.004 or (raw.max(axis=1) < 12).mean() > 0.5:
        return FrameMeasure("too_dark", gains=tuple(gains))
    rgb = linear_to_srgb(lin[:, ::-1]) * 255.0
    lab = rgb_to_lab(rgb)
    # Reject specular highlights, shadows, and hair/beard: keep the central band of
    # lightness and the pixels whose chroma is near the patch's own median.
    L = lab[:, 0]
    lo, hi = np.percentile(L, [15, 85])
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    c_med = np.median(chroma)
    good = (lo <= L) & (hi >= L) & (np.abs(chroma - c_med) < max(6.0, 0.5 * c_med)) & (raw < 250).all(axis=1)
    if good.sum() < 30:
        return FrameMeasure("no_face")
    return FrameMeasure("ok", lab[good].mean(axis=0), int(good.sum()), tuple(gains))


class SkinToneEstimator:
    """Accumulates per-frame measurements into one estimate that settles within ~1 s."""

    def __init__(self, reference: WhiteReference | None = None, settle_frames: int = 12) -> None:
        self.reference = reference
        self.settle_frames = settle_frames
        self.reset()

    def reset(self) -> None:
        """Forget the shopper (a new session must not inherit the last one's tone)."""
        self._sum = np.zeros(3)
        self._sum_sq = np.zeros(3)
        self._weight = 0.0
        self._frames = 0

    def update(self, image: np.ndarray, face: FaceResult | None) -> SkinReading:
        if face is None:
            return SkinReading(STATUSES["no_face"], self.current)
        m = measure_frame(image, face, self.reference)
        if m.code != "ok" or m.lab is None:
            return SkinReading(STATUSES[m.code], self.current)
        self._sum += m.lab
        self._sum_sq += m.lab**2
        self._weight += 1.0
        self._frames += 1
        code = "ok" if self._frames >= self.settle_frames else "settling"
        return SkinReading(STATUSES[code], self.current)

    @property
    def current(self) -> SkinTone | None:
        if self._weight == 0:
            return None
        mean = self._sum / self._weight
        var = np.maximum(self._sum_sq / self._weight - mean**2, 0)
        spread = float(np.sqrt(var.sum()))  # frame-to-frame disagreement, in ΔE*ab units
        settle = min(1.0, self._frames / self.settle_frames)
        return SkinTone.from_lab(mean, confidence=round(settle / (1.0 + spread / 4.0), 3))
