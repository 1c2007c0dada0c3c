"""Skin tone from the forehead and cheeks, corrected for exposure and white balance.

Why the white reference is the whites of the eyes: gray-world over the whole frame lets the
face itself set the exposure, which pushes a deep-toned face that fills the frame towards
"medium" (the classic failure on deep skin), and the kiosk's surroundings are whatever colour
the store painted them. The sclera is lit by the same light as the skin and is near-neutral
on every skin tone. A grey card in view (`vision.light.LightReference`, the same card the
renderer reads the store's light from) replaces it when the store mounted one of known
reflectance; gray-world over the frame is the fallback when the eyes are closed or hidden.
Per-channel gains in linear RGB undo both an exposure change and a colour cast, and their
size tells the quality gate when the light is too far off to trust ("please step into the
light").

Why a smile used to lighten the answer: as a smile or a squint narrows the eyes, the lids,
lashes and brow shade what is left of the sclera; it reads darker, the correction brightens
everything, and the skin comes out 10-20 L* lighter. In a single photo the sclera's level is
now read from the part the lids leave unshaded, a share that shrinks as the eye narrows
(`vision.sclera`); a narrow eye still says less (`eye_trust` says how far to believe it, and
`FrameMeasure.quality` carries it), and whites that read darker than the skin beside them are
taken as shaded (`SHADED_WHITES`). Over a video the running estimator does better: the
scene outside the shopper (the surround) does not change when the shopper smiles, blinks or
talks, so it carries the frame-to-frame exposure, and the sclera only sets the absolute
level, through an offset between the two learned from the frames where the eyes are open
(`SkinToneEstimator`). The surround is never the absolute reference itself: its level
depends on what is behind the shopper (a light studio backdrop and a dark curtain are 5 stops
apart), the gray-world failure the sclera is there to avoid. The offset, though, is the
store's: the kiosk pools it over its shoppers (`vision.store_anchor`), so that after the day's
first few shoppers no one person's eyes (deep-set, hooded, pigmented) set their own skin tone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from vision.color import (
    CLIPPED_LINEAR,
    REFERENCE_GRAY,
    SRGB_TO_LINEAR_LUT,
    delta_e2000,
    ita_class,
    ita_degrees,
    linear_to_srgb,
    monk_skin_tone,
    rgb_to_lab,
    undertone,
)
from vision.face import FaceResult
from vision.light import LightError, LightReference, at_the_top, frame_top
from vision.sclera import SCLERA_LEVEL, sample_sclera
from vision.store_anchor import StoreAnchor

FOREHEAD = [108, 109, 10, 338, 337, 151]
RIGHT_CHEEK = [117, 118, 101, 36, 205, 187, 123]
LEFT_CHEEK = [346, 347, 330, 266, 425, 411, 352]


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
    code: str  # ok | settling | no_face | too_dark | too_bright | colour_cast | uncertain
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
    "uncertain": SkinStatus(
        "uncertain",
        "We can't read your skin tone reliably here — you can still choose your shades yourself.",
        "لا يمكننا قراءة لون بشرتك بدقة هنا — ما زال بإمكانك اختيار درجاتك بنفسك.",
    ),
}


@dataclass(frozen=True)
class SkinReading:
    status: SkinStatus
    tone: SkinTone | None  # the accumulated estimate so far (None until the first good frame)


def _polygon_mask(shape: tuple[int, int], polys: list[np.ndarray]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    for p in polys:
        cv2.fillPoly(mask, [np.round(p).astype(np.int32)], 255)
    return mask


def _surround_pixels(image: np.ndarray, face: FaceResult) -> tuple[np.ndarray, float]:
    """The scene outside the shopper (every 4th pixel) and its share of the frame.

    Left out: the head widened by a quarter of the face's width on each side and half its
    height upwards (ears, hair, a hijab), and below the chin a band 2.5 face widths wide down
    to the bottom of the frame (neck, shoulders, clothes), so what is left is the store behind
    the shopper, which neither a smile nor a turn of the head changes.
    """
    h, w = image.shape[:2]
    x0, y0 = face.landmarks.min(axis=0)
    x1, y1 = face.landmarks.max(axis=0)
    fw, fh, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    keep = np.ones((h, w), bool)
    top, chin = max(0, int(y0 - fh / 2)), max(0, int(y1))
    keep[top:chin, max(0, int(x0 - fw / 4)) : max(0, int(x1 + fw / 4))] = False
    keep[chin:, max(0, int(cx - 1.25 * fw)) : max(0, int(cx + 1.25 * fw))] = False
    keep = keep[::4, ::4]
    return image[::4, ::4][keep], float(keep.mean())


# Below this share of the frame the surround is a few objects rather than a scene (the shopper
# fills the view) and cannot carry the exposure from frame to frame.
SURROUND_MIN_SHARE = 0.15


@dataclass(frozen=True)
class Reference:
    """One white reference in one frame: log(target / measured) per channel (BGR, linear)."""

    log_gains: np.ndarray
    clipped: bool  # more than 30% of its pixels clip: it cannot say how bright the light is
    level: float  # its mean linear level


def _reference(pix: np.ndarray, target) -> Reference:
    lin = SRGB_TO_LINEAR_LUT[pix]
    clipped = bool((lin.max(axis=1) >= CLIPPED_LINEAR).mean() > 0.3)
    return _reference_from_mean(lin.mean(axis=0), target, clipped)


def _reference_from_mean(mean: np.ndarray, target, clipped: bool) -> Reference:
    return Reference(np.log(np.asarray(target) / np.maximum(mean, 1e-4)), clipped, float(mean.mean()))


@dataclass(frozen=True)
class WhiteBalance:
    """One frame's white reference: the gains (BGR, linear) or why the light is refused."""

    code: str  # ok | too_bright | too_dark | colour_cast | uncertain
    gains: tuple[float, float, float] = (1.0, 1.0, 1.0)
    eyes_open: float = 0.0  # visible sclera over iris disc (~1 for an open eye; 0 when not seen)
    trust: float = 0.0  # 0..1: a card or the anchored surround 1, an eye `eye_trust`, gray-world 0
    # log(sclera gains) - log(surround gains) in this frame, when both are usable: what the
    # running estimator learns the absolute level from.
    offset: np.ndarray | None = None
    surround: np.ndarray | None = None  # the surround's log gains, when usable


