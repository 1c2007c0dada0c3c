"""Live floor tracking for a handheld camera: detect the board each frame, smooth the pose,
and say clearly when the board is lost.

States: "tracking" (seen this frame), "holding" (not seen for at most `hold_frames` frames;
the last pose is kept so one blurred frame does not make the sofa blink), "lost" (no pose;
the UI asks the shopper to point the camera at the board).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.plane.board import BoardSpec
from vision.plane.camera import Intrinsics
from vision.plane.floor import BoardNotFoundError, FloorDetector, FloorPose
from vision.smoothing import OneEuroFilter

LOST_MESSAGE = "marker lost: point the camera at the board on the floor"


@dataclass(frozen=True)
class TrackState:
    status: str  # "tracking" | "holding" | "lost"
    pose: FloorPose | None
    frames_unseen: int
    message: str = ""


def _quat(R: np.ndarray) -> np.ndarray:
    w = np.sqrt(max(1e-12, 1 + R[0, 0] + R[1, 1] + R[2, 2])) / 2
    return np.array(
        [w, (R[2, 1] - R[1, 2]) / (4 * w), (R[0, 2] - R[2, 0]) / (4 * w), (R[1, 0] - R[0, 1]) / (4 * w)]
    )


def _rot(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


class FloorTracker:
    def __init__(
        self, board: BoardSpec, intrinsics: Intrinsics, smoothing: bool = True, hold_frames: int = 10
    ) -> None:
        self.board = board
        self.intrinsics = intrinsics
        self.hold_frames = hold_frames
        self._detector = FloorDetector(board)
        # Speeds are in metres (or quaternion units) per second: a kiosk webcam on a hand
        # moves ~0.1 m/s, jitter is millimetres, so a low floor cutoff and a modest beta.
        self._filter = OneEuroFilter(min_cutoff_hz=0.8, beta=4.0) if smoothing else None
        self._last: FloorPose | None = None
        self._unseen = 0

    def update(self, image: np.ndarray, t_ms: float) -> TrackState:
        try:
            pose = self._detector.detect(image, self.intrinsics)
        except BoardNotFoundError:
            self._unseen += 1
            if self._last is not None and self._unseen <= self.hold_frames:
                return TrackState(
                    "holding", self._last, self._unseen, "board not seen; holding the last pose"
                )
            self._last = None
            if self._filter is not None:
                self._filter.reset()
            return TrackState("lost", None, self._unseen, LOST_MESSAGE)
        self._unseen = 0
        if self._filter is not None:
            pose = self._smooth(pose, t_ms)
        self._last = pose
        return TrackState("tracking", pose, 0)

    def _smooth(self, pose: FloorPose, t_ms: float) -> FloorPose:
        import cv2

        R = pose.R_board
        q = _quat(R)
        if self._last is not None and np.dot(q, _quat(self._last.R_board)) < 0:
            q = -q  # same rotation, kept on the filter's side of the quaternion sphere
        state = self._filter(np.concatenate([np.asarray(pose.tvec), q])[None], t_ms, 1.0)[0]
        rvec = cv2.Rodrigues(_rot(state[3:]))[0].ravel()
        return FloorPose(
            tuple(map(float, rvec)),
            tuple(map(float, state[:3])),
            pose.board,
            pose.reprojection_error_px,
            pose.corners,
        )
