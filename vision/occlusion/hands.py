"""`HandOccluder`: where the shopper's hands cover their face, frame after frame.

MediaPipe's HandLandmarker (palm detector + 21-point hand landmarks, the model bundle built
by tools/build_hand_model.py) runs in VIDEO mode, so between palm detections it tracks the
hand from the previous frame's landmarks. To keep it cheap it only sees a region around
the faces (hands that matter are there), downscaled; while no hand is around it runs only
every `idle_every`-th frame (a hand takes a few frames to come up to the face anyway). While
one is tracked it runs every `track_every`-th frame, and on the frames between, optical flow
(pyramidal Lucas-Kanade on a small grey patch around the hand, well under a millisecond)
carries the landmarks along with the image, so a moving finger stays covered: on the demo
clip (24 fps) hand-pixel ΔE2000 p90 is 0.0 with the landmarker on every frame, every 2nd and
every 3rd, 1.1 every 4th and 1.0 every 6th (with the tighter search region of before: 0.0,
0.5, 0.4, 1.2, 2.4, and 0.7 every 3rd with the clip played at 12 fps), where moving the
landmarks on at their last speed gave ~5 every 2nd. Every 3rd is the default, at about a
third of the landmarker's cost (`make bench` prints the costs of every frame, every 2nd and
every 3rd). A hand the flow sees sweeping faster than FAST_HAND is looked at again on the
next frame, and on every frame while the landmarker sees it that fast: the flow is least sure
of a fast hand's edges. It looks for one hand: with two wanted,
MediaPipe runs the palm detector on every frame where it tracks fewer, which doubles the
cost, and a shopper trying on makeup rarely holds both hands over the face. Hand landmarks,
measured or followed, are One-Euro smoothed (so the mask's edge does not shimmer along a
still finger) and turned into a pixel mask by `hand_mask.hand_coverage` on every frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision.face import FaceResult
from vision.model_file import ModelFileError, read_checked
from vision.occlusion.hand_mask import BAND_RADIUS, ColourModel, hand_coverage, hand_size, shrink
from vision.occlusion.visibility import Occlusion
from vision.smoothing import OneEuroFilter

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "hand_landmarker.task"
MODEL_SHA256 = "68f828b980ef17589f0143c50c84b65f091b350cc5a1cdc036427d9f7307e21e"
MAX_HANDS = 1


class HandModelError(ModelFileError):
    """The hand model file is missing or is not the file we ship."""


def load_hand_model(path: Path = MODEL_PATH, sha256: str = MODEL_SHA256) -> bytes:
    restore = "rebuild it with `python tools/build_hand_model.py`"
    return read_checked(path, sha256, "hand model", restore, HandModelError)


# Margins of the search region around the faces, in face widths (sides) and heights (above,
# below): 3.4 face widths across in all (`search_rect` says why).
SEARCH_SIDES, SEARCH_ABOVE, SEARCH_BELOW = 1.2, 0.7, 1.75


def search_rect(faces: Sequence[FaceResult], shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where a hand that covers a face must be (mostly): around the faces, reaching well below
    the chin, since a hand at the mouth is attached to a wrist and the palm detector needs it.

    Wide enough that such a hand is not most of what the palm detector sees: MediaPipe runs it
    on whole frames, and it misses or misplaces a hand that fills its input. In a region 2.2
    face widths across (margins 0.6, 0.3, 1.0) the hand photo pasted over 8 faces was found on
    all of them, but on 2 with the fingers short of the lips (hand-pixel p90 30.7), and a hand
    rising to the mouth of the Pexels clip was found 2 frames after a full-frame landmarker
    finds it. With these margins: p90 0.0 on the pasted hand, the rising hand found 3 frames
    sooner, the demo clip 0.4 -> 0.0. The region stops at the frame's edge: padding it with
    black there, to hold the hand's scale, only shrank the demo's close hand (lost on 5 frames).
    The landmarker's cost does not depend on the region's size (its models take fixed inputs)."""
    h, w = shape
    boxes = np.array([f.bbox for f in faces], np.float32)
    x0, y0 = boxes[:, :2].min(axis=0)
    x1, y1 = boxes[:, 2:].max(axis=0)
    fw, fh = x1 - x0, y1 - y0
    return (
        max(0, int(x0 - SEARCH_SIDES * fw)),
        max(0, int(y0 - SEARCH_ABOVE * fh)),
        min(w, int(x1 + SEARCH_SIDES * fw)),
        min(h, int(y1 + SEARCH_BELOW * fh)),
    )


