"""Shared synthetic scenes for the furniture tests: a kiosk camera, a showroom background."""

from __future__ import annotations

import numpy as np
import pytest
from furniture_scenes import true_pose

from vision.plane import DEFAULT_FLOOR_BOARD, BoardSpec, Intrinsics
from vision.render.showroom import render_showroom


@pytest.fixture(scope="session")
def board() -> BoardSpec:
    return BoardSpec.parse(DEFAULT_FLOOR_BOARD)


@pytest.fixture(scope="session")
def intrinsics() -> Intrinsics:
    return Intrinsics.from_fov(1280, 720, 65.0)


@pytest.fixture(scope="session")
def background(board, intrinsics) -> np.ndarray:
    """A plank floor and wall; the board is warped over it for every pose."""
    return render_showroom(intrinsics, true_pose(board, 2.5, 1.4), supersample=1)
