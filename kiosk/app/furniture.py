"""Furniture mode in the pipeline: where the floor is, tap-to-floor, and the rendered frame.

A kiosk camera is fixed, so by default the floor pose comes from the calibration file
(`kiosk calibrate floor`); with `floor_tracking` the printed board is tracked every frame and
"marker lost" is reported when it leaves the view. The shopper's face is never analysed in
this mode. The image is un-mirrored first: floor geometry is that of the real camera.

Rendering a new placement takes from a fraction of a second to seconds on a CPU, so it runs
on its own thread: the mirror keeps streaming, composited with the newest finished render,
and a piece being dragged catches up as soon as its render is ready.

People in the frame are segmented (vision.people) only while a piece is on screen, and kept in
front of the pieces they stand before (vision.render.occlusion); that runs per frame on the
caller's thread, at reduced resolution.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import cv2
import numpy as np

from catalogue import Catalogue
from vision.people import PeopleSegmenter
from vision.plane import BoardSpec, Calibration, FloorPose, FloorTracker, Intrinsics, Placement, ray_to_floor
from vision.render import Camera, FurnitureTryOn, Layer, ModelLibrary, estimate_light
from vision.render.occlusion import PeopleOcclusion

log = logging.getLogger(__name__)


class FurnitureStage:
    def __init__(
        self,
        calibration_path: Path,
        catalogue: Catalogue,
        *,
        tracking: bool,
        mirrored: bool,
        people_occlusion: bool = True,
    ) -> None:
        self.calibration = Calibration.load(calibration_path)
        self.mirrored = mirrored
        self.people_occlusion = people_occlusion
        self._segmenter: PeopleSegmenter | None = None  # made on the first frame with furniture
        self._occlusion = PeopleOcclusion()
        self.people_seen = 0  # people found in the newest segmented frame (for logs and tests)
        self._tryon = FurnitureTryOn(ModelLibrary(catalogue))
        self._tracker = (
            FloorTracker(BoardSpec.parse(self.calibration.pose.board), self.calibration.intrinsics)
            if tracking
            else None
        )
        self._lock = threading.Condition()
        self._pose: FloorPose | None = None if tracking else self.calibration.pose
        self._intrinsics: Intrinsics | None = None
        self._request: tuple | None = None  # (camera, placements, light) wanted next
        self._done: tuple[tuple[Placement, ...], Layer] | None = None  # newest finished render
        self._stop = False
        self._thread = threading.Thread(target=self._render_loop, name="furniture-render", daemon=True)
        self._thread.start()

    def close(self) -> None:
        with self._lock:
            self._stop = True
            self._lock.notify_all()
        self._thread.join(timeout=30)
        if self._segmenter is not None:
            self._segmenter.close()

    def camera_view(self, image: np.ndarray) -> np.ndarray:
        return cv2.flip(image, 1) if self.mirrored else image

    def process(
        self, image: np.ndarray, t_ms: float, placements: tuple[Placement, ...]
    ) -> tuple[np.ndarray, bool]:
        """(the frame with the furniture, whether the floor is known in this frame)."""
        view = self.camera_view(image)
        h, w = view.shape[:2]
        intrinsics = self.calibration.intrinsics.scaled_to(w, h)
        pose = self.calibration.pose
        if self._tracker is not None:
            pose = self._tracker.update(view, t_ms).pose
        with self._lock:
            self._pose, self._intrinsics = pose, intrinsics
            if pose is None:
                return view, False
            if not placements:
                self._request, self._done = None, None
                return view, True
            camera = Camera(intrinsics, pose)
            self._request = (camera, placements, estimate_light(view))
            self._lock.notify_all()
            done = self._done
        if done is None:
            return view, True
        return done[1].apply(view, keep=self._people_matte(view, t_ms, camera, done[1])), True

    def _people_matte(self, view: np.ndarray, t_ms: float, camera: Camera, layer: Layer) -> np.ndarray | None:
        if not self.people_occlusion:
            return None
        if self._segmenter is None:
            self._segmenter = PeopleSegmenter()
        people = self._segmenter.detect(view, t_ms, camera)
        self.people_seen = len(people)
        return self._occlusion.keep(layer, people, view) if people.persons else None

    def _render_loop(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._stop or self._request is not None)
                if self._stop:
                    return
                camera, placements, light = self._request
            try:
                layer = self._tryon.layer(camera, placements, light)  # cached when nothing changed
            except Exception:  # a broken model must not take the kiosk down; the floor stays bare
                log.exception("furniture render failed for %s", placements)
                layer = None
            with self._lock:
                # Even a render already overtaken by a drag is shown: a piece a moment behind
                # the finger beats no piece at all.
                if layer is not None and self._request is not None:
                    self._done = (placements, layer)
                if self._request is not None and self._request[:2] == (camera, placements):
                    self._lock.wait(0.05)  # up to date: re-check the light now and then, not in a spin

    def floor_point(self, u: float, v: float) -> tuple[float, float] | None:
        """The floor point under a tap at (u, v), fractions of the shown frame's width and height."""
        with self._lock:
            pose, intrinsics = self._pose, self._intrinsics
        if pose is None or intrinsics is None:
            return None
        return ray_to_floor(u * intrinsics.width, v * intrinsics.height, intrinsics, pose)