# The whites of the eyes are whiter than any skin: on the London portraits their level (the
# dimmer part of the unshaded whites, `vision.sclera`) reads from level with the fairest skins
# to four times the deepest (log ratio 0.0-1.45), the one exception a pair of hooded eyes whose
# owner then read 12 L* too light. Whites read darker than the skin beside them are shaded
# (deep-set or hooded eyes, a squint, a brow under a downlight) or not whites at all: their
# level is taken as no less than the skin's, less this margin (the sampler's own scatter), so
# they can no longer make a skin read lighter than any skin is.
SHADED_WHITES = 0.1


def eye_trust(eyes_open: float) -> float:
    """How far a sclera reading can be trusted, from how open the eyes are: fully for an open
    eye, not at all once half the sclera is hidden (what is left is the lid-shaded margin)."""
    return float(np.clip(2.0 * eyes_open - 1.0, 0.0, 1.0))


def _card(image: np.ndarray, reference: LightReference | None) -> Reference | None:
    """The card as an absolute white: only one of known reflectance, and only in a frame where
    it can be read (a lamp clipping it, a frame of another size: the eyes take over)."""
    if reference is None or reference.reflectance is None:
        return None
    try:
        measured = reference.read(image)
    except LightError:
        return None
    return _reference_from_mean(measured, reference.reflectance, False)


