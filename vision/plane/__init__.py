"""The floor plane: boards, camera intrinsics, the camera-to-floor pose, live tracking and
tap-to-place. See floor.py for the floor frame's axes."""

from vision.plane.board import DEFAULT_FLOOR_BOARD, BoardSpec, BoardSpecError
from vision.plane.camera import CalibrationError, Intrinsics, calibrate_intrinsics
from vision.plane.floor import (
    BoardNotFoundError,
    Calibration,
    FloorDetector,
    FloorPose,
    project_world,
    ray_to_floor,
)
from vision.plane.placement import Placement, PlacementError, parse_placement
from vision.plane.tracking import LOST_MESSAGE, FloorTracker, TrackState

__all__ = [
    "DEFAULT_FLOOR_BOARD",
    "LOST_MESSAGE",
    "BoardNotFoundError",
    "BoardSpec",
    "BoardSpecError",
    "Calibration",
    "CalibrationError",
    "FloorDetector",
    "FloorPose",
    "FloorTracker",
    "Intrinsics",
    "Placement",
    "PlacementError",
    "TrackState",
    "calibrate_intrinsics",
    "parse_placement",
    "project_world",
    "ray_to_floor",
]
