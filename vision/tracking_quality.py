"""Measures of how steady and how prompt the tracked landmarks are, on a real photo.

Used by the tests and by `make bench`, so the figures quoted for the smoothing filter come
from one implementation. A real face photo is played as a video: first still (with fresh
sensor-like noise every frame, so MediaPipe jitters as it does on a live camera), then
sliding sideways at a steady speed, where any lag the filter adds shows up as distance
behind the unsmoothed tracker.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vision.capture import Frame
from vision.face import FaceTracker


@dataclass(frozen=True)
class TrackingQuality:
    jitter_raw: float  # landmark std on a still face, in inter-ocular distances (IOD)
    jitter_smoothed: float
    lag_smoothed: float  # mean distance behind the raw tracker while the face moves, in IOD
    speed_iod_per_s: float


def _landmark_runs(image: np.ndarray, smoothing: bool, still: int, moving: int, step_px: float, seed: int):
    rng = np.random.default_rng(seed)
    tracker = FaceTracker(mode="video", max_faces=1, smoothing=smoothing)
    out = []
    try:
        for i in range(still + moving):
            shift = max(0, i - still) * step_px
            moved = cv2.warpAffine(
                image,
                np.float32([[1, 0, shift], [0, 1, 0]]),
                image.shape[1::-1],
                borderMode=cv2.BORDER_REFLECT,
            )
            # Webcam-like: sensor noise, then the camera's own JPEG/MJPEG compression.
            noisy = np.clip(moved + rng.normal(0, 5, moved.shape), 0, 255).astype(np.uint8)
            _, jpeg = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 70])
            faces = tracker.process(Frame(cv2.imdecode(jpeg, cv2.IMREAD_COLOR), i * 33, i))
            out.append(faces[0].landmarks if faces else None)
    finally:
        tracker.close()
    return out


def measure_tracking(
    image: np.ndarray, still: int = 50, moving: int = 20, step_px: float = 3.0
) -> TrackingQuality:
    raw = _landmark_runs(image, False, still, moving, step_px, seed=1)
    smooth = _landmark_runs(image, True, still, moving, step_px, seed=1)
    if any(r is None for r in raw + smooth):
        raise ValueError("face lost during the measurement")
    iod = float(np.linalg.norm(raw[0][263] - raw[0][33]))

    def jitter(seq):
        arr = np.stack(seq[20:still])  # skip the tracker's and the filter's start-up
        return float(np.linalg.norm(arr.std(axis=0), axis=1).mean() / iod)

    lag = (
        np.mean([np.linalg.norm(smooth[i] - raw[i], axis=1).mean() for i in range(still + 5, still + moving)])
        / iod
    )
    return TrackingQuality(jitter(raw), jitter(smooth), float(lag), step_px / 0.033 / iod)


@dataclass(frozen=True)
class VideoJitter:
    frames: int  # near-static frames measured
    raw: float  # mean |second difference| of landmarks, in IOD
    smoothed: float


def video_jitter(path: str, still_speed_iod: float = 0.01) -> VideoJitter:
    """Jitter on the near-static frames of a real video.

    The second difference x[t-1] - 2x[t] + x[t+1] is ~0 for a face that is still or moving
    steadily, so what remains is jitter. Near-static frames are those where the raw face
    centre moves less than `still_speed_iod` inter-ocular distances per frame.
    """
    from vision.capture import open_source

    def run(smoothing: bool) -> list[np.ndarray | None]:
        tracker = FaceTracker(mode="video", max_faces=1, smoothing=smoothing)
        try:
            return [
                (faces[0].landmarks if (faces := tracker.process(f)) else None) for f in open_source(path)
            ]
        finally:
            tracker.close()

    raw, smooth = run(False), run(True)
    raw_j, smooth_j = [], []
    for t in range(1, len(raw) - 1):
        window = raw[t - 1 : t + 2] + smooth[t - 1 : t + 2]
        if any(w is None for w in window):
            continue
        iod = float(np.linalg.norm(raw[t][263] - raw[t][33]))
        speed = float(np.linalg.norm(raw[t + 1].mean(axis=0) - raw[t].mean(axis=0))) / iod
        if speed > still_speed_iod:
            continue
        raw_j.append(np.linalg.norm(raw[t - 1] - 2 * raw[t] + raw[t + 1], axis=1).mean() / iod)
        smooth_j.append(np.linalg.norm(smooth[t - 1] - 2 * smooth[t] + smooth[t + 1], axis=1).mean() / iod)
    if not raw_j:
        raise ValueError(f"no near-static frames with a face in {path}")
    return VideoJitter(len(raw_j), float(np.mean(raw_j)), float(np.mean(smooth_j)))