def white_balance(
    image: np.ndarray,
    face: FaceResult,
    reference: LightReference | None = None,
    anchor: np.ndarray | None = None,
    max_gain_ratio: float = 1.8,
    max_gain: float = 6.0,
    skin_level: float | None = None,
) -> WhiteBalance:
    """The gains that map this frame's light to the reference light, or why the light is refused.

    `anchor`: the sclera-minus-surround offset learned over earlier frames of the same shopper
    (`SkinToneEstimator`); when given and the surround is usable, the gains are the surround's
    plus the anchor, so this frame's own sclera (narrowed by a smile, shut in a blink) does not
    move them. The light gate always looks at this frame's own sclera when it is seen: it is
    lit like the skin, so when it clips or needs more than `max_gain`, so does the face.
    """
    eyes_open, offset, trust, surround_log = 0.0, None, 1.0, None
    sclera: Reference | None = None
    use_anchor = False
    card = _card(image, reference)
    if card is not None:
        own = card
        log_gains = own.log_gains
    else:
        whites = sample_sclera(image, face.landmarks)
        eyes_open = whites.openness
        surround_pix, share = _surround_pixels(image, face)
        if len(whites.pixels) >= 12:
            white = whites.linear_white()
            if skin_level is not None:  # whites read darker than the skin are shaded: see SHADED_WHITES
                white = white * max(1.0, skin_level * np.exp(-SHADED_WHITES) / max(float(white.mean()), 1e-6))
            sclera = _reference_from_mean(white, SCLERA_LEVEL, whites.clipped)
        surround = None
        if share >= SURROUND_MIN_SHARE and len(surround_pix) >= 100:
            surround = _reference(surround_pix, REFERENCE_GRAY)
            surround = None if surround.clipped or surround.level < 0.005 else surround
        if surround is not None:
            surround_log = surround.log_gains
        if sclera is not None and surround is not None:
            offset = sclera.log_gains - surround.log_gains
        use_anchor = anchor is not None and surround is not None
        if sclera is not None:
            own = sclera
        elif use_anchor:  # a blink: the anchored surround stands in for the eyes
            own = Reference(surround.log_gains + anchor, False, surround.level)
        else:  # eyes closed or hidden: gray-world over the frame instead
            own = _reference(image[::4, ::4].reshape(-1, 3), REFERENCE_GRAY)
        log_gains = surround.log_gains + anchor if use_anchor else own.log_gains
        trust = 1.0 if use_anchor else eye_trust(eyes_open) if sclera is not None else 0.0
    if own.clipped:
        return WhiteBalance("too_bright", eyes_open=eyes_open)
    if own.level < 0.005:
        return WhiteBalance("too_dark", eyes_open=eyes_open)
    gains = np.exp(log_gains)
    g = (float(gains[0]), float(gains[1]), float(gains[2]))
    if max(gains.max(), float(np.exp(own.log_gains).max())) > max_gain:
        return WhiteBalance("too_dark", g, eyes_open, trust, offset, surround_log)
    if gains.max() / gains.min() > max_gain_ratio:
        # Strongly coloured eyes under a light the scene's own white shows is not: yellowed or
        # pigmented sclera, not the light. Say so rather than send the shopper to find another.
        from_eyes = sclera is not None or use_anchor
        code = "uncertain" if from_eyes and _scene_white_is_plain(image, max_gain_ratio) else "colour_cast"
        return WhiteBalance(code, g, eyes_open, trust, offset, surround_log)
    return WhiteBalance("ok", g, eyes_open, trust, offset, surround_log)


def _scene_white_is_plain(image: np.ndarray, max_gain_ratio: float) -> bool:
    """Whether the frame's white point (`vision.light.frame_top`), seen whole, is no more
    coloured than the gate allows. A channel at the top hides its colour (a coloured lamp clips
    its strong channel first), so a white point that touches it says nothing either way."""
    white = np.log(np.asarray(frame_top(image).white_bgr) / CLIPPED_LINEAR)
    if at_the_top(white).any():
        return False
    return float(np.exp(white.max() - white.min())) <= max_gain_ratio


def frontality(face: FaceResult) -> float:
    """cos of the angle between the face's forward axis and the camera's (1 = facing it)."""
    rot = np.asarray(face.transform, dtype=np.float64)[:3, :3]
    forward = rot[:, 2]
    norm = float(np.linalg.norm(forward))
    return abs(float(forward[2])) / norm if norm > 0 else 1.0


