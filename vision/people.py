"""People in the furniture camera's view: a mask per person and where they stand on the floor.

A shopper who walks in front of a virtual sofa must stay in front of it. No depth camera and no
monocular depth model can be had offline, but the kiosk knows its floor: where a person's feet
meet it gives their distance. MediaPipe's PoseLandmarker (legacy BlazePose networks from the
mediapipe 0.10.14 wheel, bundled by tools/build_person_model.py) gives, per person, a
segmentation mask (whose bottom is where the soles meet the floor) and 3D landmarks (for a
seated body), so one model answers both "which pixels" and "how far".

Distances are "forward" distances: metres from the camera along its horizontal viewing
direction. A standing person is close to a vertical slab, and every point of a vertical slab
has the same forward distance, so a person compares with each furniture pixel by one number
(vision.render.occlusion does the comparison).

Partial views (what `Person.basis` says):
- "feet": the soles (the bottom of the mask) are in the frame; their floor point is the distance.
- "feet below frame": the person's mask runs off the bottom edge: they stand nearer than the floor
  at the bottom row (about 1.5 m from a kiosk camera), i.e. right at the kiosk, and are taken as
  nearer than everything. Furniture placed even closer is itself cut by the frame's edge.
- "no floor": the sole point does not meet the floor (above the horizon, e.g. a person seen only
  from the waist up against a wall): taken as nearer than everything, the safe mistake
  (furniture never paints over a body).
- Sitting: the feet are ahead of the body; the world landmarks (metres, about the hips) give how
  far the hips sit behind the feet, and that offset (at most SEATED_OFFSET_MAX_M) is added.
- Several people: each has a mask and a distance (up to `max_people`); per pixel the nearest wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from vision.model_file import ModelFileError, read_checked
from vision.plane import ray_to_floor

if TYPE_CHECKING:  # vision.render imports this module (occlusion), so only for typing here
    from vision.render.scene import Camera

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "pose_landmarker.task"
MODEL_SHA256 = "dcf1b67f57ab40e50a563a6a790bc802c57cf2a518b2dbdf6de65d648af9e3b0"
SEGMENT_WIDTH = 640  # segmentation runs at this width: the mask is upsampled, edges are smoothed
FOOT_LANDMARKS = (29, 30, 31, 32)  # left heel, right heel, left toes, right toes
HIP_LANDMARKS = (23, 24)
SEATED_OFFSET_MAX_M = 0.6


class PersonModelError(ModelFileError):
    """The person model file is missing or is not the file we ship."""


def load_model_bytes(path: Path = MODEL_PATH, sha256: str = MODEL_SHA256) -> bytes:
    restore = "rebuild it with `python tools/build_person_model.py`"
    return read_checked(path, sha256, "person model", restore, PersonModelError)


@dataclass(frozen=True)
class Person:
    mask: np.ndarray  # (h, w) float32 0..1 at the segmentation resolution (see People.scale)
    feet_px: tuple[float, float]  # full-frame pixels, the bottom of the mask (see sole_point)
    distance_m: float  # forward distance from the camera; 0 when the floor could not say
    basis: str  # "feet", "feet below frame" or "no floor" (see the module docstring)


@dataclass(frozen=True)
class People:
    persons: tuple[Person, ...]
    scale: float  # segmentation pixels per frame pixel

    def __len__(self) -> int:
        return len(self.persons)


def forward_axis(camera: Camera) -> np.ndarray:
    """The camera's viewing direction laid flat on the floor (world frame, unit length)."""
    R, _ = camera.pose.world_to_camera
    f = np.array([R[2, 0], 0.0, R[2, 2]])
    n = np.linalg.norm(f)
    if n < 1e-6:
        raise ValueError("the camera looks straight down: forward distances are undefined")
    return f / n


def forward_distance(camera: Camera, x: float, z: float) -> float:
    c = camera.pose.camera_position
    return float(np.dot(np.array([x - c[0], 0.0, z - c[2]]), forward_axis(camera)))


def feet_distance(camera: Camera, u: float, v: float) -> tuple[float, str]:
    """(forward distance, basis) of a person whose soles are at pixel (u, v)."""
    if v > camera.intrinsics.height - 1:
        return 0.0, "feet below frame"
    hit = ray_to_floor(u, v, camera.intrinsics, camera.pose)
    if hit is None:
        return 0.0, "no floor"
    return forward_distance(camera, *hit), "feet"