# Optical flow follows a hand on a grid where it is about this many pixels long: enough
# texture on the fingers for Lucas-Kanade, and a fast hand still moves under a window's width
# per pyramid level.
FLOW_HAND_PX = 96
FLOW_WINDOW = 15
FLOW_LEVELS = 3
FLOW_MARGIN = 0.5  # of the hand's size, around its landmarks: how far it may move meanwhile
# Faster than this (hand sizes per second) the flow is not trusted to carry a hand to the next
# frame and the landmarker looks again. A fingertip's flow window holds what is behind it,
# and a hand sweeping to or from the mouth (4-7 hand sizes a second) left fingertips on the
# lips (the hand raised to the mouth of face_clip.mp4: hand-pixel p90 32.9 -> 16.8, with the
# landmarker on 26 of 72 frames instead of 24). Judged on the flow's step only, a hand lowered
# off the lips alternated landmarker and flow frames, and the flow carried it half as far as
# it went; judged on the landmarker's own step too, the landmarker follows it frame by frame
# (16.8 -> 14.6, 30 of 72 frames). The demo clip's hand, touching the face, moves at a median
# 0.2 and p90 1.5: the landmarker runs on 106 of its 300 frames instead of 100 (p90 0.3 -> 0.0).
FAST_HAND = 3.0


@dataclass(frozen=True)
class FlowPatch:
    """Grey pixels around the hands in the frame their landmarks were measured on."""

    grey: np.ndarray
    rect: tuple[int, int, int, int]  # frame pixels
    scale: float  # about how many grid pixels per frame pixel
    to_grid: np.ndarray  # exactly, in x and y

    @staticmethod
    def around(frame_bgr: np.ndarray, hands: list[np.ndarray]) -> FlowPatch:
        pts = np.concatenate(hands)
        pad = FLOW_MARGIN * max(hand_size(p) for p in hands)
        h, w = frame_bgr.shape[:2]
        x0, y0 = np.maximum(np.floor(pts.min(axis=0) - pad).astype(int), 0)
        x1, y1 = np.minimum(np.ceil(pts.max(axis=0) + pad).astype(int), (w, h))
        scale = min(1.0, FLOW_HAND_PX / max(max(hand_size(p) for p in hands), 1.0))
        rect = (int(x0), int(y0), int(x1), int(y1))
        grey, (shown_w, shown_h) = _grey(frame_bgr, rect, scale)
        return FlowPatch(
            grey, rect, scale, np.array([grey.shape[1] / shown_w, grey.shape[0] / shown_h], np.float32)
        )

    def follow(self, frame_bgr: np.ndarray, pts: np.ndarray) -> tuple[np.ndarray, FlowPatch]:
        """`pts` (on this patch's frame) where they are in `frame_bgr`, and the patch of that
        frame to follow them from next. A point the flow loses moves as the others do (their
        median); a hand it loses (a blur) stays where it was until the landmarker looks again."""
        x0, y0 = self.rect[:2]
        if self.grey.shape[0] < FLOW_WINDOW or self.grey.shape[1] < FLOW_WINDOW:
            return pts, self
        now, _ = _grey(frame_bgr, self.rect, self.scale)
        then = FlowPatch(now, self.rect, self.scale, self.to_grid)
        before = ((pts - (x0, y0)) * self.to_grid).astype(np.float32).reshape(-1, 1, 2)
        after, status, _ = cv2.calcOpticalFlowPyrLK(
            self.grey, now, before, None, winSize=(FLOW_WINDOW, FLOW_WINDOW), maxLevel=FLOW_LEVELS
        )
        step = (after - before).reshape(-1, 2) / self.to_grid
        found = status.ravel() == 1
        if found.sum() < len(pts) // 2:
            return pts, then
        step[~found] = np.median(step[found], axis=0)
        return (pts + step).astype(np.float32), then