# Beyond 45 degrees of turn the far cheek is mostly hidden and lit at a grazing angle: such a
# frame says little about the skin. The weight rises linearly to 1 for a frontal face.
_COS_45 = float(np.cos(np.radians(45)))


@dataclass(frozen=True)
class FrameMeasure:
    """One frame's corrected skin colour, or why it was refused."""

    code: str
    lab: np.ndarray | None = None
    pixels: int = 0
    gains: tuple[float, float, float] = (1.0, 1.0, 1.0)
    quality: float = 0.0  # 0..1, the frame's weight when frames are fused (pose x white reference)
    white: WhiteBalance | None = None
    raw: np.ndarray | None = None  # mean linear BGR of the kept skin pixels, before the gains


def _skin_pixels(image: np.ndarray, face: FaceResult) -> np.ndarray:
    """The forehead's and cheeks' pixels (BGR uint8 rows)."""
    h, w = image.shape[:2]
    pts = face.landmarks
    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(pts.max(axis=0)).astype(int) + 1, (w, h))
    crop = image[y0:y1, x0:x1]
    local = pts - np.array([x0, y0], np.float32)
    mask = _polygon_mask(crop.shape[:2], [local[FOREHEAD], local[RIGHT_CHEEK], local[LEFT_CHEEK]])
    return crop[mask > 0]


def _skin_level(linear: np.ndarray) -> float | None:
    """The skin's level (channels' mean of its `linear` pixels) over the middle 70% of its
    brightness, off the shine and the shadows; None without enough skin to say."""
    if len(linear) < 50:
        return None
    level = linear.mean(axis=1)
    lo, hi = np.percentile(level, [15, 85])
    return float(level[(level >= lo) & (level <= hi)].mean())


def measure_frame(
    image: np.ndarray,
    face: FaceResult,
    reference: LightReference | None = None,
    max_gain_ratio: float = 1.8,
    max_gain: float = 6.0,
    anchor: np.ndarray | None = None,
) -> FrameMeasure:
    """Corrected CIELAB of the forehead and cheeks in one frame (no accumulation; `anchor`: see
    `white_balance`)."""
    raw = _skin_pixels(image, face)
    raw_linear = SRGB_TO_LINEAR_LUT[raw]
    wb = white_balance(image, face, reference, anchor, max_gain_ratio, max_gain, _skin_level(raw_linear))
    if wb.code != "ok":
        return FrameMeasure(wb.code, gains=wb.gains, white=wb)
    gains = np.asarray(wb.gains)
    if len(raw) < 50:
        return FrameMeasure("no_face", white=wb)
    clipped = (raw >= 250).any(axis=1).mean()
    if clipped > 0.25:
        return FrameMeasure("too_bright", gains=wb.gains, white=wb)
    lin = raw_linear * gains
    if lin.mean() < 0.004 or (raw.max(axis=1) < 12).mean() > 0.5:
        return FrameMeasure("too_dark", gains=wb.gains, white=wb)
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
        return FrameMeasure("no_face", white=wb)
    pose = float(np.clip((frontality(face) - _COS_45) / (1.0 - _COS_45), 0.0, 1.0))
    quality = round(pose * wb.trust, 4)
    raw_mean = raw_linear[good].mean(axis=0)
    return FrameMeasure("ok", lab[good].mean(axis=0), int(good.sum()), wb.gains, quality, wb, raw_mean)


# Skin colour differences under about 2 CIEDE2000 units are hard to see; a settled estimate
# counts a frame further away than that with a weight falling as 1/distance (a Huber-type
# M-estimate), so a few odd frames (a hand, a laugh, a turn) cannot drag it.
HUBER_DE = 2.0
# A frame this far from the settled estimate is not the same skin under the same light: it
# is set aside, and only when a whole settling window of such frames agrees among themselves
# (a new shopper stepped in, the light changed) does the estimate start again from them.
JUMP_DE = 6.0
ANCHOR_FRAMES = 6.0  # open-eyed frames' worth of sclera evidence before the anchor is settled
# The Monk bucket moves only when the estimate is past a boundary by this much L* (about the
# estimate's own frame-to-frame noise), so a shopper whose skin sits on a boundary does not
# flicker between two buckets.
MST_HYSTERESIS_L = 1.0


