"""How much paint lands on hands, measured independently of the mask that keeps it off.

The judge is a second HandLandmarker on the whole raw frame at full resolution (its own
tracking, no smoothing, no region of interest, no colour model): the middle of each finger bone and the
palm polygon, eroded, over the lip body from the face landmarks, are pixels that are surely
hand in front of the lips. On them, the rendering should change nothing (ΔE2000 of the
rendered pixel to the raw one); on the lip body well away from the hand, the shade should
still be there (ΔE2000 to the shade). Used by `python -m vision.evaluate` and tests/vision.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from vision.capture import Frame
from vision.color import delta_e2000, hex_to_lab, rgb_to_lab
from vision.face import FaceResult, FaceTracker
from vision.makeup import Layer, Look, render
from vision.makeup import regions as R
from vision.makeup.regions import FaceGeometry
from vision.occlusion.hand_mask import draw_hand, hand_size
from vision.occlusion.hands import HandOccluder, load_hand_model
from vision.occlusion.unlike_skin import unlike_skin

RED_MATTE = "#9e1b32"
REF_RADIUS = 0.05  # of the hand's size: the middle third of a finger
CLEAR_RADIUS = 0.3  # lip pixels farther than this from every bone are surely not hand
MIN_HAND_PX = 30  # a hand "covers the lips" when at least this many lip pixels are surely hand


@dataclass(frozen=True)
class HandPaint:
    frames: int  # frames where a hand covers the lips
    occluded: int  # of those, frames where the occluder found the hand
    hand_px: int  # hand-over-lip pixels, all frames together
    hand_de_median: float  # ΔE2000 rendered vs raw on those pixels
    hand_de_p90: float
    lips_de_mean: float  # ΔE2000 of the visible lip body to the shade (highlights excluded)


class ReferenceHands:
    """The independent judge: full frame, raw landmarks. VIDEO mode (frames in order), since the
    palm detector alone misses a palm turned edge-on against the face; IMAGE mode for stills."""

    def __init__(self, video: bool) -> None:
        from mediapipe.tasks.python import BaseOptions
        from mediapipe.tasks.python.vision import HandLandmarker, HandLandmarkerOptions, RunningMode

        options = HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=load_hand_model()),
            running_mode=RunningMode.VIDEO if video else RunningMode.IMAGE,
            num_hands=2,
        )
        self._landmarker = HandLandmarker.create_from_options(options)
        self._video = video
        self._ts = -1

    def __call__(self, image: np.ndarray) -> list[np.ndarray]:
        from mediapipe import Image, ImageFormat

        h, w = image.shape[:2]
        mp_image = Image(image_format=ImageFormat.SRGB, data=np.ascontiguousarray(image[:, :, ::-1]))
        if self._video:
            self._ts += 40
            result = self._landmarker.detect_for_video(mp_image, self._ts)
        else:
            result = self._landmarker.detect(mp_image)
        return [np.array([(p.x * w, p.y * h) for p in m], np.float32) for m in result.hand_landmarks]

    def close(self) -> None:
        self._landmarker.close()


def _lab(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return rgb_to_lab(image[mask][:, ::-1].astype(float))


def without_highlights(lab: np.ndarray) -> np.ndarray:
    """CIELAB rows of a lip area less its brightest 10% (specular highlights, which carry the
    lamp's colour rather than the lipstick's)."""
    return lab[lab[:, 0] <= np.percentile(lab[:, 0], 90)]


def _lip_body(shape, face: FaceResult) -> np.ndarray:
    lips = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(lips, [np.round(face.landmarks[R.LIPS_OUTER]).astype(np.int32)], 255)
    cv2.fillPoly(lips, [np.round(face.landmarks[R.LIPS_INNER]).astype(np.int32)], 0)
    return lips > 0


def _masks(shape, face: FaceResult, hands: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(surely hand over the lip body, lip body surely clear of hands)."""
    lips = _lip_body(shape, face)
    hand = np.zeros(shape[:2], np.uint8)
    near = np.zeros(shape[:2], np.uint8)
    for pts in hands:
        size = hand_size(pts)
        hand |= cv2.erode(draw_hand(shape[:2], pts, REF_RADIUS * size + 2), np.ones((5, 5), np.uint8))
        near |= draw_hand(shape[:2], pts, CLEAR_RADIUS * size)
    return lips & (hand > 0), lips & (near == 0)