def seated_offset(hips_z: float, feet_z: float) -> float:
    """How far behind their feet a person's body is, in metres, from MediaPipe's world landmarks
    (z grows away from the camera, origin between the hips): 0 standing; seated with the feet
    forward, the hips' lead over the feet, at most SEATED_OFFSET_MAX_M (a noisy estimate)."""
    return float(np.clip(hips_z - feet_z, 0.0, SEATED_OFFSET_MAX_M))


def sole_point(mask: np.ndarray, scale: float) -> tuple[float, float] | None:
    """Where the person meets the floor, in frame pixels: the bottom of their mask (centre of
    its lowest rows), not the heel landmarks, which sit a few centimetres up the foot and are
    guessed wildly when the head is out of the frame. A mask touching the bottom edge puts the
    point on the edge row, which feet_distance reads as "feet below frame"."""
    rows = np.nonzero((mask > 0.5).any(1))[0]
    if len(rows) < 4:
        return None
    bottom = int(rows[-1])
    band = mask[max(bottom - max(2, len(rows) // 40), 0) : bottom + 1] > 0.5
    cols = np.nonzero(band.any(0))[0]
    u = (cols.mean() + 0.5) / scale - 0.5
    v = (bottom + 1) / scale - 0.5  # the lower edge of the lowest mask row
    if bottom >= mask.shape[0] - 1:
        v += 1.0  # past the last row: the feet are out of the frame
    return float(u), float(v)


class PeopleSegmenter:
    """Segments people at reduced resolution. VIDEO mode (the default) tracks people between
    frames, which skips the person detector on most frames and keeps masks steady."""

    def __init__(self, max_people: int = 2, width: int = SEGMENT_WIDTH, mode: str = "video") -> None:
        from mediapipe.tasks.python import BaseOptions
        from mediapipe.tasks.python.vision import PoseLandmarker, PoseLandmarkerOptions, RunningMode

        if mode not in ("video", "image"):
            raise ValueError(f"mode must be 'video' or 'image', not {mode!r}")
        if not 1 <= max_people <= 6:
            raise ValueError(f"max_people must be within 1..6, not {max_people}")
        self.mode, self.width = mode, width
        options = PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=load_model_bytes()),
            running_mode=RunningMode.VIDEO if mode == "video" else RunningMode.IMAGE,
            num_poses=max_people,
            output_segmentation_masks=True,
            min_pose_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )
        self._landmarker = PoseLandmarker.create_from_options(options)
        self._last_ts = -1

    def detect(self, frame_bgr: np.ndarray, t_ms: float, camera: Camera) -> People:
        import cv2
        from mediapipe import Image, ImageFormat

        h, w = frame_bgr.shape[:2]
        scale = min(1.0, self.width / w)
        small = cv2.resize(frame_bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        image = Image(image_format=ImageFormat.SRGB, data=np.ascontiguousarray(small[:, :, ::-1]))
        if self.mode == "video":
            ts = max(int(t_ms), self._last_ts + 1)  # MediaPipe rejects non-increasing timestamps
            self._last_ts = ts
            result = self._landmarker.detect_for_video(image, ts)
        else:
            result = self._landmarker.detect(image)
        masks = result.segmentation_masks or []
        persons = []
        for i in range(min(len(result.pose_landmarks), len(masks))):
            # A copy: numpy_view() borrows MediaPipe's buffer, which is freed with `result`
            # (reading the view later, as the occlusion matte does, crashed the process).
            mask = np.array(masks[i].numpy_view(), np.float32, copy=True).reshape(small.shape[:2])
            feet = sole_point(mask, scale)
            if feet is None:
                continue  # a pose with no mask to speak of hides nothing
            distance, basis = feet_distance(camera, *feet)
            if basis == "feet" and result.pose_world_landmarks:
                world = result.pose_world_landmarks[i]
                distance += seated_offset(
                    float(np.mean([world[k].z for k in HIP_LANDMARKS])),
                    float(np.mean([world[k].z for k in FOOT_LANDMARKS])),
                )
            persons.append(Person(mask, feet, distance, basis))
        return People(tuple(persons), scale)

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> PeopleSegmenter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
