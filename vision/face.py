"""Face tracking with MediaPipe Face Landmarker (Tasks API).

VIDEO mode for streams (MediaPipe tracks between frames, which is faster and steadier, and
needs strictly increasing timestamps), IMAGE mode for stills. Landmarks come back in pixels,
smoothed with a One-Euro filter per tracked face; when a face is lost for a few frames the
last result is held (grace period) so the makeup does not blink off during a blink or a
hand passing the chin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vision.capture import Frame
from vision.model_file import ModelFileError, read_checked
from vision.smoothing import OneEuroFilter

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "face_landmarker.task"
MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
NUM_LANDMARKS = 478
# Outer eye corners (subject's right 33, left 263): the face's yardstick.
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
# One-Euro speed coefficient, measured at 720p (inter-ocular distance 286 px): on a quick head
# turn (4 inter-ocular distances per second) the landmarks trail by 6.4 px with beta 8 and
# 2.9 px with 20; jitter on a still face is 0.15 vs 0.16 px, and on the real clips' near-still
# frames ×0.60 vs ×0.70 of the raw landmarks'. Makeup that keeps up with a turning head is
# worth that much jitter (still well under a pixel).
SMOOTHING_BETA = 20.0


class FaceModelError(ModelFileError):
    """The face model file is missing or is not the file we ship."""


def load_model_bytes(path: Path = MODEL_PATH, sha256: str = MODEL_SHA256) -> bytes:
    restore = "restore it with `git checkout -- models/face_landmarker.task`"
    return read_checked(path, sha256, "face model", restore, FaceModelError)


@dataclass(frozen=True)
class FaceResult:
    landmarks: np.ndarray  # (478, 2) float32, pixels
    blendshapes: dict[str, float] = field(default_factory=dict)
    transform: np.ndarray = field(default_factory=lambda: np.eye(4, dtype=np.float32))
    bbox: tuple[int, int, int, int] = (0, 0, 0, 0)  # x0, y0, x1, y1 in pixels

    @property
    def interocular(self) -> float:
        return float(np.linalg.norm(self.landmarks[LEFT_EYE_OUTER] - self.landmarks[RIGHT_EYE_OUTER]))


def main_face(faces: list[FaceResult]) -> FaceResult | None:
    """The shopper is the largest face (someone passing behind is smaller)."""
    if not faces:
        return None
    return max(faces, key=lambda f: (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]))


def _bbox(points: np.ndarray, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0 = np.floor(points.min(axis=0)).astype(int)
    x1, y1 = np.ceil(points.max(axis=0)).astype(int)
    return max(0, x0), max(0, y0), min(width, x1 + 1), min(height, y1 + 1)


class FaceTracker:
    def __init__(
        self,
        mode: str = "video",
        max_faces: int = 2,
        smoothing: bool = True,
        grace_frames: int = 4,
        min_cutoff_hz: float = 1.0,
        beta: float = SMOOTHING_BETA,
    ) -> None:
        from mediapipe import Image, ImageFormat  # noqa: F401  (imported for _to_mp_image)
        from mediapipe.tasks.python import BaseOptions
        from mediapipe.tasks.python.vision import FaceLandmarker, FaceLandmarkerOptions, RunningMode

        if mode not in ("video", "image"):
            raise ValueError(f"mode must be 'video' or 'image', not {mode!r}")
        self.mode = mode
        options = FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=load_model_bytes()),
            running_mode=RunningMode.VIDEO if mode == "video" else RunningMode.IMAGE,
            num_faces=max_faces,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        self._landmarker = FaceLandmarker.create_from_options(options)
        self._smoothing = smoothing and mode == "video"
        self._filters = [OneEuroFilter(min_cutoff_hz, beta) for _ in range(max_faces)]
        self._grace_frames = grace_frames
        self._missed = 0
        self._last: list[FaceResult] = []
        self._last_ts = -1

    def process(self, frame: Frame) -> list[FaceResult]:
        from mediapipe import Image, ImageFormat

        image = frame.image
        height, width = image.shape[:2]
        rgb = np.ascontiguousarray(image[:, :, ::-1])
        mp_image = Image(image_format=ImageFormat.SRGB, data=rgb)
        if self.mode == "video":
            ts = max(int(frame.timestamp_ms), self._last_ts + 1)  # MediaPipe rejects non-increasing
            self._last_ts = ts
            result = self._landmarker.detect_for_video(mp_image, ts)
        else:
            ts = frame.timestamp_ms
            result = self._landmarker.detect(mp_image)

        faces: list[FaceResult] = []
        order = sorted(
            range(len(result.face_landmarks)), key=lambda i: np.mean([p.x for p in result.face_landmarks[i]])
        )  # left-to-right order keeps each face on the same filter between frames
        for slot, i in enumerate(order):
            pts = np.array([(p.x * width, p.y * height) for p in result.face_landmarks[i]], dtype=np.float32)
            if self._smoothing:
                scale = float(np.linalg.norm(pts[LEFT_EYE_OUTER] - pts[RIGHT_EYE_OUTER]))
                pts = self._filters[slot](pts, float(ts), scale).astype(np.float32)
            blend = (
                {c.category_name: float(c.score) for c in result.face_blendshapes[i]}
                if result.face_blendshapes
                else {}
            )
            matrix = (
                np.asarray(result.facial_transformation_matrixes[i], dtype=np.float32)
                if result.facial_transformation_matrixes
                else np.eye(4, dtype=np.float32)
            )
            faces.append(FaceResult(pts, blend, matrix, _bbox(pts, width, height)))

        if faces:
            self._missed = 0
            for slot in range(len(faces), len(self._filters)):
                self._filters[slot].reset()
            self._last = faces
            return faces
        self._missed += 1
        if self._smoothing and self._missed <= self._grace_frames:
            return self._last
        for f in self._filters:
            f.reset()
        self._last = []
        return []

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> FaceTracker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