def _summary(
    n: int, occluded: int, hand_de: list[np.ndarray], lips_lab: list[np.ndarray], shade: str
) -> HandPaint:
    if not n:
        raise ValueError("no frame has a hand over the lips")
    de = np.concatenate(hand_de)
    lips = np.concatenate(lips_lab) if lips_lab else np.zeros((0, 3))
    return HandPaint(
        n,
        occluded,
        int(de.size),
        float(np.median(de)),
        float(np.percentile(de, 90)),
        float(delta_e2000(lips, hex_to_lab(shade)).mean()) if len(lips) else float("nan"),
    )


def measure_hand_paint(
    frames: Iterable[Frame],
    shade: str = RED_MATTE,
    occlusion: bool = True,
    video: bool = True,
    track_every: int | None = None,
) -> HandPaint:
    """Red matte lipstick on every frame; the figures over frames where a hand covers the lips.
    `track_every`: how often the occluder runs its hand landmarker (None: its default)."""
    look = Look((Layer("lipstick", (shade,), "matte", 1.0),))
    judge = ReferenceHands(video)
    tracker = FaceTracker(mode="video" if video else "image", max_faces=1)
    options = {} if track_every is None else {"track_every": track_every}
    occluder = HandOccluder(**options)
    hand_de: list[np.ndarray] = []
    lips_lab: list[np.ndarray] = []
    n = occluded = 0
    try:
        for frame in frames:
            faces = tracker.process(frame)
            occ = occluder.update(frame.image, faces, frame.timestamp_ms) if occlusion else None
            if not video:  # stills: a fresh occluder per photo, as nothing carries over
                occluder.close()
                occluder = HandOccluder(**options)
            if not faces:
                continue
            hand_mask, clear = _masks(frame.image.shape, faces[0], judge(frame.image))
            if np.count_nonzero(hand_mask) < MIN_HAND_PX:
                continue
            out = render(frame.image, faces[:1], look, occlusion=occ)
            n += 1
            occluded += occ is not None
            hand_de.append(delta_e2000(_lab(out, hand_mask), _lab(frame.image, hand_mask)))
            lab = _lab(out, clear)
            if len(lab):
                lips_lab.append(without_highlights(lab))
    finally:
        judge.close()
        tracker.close()
        occluder.close()
    return _summary(n, occluded, hand_de, lips_lab, shade)


# A real hand (frame 95 of the demo clip, cut out along its outline) and, in the cutout's
# pixels, the mouth centre and inter-ocular distance of the face it was in front of: it is
# pasted over other faces at the same place and scale. tests/data/PROVENANCE.md has its source.
HAND_PHOTO = Path(__file__).resolve().parents[2] / "tests" / "data" / "hand_over_mouth.png"
HAND_MOUTH_XY = (151.8, 114.4)
HAND_IOD = 151.9


def composite_hand(image: np.ndarray, face: FaceResult) -> tuple[np.ndarray, np.ndarray]:
    """`image` with the hand photo over its mouth, and the hand's alpha (float32 0..1)."""
    rgba = cv2.imread(str(HAND_PHOTO), cv2.IMREAD_UNCHANGED)
    if rgba is None or rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"hand photo missing or without alpha: {HAND_PHOTO}")
    s = face.interocular / HAND_IOD
    mouth = face.landmarks[R.LIPS_OUTER].mean(axis=0)
    m = np.float32([[s, 0, mouth[0] - s * HAND_MOUTH_XY[0]], [0, s, mouth[1] - s * HAND_MOUTH_XY[1]]])
    size = image.shape[1::-1]
    # The cutout ends where the clip's frame did, at the forearm: replicating its last rows
    # down to the bottom of the photo continues the arm (its other edges are transparent), so
    # the hand is attached to something, as the palm detector expects a hand to be.
    warp = {"dsize": size, "borderMode": cv2.BORDER_REPLICATE}
    colour = cv2.warpAffine(rgba[:, :, :3], m, flags=cv2.INTER_CUBIC, **warp)
    alpha = cv2.warpAffine(rgba[:, :, 3], m, flags=cv2.INTER_LINEAR, **warp).astype(np.float32) / 255
    out = image * (1 - alpha[..., None]) + colour * alpha[..., None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), alpha


