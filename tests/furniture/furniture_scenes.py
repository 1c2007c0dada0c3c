"""Ground-truth camera poses for the furniture tests (a uniquely named module: every test
folder has its own conftest.py, so helpers imported by name must not live in one)."""

from __future__ import annotations

from vision.plane import BoardSpec, FloorPose
from vision.plane.synthetic import look_at_floor


def true_pose(board: BoardSpec, distance: float, height: float = 1.3, yaw: float = 0.0) -> FloorPose:
    R, t = look_at_floor(distance, height, yaw_deg=yaw)
    return FloorPose.from_world_to_camera(R, t, board)
