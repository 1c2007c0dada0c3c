"""A synthetic showroom photo: an oak plank floor and a plastered wall with a skirting board,
rendered through a given camera so its perspective matches the floor calibration exactly.

No package ships indoor photos and nothing may be downloaded, so the gallery and the synthetic
accuracy scenes stand their furniture on this instead. Textures are procedural (seeded), the
image is rendered at 2× and area-downsampled so plank seams do not alias, and it gets a warm
light gradient and vignetting so the light matching in composite.py has something to match.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.color import linear_to_srgb, srgb_to_linear
from vision.plane.camera import Intrinsics
from vision.plane.floor import FloorPose


@dataclass(frozen=True)
class Showroom:
    wall_z: float = -3.2  # the back wall's plane, metres along world Z (behind the board)
    plank_width_m: float = 0.19
    plank_length_m: float = 1.4
    floor_rgb: tuple[int, int, int] = (172, 128, 84)  # oak
    wall_rgb: tuple[int, int, int] = (226, 218, 204)  # warm off-white
    light_rgb: tuple[float, float, float] = (1.0, 0.93, 0.82)  # warm shop light
    seed: int = 7


def _hash(ix: np.ndarray, iz: np.ndarray, seed: int) -> np.ndarray:
    h = (ix.astype(np.int64) * 73856093) ^ (iz.astype(np.int64) * 19349663) ^ (seed * 83492791)
    return ((h % 10007) / 10007.0).astype(np.float64)


def _wood(x: np.ndarray, z: np.ndarray, room: Showroom) -> np.ndarray:
    row = np.floor(x / room.plank_width_m)
    stagger = _hash(row, np.zeros_like(row), room.seed) * room.plank_length_m
    col = np.floor((z + stagger) / room.plank_length_m)
    plank = _hash(row, col, room.seed + 1)
    u = x / room.plank_width_m - row  # across the plank 0..1
    w = (z + stagger) / room.plank_length_m - col  # along it 0..1
    grain = 0.5 + 0.5 * np.sin(
        2 * np.pi * (u * (3 + 4 * plank) + 0.35 * np.sin(z * (2.5 + plank * 3)) + plank * 10)
    )
    fine = 0.5 + 0.5 * np.sin(2 * np.pi * (u * 23 + 0.8 * np.sin(z * 9 + plank * 5)))
    tone = 0.82 + 0.3 * plank + 0.07 * grain + 0.04 * fine
    seam = np.minimum(np.minimum(u, 1 - u) * room.plank_width_m, np.minimum(w, 1 - w) * room.plank_length_m)
    seam_dark = 1 - 0.45 * np.exp(-((seam / 0.0015) ** 2))
    base = srgb_to_linear(np.array(room.floor_rgb) / 255.0)
    return base * (tone * seam_dark)[..., None]


def _wall(x: np.ndarray, y: np.ndarray, room: Showroom) -> np.ndarray:
    base = srgb_to_linear(np.array(room.wall_rgb) / 255.0)
    plaster = 1 + 0.015 * np.sin(x * 37 + np.sin(y * 23)) * np.sin(y * 29 + 1.3)
    colour = base * plaster[..., None]
    skirting = y < 0.1
    colour[skirting] = srgb_to_linear(np.array([240, 238, 232]) / 255.0)
    colour[(y >= 0.1) & (y < 0.106)] *= 0.55  # the shadow line on top of the skirting
    return colour


def render_showroom(
    intrinsics: Intrinsics, pose: FloorPose, room: Showroom | None = None, supersample: int = 2
) -> np.ndarray:
    """BGR uint8 image of the showroom as this camera sees it."""
    import cv2

    room = room or Showroom()
    ss = supersample
    w, h = intrinsics.width * ss, intrinsics.height * ss
    u, v = np.meshgrid((np.arange(w) + 0.5) / ss - 0.5, (np.arange(h) + 0.5) / ss - 0.5)
    d_cam = np.stack(
        [(u - intrinsics.cx) / intrinsics.fx, (v - intrinsics.cy) / intrinsics.fy, np.ones_like(u)], -1
    )
    R, _ = pose.world_to_camera
    d = d_cam @ R  # row vectors: (R.T @ d)^T
    o = pose.camera_position
    with np.errstate(divide="ignore", invalid="ignore"):
        s_floor = np.where(d[..., 1] < 0, -o[1] / d[..., 1], np.inf)
        s_wall = np.where(d[..., 2] * (room.wall_z - o[2]) > 0, (room.wall_z - o[2]) / d[..., 2], np.inf)
    floor = s_floor <= s_wall
    s = np.where(floor, s_floor, s_wall)
    s = np.where(np.isfinite(s), s, 50.0)
    p = o + d * s[..., None]
    colour = np.where(floor[..., None], _wood(p[..., 0], p[..., 2], room), _wall(p[..., 0], p[..., 1], room))
    # Light: a ceiling light above the middle of the room, falling off with distance, plus fill.
    lamp = np.array([0.0, 2.8, room.wall_z + 1.6])
    dist2 = np.sum((p - lamp) ** 2, -1)
    light = 0.55 + 2.2 / (1.0 + dist2)
    colour = colour * light[..., None] * np.array(room.light_rgb)
    # Vignetting, as every webcam has.
    r2 = ((u - w / ss / 2) / (w / ss)) ** 2 + ((v - h / ss / 2) / (h / ss)) ** 2
    colour *= (1 - 0.35 * r2)[..., None]
    rgb = (linear_to_srgb(colour) * 255).astype(np.float32)
    small = cv2.resize(rgb, (intrinsics.width, intrinsics.height), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(np.clip(small + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


def stand_cutout(
    frame_bgr: np.ndarray,
    intrinsics: Intrinsics,
    pose: FloorPose,
    cutout_bgra: np.ndarray,
    x: float,
    z: float,
    height_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """A person (or any upright thing) cut out of a real photo, standing at floor point (x, z)
    of this camera's view, `height_m` tall: the bottom-centre of the cut-out on that point.
    Returns (the frame with it, its alpha over the whole frame, float32 0..1). The occlusion
    tests use it for people at a known distance, which no photo package can give."""
    import cv2

    from vision.plane.floor import project_world

    feet, head = project_world(np.array([[x, 0.0, z], [x, height_m, z]]), intrinsics, pose)
    scale = (feet[1] - head[1]) / cutout_bgra.shape[0]
    if not scale > 0:
        raise ValueError(f"floor point ({x}, {z}) is not in front of the camera")
    w, h = max(1, round(cutout_bgra.shape[1] * scale)), max(1, round(cutout_bgra.shape[0] * scale))
    small = cv2.resize(cutout_bgra, (w, h), interpolation=cv2.INTER_AREA)
    x0, y0 = round(feet[0] - w / 2), round(feet[1] - h)
    H, W = frame_bgr.shape[:2]
    fx0, fy0, fx1, fy1 = max(x0, 0), max(y0, 0), min(x0 + w, W), min(y0 + h, H)
    alpha = np.zeros((H, W), np.float32)
    colour = np.zeros_like(frame_bgr)
    if fx1 > fx0 and fy1 > fy0:
        part = small[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0]
        alpha[fy0:fy1, fx0:fx1] = part[..., 3] / 255.0
        colour[fy0:fy1, fx0:fx1] = part[..., :3]
    a = alpha[..., None]
    out = np.clip(frame_bgr * (1 - a) + colour * a + 0.5, 0, 255).astype(np.uint8)
    return out, alpha
