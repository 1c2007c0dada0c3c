"""Ground-truth camera poses and model measurements for the furniture tests (a uniquely named
module: every test folder has its own conftest.py, so helpers imported by name must not live in one)."""

from __future__ import annotations

import numpy as np

from vision.plane import BoardSpec, FloorPose
from vision.plane.synthetic import look_at_floor
from vision.render.scene import PlacedModel


def true_pose(board: BoardSpec, distance: float, height: float = 1.3, yaw: float = 0.0) -> FloorPose:
    R, t = look_at_floor(distance, height, yaw_deg=yaw)
    return FloorPose.from_world_to_camera(R, t, board)


def footprint_world(item: PlacedModel) -> np.ndarray:
    """The four floor corners of the model's bounding box, world frame (4, 3)."""
    v = np.concatenate([p.vertices for p in item.model.parts])
    lo, hi = v.min(0), v.max(0)
    corners = np.array([[lo[0], 0, lo[2]], [hi[0], 0, lo[2]], [hi[0], 0, hi[2]], [lo[0], 0, hi[2]]])
    R, t = item.transform
    return corners @ R.T + t