class _CompositeScore:
    """Hand paint on composites, the paste's alpha the ground truth: the rendering's ΔE2000 on
    the surely-hand pixels over the lip body, and the lips' colour well clear of the hand."""

    def __init__(self, shade: str) -> None:
        self.shade = shade
        self.look = Look((Layer("lipstick", (shade,), "matte", 1.0),))
        self.hand_de: list[np.ndarray] = []
        self.lips_lab: list[np.ndarray] = []
        self.frames = self.occluded = 0

    def add(self, image: np.ndarray, alpha: np.ndarray, faces: list[FaceResult], occ) -> None:
        lips = _lip_body(image.shape, faces[0])
        hand = lips & (cv2.erode((alpha > 0.99).view(np.uint8), np.ones((3, 3), np.uint8)) > 0)
        if np.count_nonzero(hand) < MIN_HAND_PX:
            return
        out = render(image, faces, self.look, occlusion=occ)
        clear = lips & (cv2.dilate((alpha > 0).view(np.uint8), np.ones((9, 9), np.uint8)) == 0)
        self.frames += 1
        self.occluded += occ is not None
        self.hand_de.append(delta_e2000(_lab(out, hand), _lab(image, hand)))
        lab = _lab(out, clear)
        if len(lab):
            self.lips_lab.append(without_highlights(lab))

    def summary(self) -> HandPaint:
        return _summary(self.frames, self.occluded, self.hand_de, self.lips_lab, self.shade)


def measure_composites(photos: Iterable[np.ndarray], shade: str = RED_MATTE) -> HandPaint:
    """The hand photo pasted over each face; the paste's alpha is the ground truth."""
    score = _CompositeScore(shade)
    tracker = FaceTracker(mode="image", max_faces=1)
    try:
        for photo in photos:
            found = tracker.process(Frame(photo, 0, 0))
            if not found:
                raise ValueError("no face in a photo to paste the hand over")
            image, alpha = composite_hand(photo, found[0])
            faces = tracker.process(Frame(image, 0, 0))
            if not faces:
                continue  # the hand hides too much of this face for the tracker: nothing is painted
            with HandOccluder() as occluder:
                score.add(image, alpha, faces, occluder.update(image, faces, 0))
    finally:
        tracker.close()
    return score.summary()


RAISE_FROM_IOD = 2.5


def hand_height(i: int, n: int) -> float | None:
    """Where the moving hand is in frame `i` of `n`, in inter-ocular distances below the mouth
    (None: out of view): raised over 0.15-0.35 of the clip from 2.5 below (a quick half
    second at 24 fps), held over the mouth to 0.7, lowered again by 0.9."""
    up, held, down, gone = 0.15 * n, 0.35 * n, 0.7 * n, 0.9 * n
    if i < up or i > gone:
        return None
    if i < held:
        return RAISE_FROM_IOD * (held - i) / (held - up)
    return RAISE_FROM_IOD * max(0.0, i - down) / (gone - down)


def measure_moving_composite(frames: list[Frame], shade: str = RED_MATTE) -> HandPaint:
    """The hand photo raised to the mouth of a face clip, held there swaying, and lowered, as
    the kiosk sees it (one face tracker and one occluder over the frames); the paste's alpha
    is the ground truth. The hand follows the face as tracked on the clip without it."""
    with FaceTracker(mode="video", max_faces=1) as clean:
        bare = [clean.process(frame) for frame in frames]
    score = _CompositeScore(shade)
    with FaceTracker(mode="video", max_faces=1) as tracker, HandOccluder() as occluder:
        for i, (frame, found) in enumerate(zip(frames, bare, strict=True)):
            below = hand_height(i, len(frames))
            image, alpha = frame.image, None
            if below is not None and found:
                iod = found[0].interocular
                sway = (0.1 * iod * np.sin(i / 4.0), below * iod)  # a hand is never still
                moved = replace(found[0], landmarks=found[0].landmarks + np.float32(sway))
                image, alpha = composite_hand(frame.image, moved)
            faces = tracker.process(Frame(image, frame.timestamp_ms, frame.index))
            occ = occluder.update(image, faces, frame.timestamp_ms)
            if faces and alpha is not None:
                score.add(image, alpha, faces, occ)
    return score.summary()


