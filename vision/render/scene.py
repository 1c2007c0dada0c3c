"""What the renderers draw: placed furniture models seen by a calibrated camera, under a light."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from vision.plane.camera import Intrinsics
from vision.plane.floor import FloorPose
from vision.plane.placement import Placement
from vision.render.model import FurnitureModel


@dataclass(frozen=True)
class Light:
    """Linear-RGB ambient and key light; `direction` points from the scene towards the key."""

    ambient: tuple[float, float, float] = (0.42, 0.42, 0.42)
    key: tuple[float, float, float] = (0.85, 0.85, 0.85)
    direction: tuple[float, float, float] = (-0.3, 1.0, 0.35)  # a ceiling light, front left

    @property
    def unit_direction(self) -> np.ndarray:
        d = np.asarray(self.direction, dtype=np.float64)
        return d / np.linalg.norm(d)


@dataclass(frozen=True)
class Camera:
    intrinsics: Intrinsics
    pose: FloorPose

    @property
    def key(self) -> tuple:
        """Hashable identity: a fixed camera keeps its key, so its renders can be cached."""
        return (self.intrinsics, self.pose.rvec, self.pose.tvec, self.pose.board)


@dataclass(frozen=True)
class PlacedModel:
    placement: Placement
    model: FurnitureModel = field(compare=False, hash=False)
    variant_hex: str | None = None

    @property
    def transform(self) -> tuple[np.ndarray, np.ndarray]:
        """Model -> world (R, t): a turn of `yaw_deg` about Y, then the floor position."""
        a = math.radians(self.placement.yaw_deg)
        c, s = math.cos(a), math.sin(a)
        R = np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
        return R, np.array([self.placement.x, 0.0, self.placement.z])

    def world_vertices(self) -> list[np.ndarray]:
        R, t = self.transform
        return [p.vertices @ R.T + t for p in self.model.parts]

    @property
    def height_m(self) -> float:
        return self.model.dimensions_m[2]
