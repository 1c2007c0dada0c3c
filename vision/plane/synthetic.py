"""Synthetic ChArUco views with known ground truth, for measuring the floor-pose accuracy.

The board is warped into the camera from a 2×-supersampled texture and area-downsampled (so
it is not sharper than a real lens would make it), then degraded the way a shop camera
degrades it: a lighting gradient and gain, defocus blur, sensor noise and JPEG-free 8-bit
quantisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.plane.board import BoardSpec
from vision.plane.camera import Intrinsics
from vision.plane.floor import FloorPose


@dataclass(frozen=True)
class Degradation:
    noise_sigma: float = 2.0  # grey levels
    blur_sigma_px: float = 0.6
    gain: float = 1.0  # global exposure
    gradient: float = 0.0  # left-to-right light fall-off, 0..1


def look_at_floor(distance_m: float, height_m: float, yaw_deg: float = 0.0, target=(0.0, 0.0)) -> tuple:
    """(R, t) world->camera for a camera `distance_m` from the floor point `target` (straight
    line), at `height_m` above the floor, looking at it, turned `yaw_deg` about the vertical."""
    horiz = np.sqrt(max(distance_m**2 - height_m**2, 1e-6))
    yaw = np.radians(yaw_deg)
    tx, tz = target
    eye = np.array([tx + horiz * np.sin(yaw), height_m, tz + horiz * np.cos(yaw)])
    fwd = np.array([tx, 0.0, tz]) - eye
    fwd /= np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    R = np.stack([right, down, fwd])  # camera x right, y down, z forward
    return R, -R @ eye


def render_board_view(
    board: BoardSpec,
    intrinsics: Intrinsics,
    pose: FloorPose,
    background: np.ndarray,
    degradation: Degradation = Degradation(),
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """BGR uint8: `background` with the printed board (white 2 cm margin) lying on the floor."""
    import cv2

    rng = rng or np.random.default_rng(0)
    ss, ppm, margin_m = 2, 2500.0, 0.02
    margin = round(margin_m * ppm)
    tex = board.image(ppm, margin_px=margin).astype(np.float32)
    # texture pixel -> board metres -> camera
    S_inv = np.array([[1 / ppm, 0, -margin_m], [0, 1 / ppm, -margin_m], [0, 0, 1]])
    R_b, t_b = pose.R_board, np.asarray(pose.tvec)
    K = intrinsics.K.copy()
    K[:2] *= ss
    K[0, 2] += (ss - 1) / 2
    K[1, 2] += (ss - 1) / 2
    H = K @ np.column_stack([R_b[:, 0], R_b[:, 1], t_b]) @ S_inv
    size = (intrinsics.width * ss, intrinsics.height * ss)
    warped = cv2.warpPerspective(tex, H, size, flags=cv2.INTER_AREA, borderValue=0)
    mask = cv2.warpPerspective(np.ones_like(tex), H, size, flags=cv2.INTER_LINEAR, borderValue=0)
    warped = cv2.resize(warped, (intrinsics.width, intrinsics.height), interpolation=cv2.INTER_AREA)
    mask = cv2.resize(mask, (intrinsics.width, intrinsics.height), interpolation=cv2.INTER_AREA)[..., None]
    # Paper is not pure white under a shop light: tint it by the floor's local light level.
    bg = background.astype(np.float32)
    paper = warped[..., None] * 0.92 / 255.0 * np.array([245, 245, 245], np.float32)
    img = bg * (1 - mask) + paper * mask
    if degradation.gradient:
        ramp = 1 - degradation.gradient * np.linspace(0, 1, intrinsics.width, dtype=np.float32)
        img *= ramp[None, :, None]
    img *= degradation.gain
    if degradation.blur_sigma_px > 0:
        img = cv2.GaussianBlur(img, (0, 0), degradation.blur_sigma_px)
    img += rng.normal(0, degradation.noise_sigma, img.shape).astype(np.float32)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)