def _moved_fast(before: list[np.ndarray], after: list[np.ndarray], dt_ms: float) -> bool:
    """Whether a hand moved faster than FAST_HAND between two readings of it (the median of
    its points' steps, in hand sizes per second)."""
    if not before or len(before) != len(after) or dt_ms <= 0:
        return False
    return any(
        float(np.median(np.linalg.norm(b - a, axis=1))) / max(hand_size(b), 1.0) * 1000.0 / dt_ms > FAST_HAND
        for a, b in zip(before, after, strict=True)
    )


def _grey(
    frame_bgr: np.ndarray, rect: tuple[int, int, int, int], scale: float
) -> tuple[np.ndarray, tuple[int, int]]:
    x0, y0, x1, y1 = rect
    return shrink(cv2.cvtColor(frame_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY), scale)


class HandOccluder:
    def __init__(
        self,
        input_px: int = 320,
        idle_every: int = 3,
        track_every: int = 3,
        min_cutoff_hz: float = 1.5,
        beta: float = 10.0,
    ) -> None:
        from mediapipe.tasks.python import BaseOptions
        from mediapipe.tasks.python.vision import HandLandmarker, HandLandmarkerOptions, RunningMode

        if input_px < 64 or idle_every < 1 or track_every < 1:
            raise ValueError("input_px must be ≥ 64, idle_every and track_every ≥ 1")
        options = HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=load_hand_model()),
            running_mode=RunningMode.VIDEO,
            num_hands=MAX_HANDS,
        )
        self._landmarker = HandLandmarker.create_from_options(options)
        self._input_px = input_px
        self._idle_every = idle_every
        self._track_every = track_every
        self._filters = [OneEuroFilter(min_cutoff_hz, beta) for _ in range(MAX_HANDS)]
        self._colours: list[ColourModel | None] = [None] * MAX_HANDS
        self._hands: list[np.ndarray] = []  # as last measured, or followed since
        self._flow_from: FlowPatch | None = None  # the hands' surroundings when last measured
        self._skipped = idle_every  # frames since the landmarker last ran: the first frame looks
        self._fast = False  # the hands moved too fast for the flow last frame: the landmarker looks
        self._last_ts = -1

    def hands(
        self, frame_bgr: np.ndarray, faces: Sequence[FaceResult], timestamp_ms: int
    ) -> list[np.ndarray]:
        """Smoothed (21, 2) landmarks in frame pixels of the hands near the faces."""
        if frame_bgr.dtype != np.uint8 or frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3:
            raise ValueError(f"expected a BGR uint8 frame (H×W×3), got {frame_bgr.dtype} {frame_bgr.shape}")
        if not faces:
            self.reset()
            return []
        self._skipped += 1
        if self._skipped < (1 if self._fast else self._track_every if self._hands else self._idle_every):
            if self._hands:
                self._hands = self._follow(frame_bgr, timestamp_ms)
            return self._hands
        self._skipped = 0
        from mediapipe import Image, ImageFormat

        x0, y0, x1, y1 = search_rect(faces, frame_bgr.shape[:2])
        if x1 - x0 < 16 or y1 - y0 < 16:  # a face at the frame's very edge: no room for a hand
            return []
        roi, (shown_w, shown_h) = shrink(frame_bgr[y0:y1, x0:x1], self._input_px / max(x1 - x0, y1 - y0))
        rgb = cv2.cvtColor(roi, cv2.COLOR_BGR2RGB)
        since = self._last_ts
        ts = self._next_ts(timestamp_ms)
        result = self._landmarker.detect_for_video(Image(image_format=ImageFormat.SRGB, data=rgb), ts)
        found = [
            np.array([(p.x * shown_w + x0, p.y * shown_h + y0) for p in marks], np.float32)
            for marks in result.hand_landmarks
        ]
        found.sort(key=lambda p: float(p[:, 0].mean()))  # left to right keeps each hand on its filter
        for slot in range(len(found), MAX_HANDS):
            self._filters[slot].reset()
            self._colours[slot] = None
        # A hand the landmarker itself saw move fast since the last frame is looked at again:
        # the flow would carry it short (its windows hold the still face behind the fingers).
        self._fast = _moved_fast(self._hands, found, ts - since)
        self._hands = [self._filters[i](p, float(ts), hand_size(p)) for i, p in enumerate(found)]
        self._flow_from = None
        if self._hands and self._track_every > 1:
            self._flow_from = FlowPatch.around(frame_bgr, self._hands)
        return self._hands

    def _follow(self, frame_bgr: np.ndarray, timestamp_ms: int) -> list[np.ndarray]:
        """The hands moved on from the last frame by optical flow (a finger moves with the image
        itself, not at the speed it had a frame earlier), smoothed like a landmarker reading so
        that flow noise on a still hand does not shimmer along its edge."""
        if self._flow_from is None:
            return self._hands
        since = self._last_ts
        pts, self._flow_from = self._flow_from.follow(frame_bgr, np.concatenate(self._hands))
        ts = self._next_ts(timestamp_ms)
        moved = np.split(pts, len(self._hands))
        # Judged on the flow's own step: the smoothed one lags a hand that sets off.
        self._fast = _moved_fast(self._hands, moved, ts - since)
        return [self._filters[i](p, float(ts), hand_size(p)) for i, p in enumerate(moved)]

    def _next_ts(self, timestamp_ms: int) -> int:
        """`timestamp_ms`, or just after the last one: VIDEO mode and the filters need rising stamps."""
        self._last_ts = max(int(timestamp_ms), self._last_ts + 1)
        return self._last_ts

    def update(
        self, frame_bgr: np.ndarray, faces: Sequence[FaceResult], timestamp_ms: int
    ) -> Occlusion | None:
        """Face visibility for this frame, or None when no hand covers any face."""
        hands = self.hands(frame_bgr, faces, timestamp_ms)
        if not hands:
            return None
        h, w = frame_bgr.shape[:2]
        fx0, fy0 = np.min([f.bbox[:2] for f in faces], axis=0)
        fx1, fy1 = np.max([f.bbox[2:] for f in faces], axis=0)
        covers: list[tuple[tuple[int, int, int, int], np.ndarray]] = []
        for slot, pts in enumerate(hands):
            pad = BAND_RADIUS * hand_size(pts) + 4
            x0, y0 = np.floor(pts.min(axis=0) - pad).astype(int)
            x1, y1 = np.ceil(pts.max(axis=0) + pad).astype(int)
            # Only where the hand meets a face: elsewhere there is no makeup to hold back.
            rect = (max(x0, fx0, 0), max(y0, fy0, 0), min(x1, fx1, w), min(y1, fy1, h))
            if rect[2] - rect[0] < 4 or rect[3] - rect[1] < 4:
                continue
            cover, self._colours[slot] = hand_coverage(frame_bgr, pts, rect, self._colours[slot])
            covers.append((rect, cover))
        if not covers:
            return None
        ux0, uy0 = min(r[0] for r, _ in covers), min(r[1] for r, _ in covers)
        ux1, uy1 = max(r[2] for r, _ in covers), max(r[3] for r, _ in covers)
        visibility = np.ones((uy1 - uy0, ux1 - ux0), np.float32)
        for (x0, y0, x1, y1), cover in covers:
            view = visibility[y0 - uy0 : y1 - uy0, x0 - ux0 : x1 - ux0]
            np.minimum(view, 1.0 - cover, out=view)
        return Occlusion(visibility, (int(ux0), int(uy0)))

    def reset(self) -> None:
        """Forget the hands seen so far (a new shopper, or the face left the frame)."""
        for f in self._filters:
            f.reset()
        self._colours = [None] * MAX_HANDS
        self._hands, self._flow_from = [], None
        self._skipped, self._fast = self._idle_every, False

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> HandOccluder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