class SkinToneEstimator:
    """Fuses per-frame measurements, weighted by their quality, into one estimate that settles
    within ~1 s and then holds through smiles, blinks and turns; re-settles on a real change.

    The white reference over frames: the surround carries each frame's exposure, plus an anchor
    (the sclera-minus-surround offset) averaged over the frames seen so far with weight
    `eye_trust` squared (the sclera's error grows as the eye narrows; inverse-variance
    weighting), so open-eyed frames set the absolute level and a smile or a blink cannot move
    it. Anchored frames are trusted as far as the best eye the anchor has seen. A frame with no
    trustworthy reference at all (eyes half shut or looking down before any open eye was seen)
    is not counted: the estimate waits ("settling") rather than settle on a wrong light.

    `store`: the kiosk's `StoreAnchor`, kept across shoppers. Each shopper's settled offset is
    handed to it when they are forgotten, and the anchor pools this shopper's eyes (one
    shopper's worth once settled) with the store's (as many as it has seen): one person's eyes
    stop setting their own skin tone, and a shopper whose eyes are never seen open
    (sunglasses, a squint) is still measured.
    """

    def __init__(
        self,
        reference: LightReference | None = None,
        settle_frames: int = 12,
        store: StoreAnchor | None = None,
    ) -> None:
        self.reference = reference
        self.settle_frames = settle_frames
        self.store = store
        self._offset_weight = 0.0
        self.reset()

    def reset(self) -> None:
        """Forget the shopper (a new session must not inherit the last one's tone), after
        handing their eyes' settled offset to the store."""
        if self.store is not None and self._offset_weight >= ANCHOR_FRAMES:
            self.store.learn(self._offset_sum / self._offset_weight)
        # (colour, anchored, weight): colour is linear BGR in the surround's units when anchored,
        # else CIELAB
        self._samples: list[tuple[np.ndarray, bool, float]] = []
        self._outliers: list[tuple[np.ndarray, bool, float]] = []
        self._mst: int | None = None
        self._offset_sum = np.zeros(3)
        self._offset_weight = 0.0
        self._anchor_trust = 0.0

    @property
    def settled(self) -> bool:
        """Enough skin seen and, when the light comes from the anchor, enough open eyes seen to
        pin it (the per-frame offset scatters by ~0.15 in log; the mean of ANCHOR_FRAMES
        open-eyed frames is good to ~1.5 ΔE2000)."""
        anchor_known = self._offset_weight == 0 or self._offset_weight >= ANCHOR_FRAMES or self._store_knows
        return self._frames >= self.settle_frames and anchor_known

    @property
    def _store_knows(self) -> bool:
        return self.store is not None and self.store.offset is not None

    @property
    def anchor(self) -> np.ndarray | None:
        """The sclera-minus-surround log offset: this shopper's eyes' (None until an eye has
        been seen), pooled with the store's when it has one."""
        own = self._offset_sum / self._offset_weight if self._offset_weight > 0 else None
        if not self._store_knows:
            return own
        if own is None:
            return self.store.offset
        mine = min(1.0, self._offset_weight / ANCHOR_FRAMES)
        return (mine * own + self.store.shoppers * self.store.offset) / (mine + self.store.shoppers)

    def update(self, image: np.ndarray, face: FaceResult | None) -> SkinReading:
        if face is None:
            return SkinReading(STATUSES["no_face"], self.current)
        anchor = self.anchor
        m = measure_frame(image, face, self.reference, anchor=anchor)
        wb = m.white
        if wb is not None and wb.code == "ok" and wb.offset is not None and eye_trust(wb.eyes_open) > 0:
            trust = eye_trust(wb.eyes_open)
            self._offset_sum += trust**2 * wb.offset
            self._offset_weight += trust**2
            self._anchor_trust = max(self._anchor_trust, trust)
        if m.code != "ok" or m.lab is None:
            return SkinReading(STATUSES[m.code], self.current)
        # Anchored frames are kept in the surround's units, so that the anchor, as it firms up
        # over later open-eyed frames, corrects the earlier frames too (a frame read from a
        # card has no surround: the card is absolute).
        anchored = anchor is not None and wb is not None and wb.surround is not None
        weight = m.quality * (max(self._anchor_trust, float(self._store_knows)) if anchored else 1.0)
        if weight <= 0:
            return SkinReading(STATUSES["ok" if self.settled else "settling"], self.current)
        sample = (m.raw * np.exp(wb.surround), True) if anchored else (m.lab, False)
        if self.settled:
            distance = float(delta_e2000(m.lab, self._mean()))
            if distance > JUMP_DE:
                self._outliers.append((*sample, weight))
                if len(self._outliers) >= self.settle_frames and self._outliers_agree():
                    pending = self._outliers
                    self.reset()
                    self._samples = pending
                    self._hold_mst()
                return SkinReading(STATUSES["ok" if self.settled else "settling"], self.current)
            self._outliers = []
            weight *= min(1.0, HUBER_DE / max(distance, 1e-6))
        self._samples.append((*sample, weight))
        self._hold_mst()
        return SkinReading(STATUSES["ok" if self.settled else "settling"], self.current)

    def _hold_mst(self) -> None:
        L = float(self._mean()[0])
        if self._mst is None or monk_skin_tone(np.array([L, 0, 0])) == self._mst:
            self._mst = monk_skin_tone(np.array([L, 0, 0]))
            return
        for shifted in (L - MST_HYSTERESIS_L, L + MST_HYSTERESIS_L):
            if monk_skin_tone(np.array([shifted, 0, 0])) == self._mst:
                return  # within the margin of the bucket it is in: stay
        self._mst = monk_skin_tone(np.array([L, 0, 0]))

    def _labs(self, samples: list[tuple[np.ndarray, bool, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Each sample's CIELAB under the anchor as it stands now, and the weights."""
        anchor = self.anchor
        labs = np.array([lab for lab, anchored, _ in samples if not anchored]).reshape(-1, 3)
        lin = np.array([c for c, anchored, _ in samples if anchored]).reshape(-1, 3)
        if len(lin):
            gain = np.exp(anchor) if anchor is not None else 1.0
            labs = np.concatenate([labs, rgb_to_lab(linear_to_srgb((lin * gain)[:, ::-1]) * 255.0)])
        weights = np.array([w for _, a, w in samples if not a] + [w for _, a, w in samples if a])
        return labs, weights

    def _mean(self) -> np.ndarray:
        labs, weights = self._labs(self._samples)
        return np.average(labs, axis=0, weights=weights)

    def _outliers_agree(self) -> bool:
        """The set-aside frames describe one new colour (not a string of unrelated bad frames)."""
        labs, _ = self._labs(self._outliers)
        centre = np.median(labs, axis=0)
        return bool((delta_e2000(labs, centre) <= JUMP_DE / 2).mean() >= 0.8)

    @property
    def _frames(self) -> float:
        """Frames' worth of good evidence: settling needs `settle_frames` of it."""
        return float(sum(w for *_, w in self._samples))

    @property
    def current(self) -> SkinTone | None:
        if not self._samples:
            return None
        labs, weights = self._labs(self._samples)
        mean = np.average(labs, axis=0, weights=weights)
        var = np.average((labs - mean) ** 2, axis=0, weights=weights)
        spread = float(np.sqrt(var.sum()))  # frame-to-frame disagreement, in ΔE*ab units
        settle = min(1.0, self._frames / self.settle_frames)
        tone = SkinTone.from_lab(mean, confidence=round(settle / (1.0 + spread / 4.0), 3))
        return tone if self._mst is None else replace(tone, mst=self._mst)
