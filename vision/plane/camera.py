"""Camera intrinsics: from a ChArUco calibration, or a default from the field of view.

A 3% focal-length error moves the estimated camera 6–10 cm, so `kiosk calibrate camera` is
the normal path; the field-of-view default only exists so a developer's webcam works at once.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from vision.plane.board import BoardSpec

DEFAULT_HFOV_DEG = 65.0  # typical of USB webcams


class CalibrationError(ValueError):
    """A calibration file is missing or malformed, or the images cannot calibrate a camera."""


@dataclass(frozen=True)
class Intrinsics:
    width: int
    height: int
    fx: float
    fy: float
    cx: float
    cy: float
    dist: tuple[float, ...] = ()  # OpenCV distortion coefficients (k1, k2, p1, p2, k3, ...)
    rms_px: float | None = None  # calibration reprojection error; None for a FOV default

    @classmethod
    def from_fov(cls, width: int, height: int, hfov_deg: float = DEFAULT_HFOV_DEG) -> Intrinsics:
        if not 10 <= hfov_deg <= 170:
            raise CalibrationError(f"horizontal field of view {hfov_deg}° is not a camera's (10..170)")
        f = (width / 2) / math.tan(math.radians(hfov_deg) / 2)
        return cls(width, height, f, f, (width - 1) / 2, (height - 1) / 2)

    @property
    def K(self) -> np.ndarray:
        return np.array([[self.fx, 0, self.cx], [0, self.fy, self.cy], [0, 0, 1]], dtype=np.float64)

    @property
    def dist_coeffs(self) -> np.ndarray:
        return np.array(self.dist if self.dist else [0.0] * 5, dtype=np.float64)

    def scaled_to(self, width: int, height: int) -> Intrinsics:
        """The same camera at another capture resolution (same aspect ratio assumed)."""
        sx, sy = width / self.width, height / self.height
        return Intrinsics(
            width,
            height,
            self.fx * sx,
            self.fy * sy,
            (self.cx + 0.5) * sx - 0.5,
            (self.cy + 0.5) * sy - 0.5,
            self.dist,
            self.rms_px,
        )

    def to_dict(self) -> dict:
        return {**asdict(self), "dist": list(self.dist)}

    @classmethod
    def from_dict(cls, data: dict) -> Intrinsics:
        try:
            return cls(
                int(data["width"]),
                int(data["height"]),
                float(data["fx"]),
                float(data["fy"]),
                float(data["cx"]),
                float(data["cy"]),
                tuple(float(d) for d in data.get("dist", ())),
                data.get("rms_px"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(f"intrinsics are malformed: {exc!r}") from exc

    def save(self, path: Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: Path) -> Intrinsics:
        data = read_json(path, "intrinsics")
        return cls.from_dict(data.get("intrinsics", data))


def read_json(path: Path, what: str) -> dict:
    path = Path(path)
    if not path.is_file():
        raise CalibrationError(f"{what} file not found: {path} (run `kiosk calibrate` first)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CalibrationError(f"{what} file {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CalibrationError(f"{what} file {path} does not hold a JSON object")
    return data


def calibrate_intrinsics(images: list[np.ndarray], board: BoardSpec, min_views: int = 4) -> Intrinsics:
    """cv2.calibrateCamera on ChArUco corners (OpenCV 5 has no calibrateCameraCharuco)."""
    import cv2

    cv_board = board.cv2_board()
    detector = cv2.aruco.CharucoDetector(cv_board)
    obj_pts, img_pts, size = [], [], None
    for image in images:
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        size = (gray.shape[1], gray.shape[0])
        corners, ids, _, _ = detector.detectBoard(gray)
        if ids is None or len(ids) < 6:
            continue
        obj, img = cv_board.matchImagePoints(corners, ids)
        obj_pts.append(obj.astype(np.float32))
        img_pts.append(img.astype(np.float32))
    if len(obj_pts) < min_views or size is None:
        raise CalibrationError(
            f"the board was found in {len(obj_pts)} of {len(images)} images; calibration needs {min_views} "
            "views from different angles"
        )
    rms, K, dist, _, _ = cv2.calibrateCamera(obj_pts, img_pts, size, None, None)
    return Intrinsics(
        size[0],
        size[1],
        float(K[0, 0]),
        float(K[1, 1]),
        float(K[0, 2]),
        float(K[1, 2]),
        tuple(float(d) for d in dist.ravel()),
        float(rms),
    )