def draw_objects(image: np.ndarray, face: FaceResult) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Non-hand occluders drawn over `image` (name -> (image, object mask)), to measure how much
    paint lands on them. Sizes scale with the face."""
    iod, pts = face.interocular, face.landmarks
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def drawn(draw, colour) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(image.shape[:2], np.uint8)
        draw(mask, 255)
        shown = image.copy()
        draw(shown, colour)
        return shown, mask > 0

    def rims(canvas, colour):
        for eye in (R.RIGHT_EYE, R.LEFT_EYE):
            c = pts[eye].mean(axis=0)
            axes = (round(0.45 * iod), round(0.3 * iod))
            cv2.ellipse(
                canvas, (round(c[0]), round(c[1])), axes, 0, 0, 360, colour, max(2, round(0.05 * iod))
            )

    def phone(canvas, colour):  # a phone's corner raised to the mouth, covering half the lips
        lips = pts[R.LIPS_OUTER]
        x_mid, y_top = float(lips[:, 0].mean()), float(lips[:, 1].min()) - 0.3 * iod
        cv2.rectangle(
            canvas, (round(x_mid), round(y_top)), (round(x_mid + iod), round(y_top + 1.5 * iod)), colour, -1
        )

    def strands(canvas, colour):  # hair falling across an eye and the cheek below it
        c = pts[R.RIGHT_EYE].mean(axis=0)
        for dx in (-0.15, 0.0, 0.12):
            p0 = (round(c[0] + dx * iod), round(c[1] - 0.6 * iod))
            p1 = (round(c[0] + (dx + 0.25) * iod), round(c[1] + 0.9 * iod))
            cv2.line(canvas, p0, p1, colour, max(1, round(0.015 * iod)), cv2.LINE_AA)

    out["glasses rims"] = drawn(rims, (30, 30, 30))
    out["phone over the lips"] = drawn(phone, (40, 40, 45))
    out["hair strands"] = drawn(strands, (20, 40, 70))
    return out


def measure_objects(
    faces: Iterable[tuple[np.ndarray, FaceResult]], look: Look
) -> dict[str, tuple[float, float]]:
    """name -> (median, p90) ΔE2000 the rendering makes on the object's pixels, all faces together."""
    changes: dict[str, list[np.ndarray]] = {}
    for image, face in faces:
        for name, (shown, mask) in draw_objects(image, face).items():
            out = render(shown, [face], look)
            changes.setdefault(name, []).append(delta_e2000(_lab(out, mask), _lab(shown, mask)))
    return {
        n: (float(np.median(np.concatenate(c))), float(np.percentile(np.concatenate(c), 90)))
        for n, c in changes.items()
    }


def _webcam(still: np.ndarray, frames: int, seed: int):
    """`still` as a webcam would send it: fresh sensor noise and JPEG compression every frame (as
    vision.tracking_quality does), so any change of what is computed from it is flicker."""
    rng = np.random.default_rng(seed)
    for _ in range(frames):
        noisy = np.clip(still + rng.normal(0, 5, still.shape), 0, 255).astype(np.uint8)
        _, jpeg = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 70])
        yield cv2.imdecode(jpeg, cv2.IMREAD_COLOR)


def _edge_flicker(hidden_masks: list[np.ndarray]) -> float:
    """Pixels that cross visibility 0.5 between two frames, over the length of the edge: the
    edge's mean displacement per frame, in pixels."""
    flips = sum(np.count_nonzero(a != b) for a, b in itertools.pairwise(hidden_masks))
    edge = sum(
        np.count_nonzero(cv2.morphologyEx(m, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))) / 2
        for m in hidden_masks[1:]
    )
    if edge == 0:
        raise ValueError("nothing was hidden: no edge to flicker")
    return float(flips / edge)


def mask_flicker(image: np.ndarray, face: FaceResult, frames: int = 40, seed: int = 0) -> float:
    """How far the hand mask's edge moves per frame while nothing moves, in pixels: the hand
    photo pasted over a still face, played as a webcam would send it."""
    still, _ = composite_hand(image, face)
    masks = []
    with HandOccluder() as occluder:
        for i, frame in enumerate(_webcam(still, frames, seed)):
            occ = occluder.update(frame, [face], i * 33)
            if i < 10:  # the tracker's and the filters' start-up
                continue
            if occ is None:
                raise ValueError("the hand was not found on every frame")
            hidden = np.zeros(image.shape[:2], np.uint8)
            (ox, oy), (h, w) = occ.origin, occ.visibility.shape
            hidden[oy : oy + h, ox : ox + w] = occ.visibility < 0.5
            masks.append(hidden)
    return _edge_flicker(masks)


def unlike_skin_flicker(
    image: np.ndarray, face: FaceResult, frames: int = 20, seed: int = 0
) -> dict[str, float]:
    """The same for `vision.occlusion.unlike_skin`'s cover over each drawn object (name -> px per
    frame): it is worked out from each frame alone, so this is all the flicker it can have."""
    geo = FaceGeometry(face.landmarks, image.shape[:2])
    out = {}
    for name, (shown, _) in draw_objects(image, face).items():
        masks = []
        for frame in _webcam(shown, frames, seed):
            cover = unlike_skin(frame, geo)
            masks.append((cover.visibility < 0.5).view(np.uint8) if cover is not None else None)
        if all(m is not None for m in masks):
            out[name] = _edge_flicker(masks)
    return out
