"""`HandOccluder`: where the shopper's hands cover their face, frame after frame.

MediaPipe's HandLandmarker (palm detector + 21-point hand landmarks, the model bundle built
by tools/build_hand_model.py) runs in VIDEO mode, so between palm detections it tracks the
hand from the previous frame's landmarks. To keep it cheap it only sees a region around
the faces (hands that matter are there), downscaled; while no hand is around it runs only
every `idle_every`-th frame (a hand takes a few frames to come up to the face anyway). While
one is tracked it can run every `track_every`-th frame, the frames between moving the last
landmarks on at their measured speed; on the demo clip (24 fps) every 2nd frame halves its
cost but lets paint onto moving fingers (hand ΔE2000 p90 ~5 instead of 0), so the default
runs it on every frame (`make bench` prints both costs). It looks for one hand: with two
wanted, MediaPipe runs the palm detector on every frame where it tracks fewer, which doubles
the cost, and a shopper trying on makeup rarely holds both hands over the face. Hand landmarks are
One-Euro smoothed (so the mask's edge does not shimmer along a still finger) and turned
into a pixel mask by `hand_mask.hand_coverage` on every frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from vision.face import FaceResult
from vision.model_file import ModelFileError, read_checked
from vision.occlusion.hand_mask import BAND_RADIUS, ColourModel, hand_coverage, hand_size
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


def search_rect(faces: Sequence[FaceResult], shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where a hand that covers a face must be (mostly): around the faces, reaching well below
    the chin, since a hand at the mouth is attached to a wrist and the palm detector needs it."""
    h, w = shape
    boxes = np.array([f.bbox for f in faces], np.float32)
    x0, y0 = boxes[:, :2].min(axis=0)
    x1, y1 = boxes[:, 2:].max(axis=0)
    fw, fh = x1 - x0, y1 - y0
    return (
        max(0, int(x0 - 0.6 * fw)),
        max(0, int(y0 - 0.3 * fh)),
        min(w, int(x1 + 0.6 * fw)),
        min(h, int(y1 + 1.0 * fh)),
    )


class HandOccluder:
    def __init__(
        self,
        input_px: int = 320,
        idle_every: int = 3,
        track_every: int = 1,
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
        self._hands: list[np.ndarray] = []  # as last measured
        self._speeds: list[np.ndarray] = []  # px per ms, per landmark
        self._skipped = idle_every  # frames since the landmarker last ran: the first frame looks
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
        if self._skipped < (self._track_every if self._hands else self._idle_every):
            dt = max(0, int(timestamp_ms) - self._last_ts)
            return [p + v * dt for p, v in zip(self._hands, self._speeds, strict=True)]
        self._skipped = 0
        from mediapipe import Image, ImageFormat

        x0, y0, x1, y1 = search_rect(faces, frame_bgr.shape[:2])
        if x1 - x0 < 16 or y1 - y0 < 16:  # a face at the frame's very edge: no room for a hand
            return []
        scale = min(1.0, self._input_px / max(x1 - x0, y1 - y0))
        roi = frame_bgr[y0:y1, x0:x1]
        if scale < 1.0:
            roi = cv2.resize(roi, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        rgb = np.ascontiguousarray(roi[:, :, ::-1])
        ts = max(int(timestamp_ms), self._last_ts + 1)  # VIDEO mode rejects non-increasing stamps
        dt, self._last_ts = ts - self._last_ts, ts
        result = self._landmarker.detect_for_video(Image(image_format=ImageFormat.SRGB, data=rgb), ts)
        rh, rw = rgb.shape[:2]
        found = [
            np.array([(p.x * rw / scale + x0, p.y * rh / scale + y0) for p in marks], np.float32)
            for marks in result.hand_landmarks
        ]
        found.sort(key=lambda p: float(p[:, 0].mean()))  # left to right keeps each hand on its filter
        for slot in range(len(found), MAX_HANDS):
            self._filters[slot].reset()
            self._colours[slot] = None
        hands = [self._filters[i](p, float(ts), hand_size(p)) for i, p in enumerate(found)]
        if len(hands) == len(self._hands):
            self._speeds = [(new - old) / dt for new, old in zip(hands, self._hands, strict=True)]
        else:
            self._speeds = [np.zeros_like(p) for p in hands]
        self._hands = hands
        return self._hands

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
        self._hands, self._speeds = [], []
        self._skipped = self._idle_every

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> HandOccluder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
