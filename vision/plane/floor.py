"""The floor plane: the camera's pose relative to a ChArUco board lying on the floor.

The floor frame ("world") has its origin at the board centre, Y up, X along the board's
squares_x axis and Z along its squares_y axis (towards the bottom edge of the printed board);
furniture placements are (x, z) in this frame. Board coordinates (OpenCV's) map to world as
x_b = X + w/2, y_b = Z + h/2, z_b = -Y.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision.plane.board import BoardSpec
from vision.plane.camera import CalibrationError, Intrinsics, read_json

# world -> board axes (a proper rotation: det = +1)
_WORLD_TO_BOARD = np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]])
MIN_CORNERS = 6  # IPPE needs 4; a few more keep a half-hidden board from giving a wild pose


class BoardNotFoundError(RuntimeError):
    """The board is not visible enough in the image to give a pose."""


@dataclass(frozen=True)
class FloorPose:
    rvec: tuple[float, float, float]  # board -> camera rotation (Rodrigues), OpenCV convention
    tvec: tuple[float, float, float]  # board origin in camera coordinates, metres
    board: str  # the board spec string
    reprojection_error_px: float
    corners: int  # ChArUco corners used

    @property
    def R_board(self) -> np.ndarray:
        import cv2

        return cv2.Rodrigues(np.asarray(self.rvec, dtype=np.float64))[0]

    @property
    def world_to_camera(self) -> tuple[np.ndarray, np.ndarray]:
        """(R, t) with p_cam = R @ p_world + t."""
        R_b = self.R_board
        centre = BoardSpec.parse(self.board).centre_m
        return R_b @ _WORLD_TO_BOARD, R_b @ centre + np.asarray(self.tvec)

    @property
    def camera_position(self) -> np.ndarray:
        R, t = self.world_to_camera
        return -R.T @ t

    @property
    def camera_height_m(self) -> float:
        return float(self.camera_position[1])

    def to_dict(self) -> dict:
        return {
            "board": self.board,
            "rvec": list(self.rvec),
            "tvec": list(self.tvec),
            "camera_height_m": round(self.camera_height_m, 4),
            "reprojection_error_px": round(self.reprojection_error_px, 4),
            "corners": self.corners,
        }

    @classmethod
    def from_dict(cls, data: dict) -> FloorPose:
        try:
            BoardSpec.parse(data["board"])
            return cls(
                tuple(float(x) for x in data["rvec"]),
                tuple(float(x) for x in data["tvec"]),
                data["board"],
                float(data.get("reprojection_error_px", 0.0)),
                int(data.get("corners", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(f"floor pose is malformed: {exc!r}") from exc

    @classmethod
    def from_world_to_camera(cls, R: np.ndarray, t: np.ndarray, board: BoardSpec) -> FloorPose:
        """The pose a perfect detector would report for a camera at (R, t); used to build
        synthetic ground truth."""
        import cv2

        R_b = R @ _WORLD_TO_BOARD.T
        t_b = t - R_b @ board.centre_m
        rvec = cv2.Rodrigues(R_b)[0].ravel()
        return cls(tuple(map(float, rvec)), tuple(map(float, t_b)), str(board), 0.0, 0)


@dataclass(frozen=True)
class Calibration:
    """What `kiosk calibrate floor` saves: the camera and where the floor is."""

    intrinsics: Intrinsics
    pose: FloorPose

    def to_dict(self) -> dict:
        return {**self.pose.to_dict(), "intrinsics": self.intrinsics.to_dict()}

    def save(self, path: Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: Path) -> Calibration:
        data = read_json(path, "floor calibration")
        if "intrinsics" not in data:
            raise CalibrationError(
                f"floor calibration {path} has no intrinsics; re-run `kiosk calibrate floor`"
            )
        return cls(Intrinsics.from_dict(data["intrinsics"]), FloorPose.from_dict(data))


class FloorDetector:
    """Finds the board and solves its pose. One detector per board: building it is not free."""

    def __init__(self, board: BoardSpec) -> None:
        import cv2

        self.board = board
        self._cv_board = board.cv2_board()
        self._detector = cv2.aruco.CharucoDetector(self._cv_board)

    def detect(self, image: np.ndarray, intrinsics: Intrinsics) -> FloorPose:
        import cv2

        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        if (gray.shape[1], gray.shape[0]) != (intrinsics.width, intrinsics.height):
            intrinsics = intrinsics.scaled_to(gray.shape[1], gray.shape[0])
        corners, ids, _, marker_ids = self._detector.detectBoard(gray)
        found = 0 if ids is None else len(ids)
        if found < MIN_CORNERS:
            markers = 0 if marker_ids is None else len(marker_ids)
            raise BoardNotFoundError(
                f"board {self.board} not found: {found} ChArUco corners and {markers} markers seen "
                f"(need {MIN_CORNERS} corners); is the whole board in view and well lit?"
            )
        obj, img = self._cv_board.matchImagePoints(corners, ids)
        K, dist = intrinsics.K, intrinsics.dist_coeffs
        ok, rvec, tvec = cv2.solvePnP(obj, img, K, dist, flags=cv2.SOLVEPNP_IPPE)
        if not ok:
            raise BoardNotFoundError(f"board {self.board}: solvePnP found no pose from {found} corners")
        rvec, tvec = cv2.solvePnPRefineLM(obj, img, K, dist, rvec, tvec)
        proj, _ = cv2.projectPoints(obj, rvec, tvec, K, dist)
        err = float(np.sqrt(np.mean(np.sum((proj.reshape(-1, 2) - img.reshape(-1, 2)) ** 2, axis=1))))
        return FloorPose(
            tuple(map(float, rvec.ravel())), tuple(map(float, tvec.ravel())), str(self.board), err, found
        )


def ray_to_floor(u: float, v: float, intrinsics: Intrinsics, pose: FloorPose) -> tuple[float, float] | None:
    """Tap-to-place: the floor point (x, z) under pixel (u, v), or None above the horizon."""
    import cv2

    pt = cv2.undistortPoints(np.array([[[u, v]]], dtype=np.float64), intrinsics.K, intrinsics.dist_coeffs)
    d_cam = np.array([pt[0, 0, 0], pt[0, 0, 1], 1.0])
    R, _ = pose.world_to_camera
    origin = pose.camera_position
    d = R.T @ d_cam
    if d[1] >= -1e-9 or origin[1] <= 0:
        return None
    s = -origin[1] / d[1]
    hit = origin + s * d
    return float(hit[0]), float(hit[2])


def project_world(points: np.ndarray, intrinsics: Intrinsics, pose: FloorPose) -> np.ndarray:
    """World points (N, 3) -> pixels (N, 2), with the lens distortion."""
    import cv2

    R, t = pose.world_to_camera
    px, _ = cv2.projectPoints(
        np.asarray(points, dtype=np.float64), cv2.Rodrigues(R)[0], t, intrinsics.K, intrinsics.dist_coeffs
    )
    return px.reshape(-1, 2)
