"""The pipeline loop: newest camera frame → (face tracking → makeup → skin tone) → JPEG → hub.

One thread. It asks the state machine for a `RenderPlan` per frame, so the moment the
shopper taps a swatch the next frame carries it; and when consent was not given the plan says
`analyse=False` and the face tracker is never called — a plain mirror. The tracker is
rebuilt on a helper thread after every session so nothing a previous shopper left in it
(tracking state, smoothed landmarks) survives into the next one, without stalling the mirror.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from kiosk.app.framehub import FLAG_ANALYSED, FLAG_LOOK, FrameHub, Packet, pack
from kiosk.app.machine import KioskMachine, RenderPlan
from vision.capture import Frame, LatestFrameGrabber
from vision.face import FaceResult, FaceTracker
from vision.makeup import render
from vision.makeup.regions import LIPS_OUTER
from vision.skin import SkinToneEstimator

if TYPE_CHECKING:  # furniture rendering is imported only when a floor calibration is configured
    from kiosk.app.furniture import FurnitureStage

log = logging.getLogger(__name__)

LIGHT_CODES = {"too_dark", "too_bright", "colour_cast"}
SKIN_EVERY_SETTLED = 15  # once the tone has settled, re-measure only every Nth frame
CAMERA_STATUS = {"starting": "camera_starting", "reconnecting": "camera_unavailable", "ended": "camera_ended"}


@dataclass(frozen=True)
class FrameDebug:
    """What tests and benchmarks may learn about a streamed frame (debug endpoints only)."""

    seq: int
    width: int
    height: int
    analysed: bool
    look: str
    lips: list[list[float]] | None  # outer lip polygon of the main face, pixels


def main_face(faces: list[FaceResult]) -> FaceResult | None:
    """The shopper is the largest face (someone passing behind is smaller)."""
    if not faces:
        return None
    return max(faces, key=lambda f: (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]))


def split_view(before: np.ndarray, after: np.ndarray, fraction: float) -> np.ndarray:
    """Left of the divider as captured, right of it with the look; a thin divider line."""
    x = round(fraction * before.shape[1])
    out = after.copy()
    out[:, :x] = before[:, :x]
    cv2.line(out, (x, 0), (x, out.shape[0] - 1), (255, 255, 255), 2, cv2.LINE_AA)
    return out


class Pipeline:
    def __init__(
        self,
        grabber: LatestFrameGrabber,
        machine: KioskMachine,
        hub: FrameHub,
        *,
        jpeg_quality: int = 80,
        debug: bool = False,
        furniture: FurnitureStage | None = None,
    ) -> None:
        self.grabber = grabber
        self.machine = machine
        self.hub = hub
        self._encode_params = [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality]
        self.furniture = furniture
        self._tracker: FaceTracker | None = None
        self._tracker_lock = threading.Lock()
        self._skin = SkinToneEstimator()
        self._settled = False
        self._light: str | None = None
        self._session_id: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pipeline", daemon=True)
        self.debug: deque[FrameDebug] | None = deque(maxlen=120) if debug else None
        self.tracker_calls = 0  # how often face analysis ran (privacy tests read this)
        self.frames_out = 0
        # Per-frame stage times in ms (track, skin, render, encode) for benchmarks and stats.
        self.timings: deque[tuple[float, float, float, float]] = deque(maxlen=3000)
        self._stage = [0.0, 0.0, 0.0]
        self._last_rendered: np.ndarray | None = None

    def start(self) -> Pipeline:
        self._rebuild_tracker()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with self._tracker_lock:
            if self._tracker is not None:
                self._tracker.close()
                self._tracker = None

    @property
    def ready(self) -> bool:
        return self.frames_out > 0

    def snapshot_jpeg(self, max_bytes: int, max_side: int = 960) -> bytes | None:
        """The last rendered frame as a JPEG under `max_bytes` (for a handoff the shopper asked for)."""
        image = self._last_rendered
        if image is None:
            return None
        scale = min(1.0, max_side / max(image.shape[:2]))
        if scale < 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        for quality in (85, 70, 55, 40):
            ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if ok and buf.size <= max_bytes:
                return buf.tobytes()
        return None

    def _rebuild_tracker(self) -> None:
        def build() -> None:
            tracker = FaceTracker(mode="video", max_faces=2)
            with self._tracker_lock:
                old, self._tracker = self._tracker, tracker
            if old is not None:
                old.close()

        with self._tracker_lock:
            old, self._tracker = self._tracker, None
        if old is not None:
            old.close()
        threading.Thread(target=build, name="tracker-build", daemon=True).start()

    def _forget_shopper(self) -> None:
        self._skin.reset()
        self._settled = False
        self._light = None
        self._last_rendered = None
        self._rebuild_tracker()

    def _run(self) -> None:
        last_index = -1
        while not self._stop.is_set():
            status = self.grabber.status
            self.machine.set_status("camera", CAMERA_STATUS.get(status.state))
            frame = self.grabber.latest(after_index=last_index, timeout=0.1)
            now = time.monotonic() * 1000
            self.machine.tick(now)
            if frame is None:
                continue
            last_index = frame.index
            try:
                self._process(frame, now)
            except Exception:  # one bad frame must not end the kiosk's day
                log.exception("pipeline: frame %d failed", frame.index)

    def _process(self, frame: Frame, now: float) -> None:
        plan = self.machine.plan()
        if plan.session_id != self._session_id:
            if self._session_id is not None:
                self._forget_shopper()
            self._session_id = plan.session_id
        image = frame.image
        flags = 0
        lips = None
        self._stage = [0.0, 0.0, 0.0]
        if plan.analyse:
            out, flags, lips = self._analyse(frame, plan, now)
        elif plan.furniture and self.furniture is not None:
            t0 = time.perf_counter()
            out, floor_known = self.furniture.process(image, frame.timestamp_ms, plan.placements)
            self.machine.set_status("floor", None if floor_known else "marker_lost")
            self._stage[2] = (time.perf_counter() - t0) * 1000
            self._last_rendered = out
        else:
            self.machine.set_status("floor", None)
            out = image
        t0 = time.perf_counter()
        ok, jpeg = cv2.imencode(".jpg", out, self._encode_params)
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        self.timings.append((*self._stage, (time.perf_counter() - t0) * 1000))
        seq = self.frames_out
        self.hub.publish(
            Packet(seq, float(frame.timestamp_ms), pack(seq, flags, frame.timestamp_ms, jpeg.tobytes()))
        )
        self.frames_out += 1
        if self.debug is not None:
            h, w = image.shape[:2]
            self.debug.append(FrameDebug(seq, w, h, plan.analyse, plan.look.to_spec(), lips))

    def _analyse(self, frame: Frame, plan: RenderPlan, now: float) -> tuple[np.ndarray, int, list | None]:
        with self._tracker_lock:
            tracker = self._tracker
            if tracker is None:  # still being built for this shopper: show the mirror meanwhile
                return frame.image, 0, None
            t0 = time.perf_counter()
            faces = tracker.process(frame)
        t1 = time.perf_counter()
        self.tracker_calls += 1
        face = main_face(faces)
        if face is not None and (not self._settled or self.frames_out % SKIN_EVERY_SETTLED == 0):
            reading = self._skin.update(frame.image, face)
            self._settled = self._settled or reading.status.code == "ok"
            # Light warnings ask the shopper to help the measurement; once the tone has
            # settled, nagging about the light would only distract from the try-on.
            bad_light = reading.status.code in LIGHT_CODES and not self._settled
            self._light = reading.status.code if bad_light else None
        tone = None
        current = self._skin.current
        if current is not None and self._settled:
            tone = {
                "lab": current.lab,
                "mst": current.mst,
                "undertone": current.undertone,
                "ita_class": current.ita_class,
                "confidence": current.confidence,
            }
        self.machine.observe(now, face is not None, tone, self._light)
        t2 = time.perf_counter()
        flags = FLAG_ANALYSED
        out = frame.image
        if plan.look.layers and faces:
            out = render(frame.image, faces, plan.look)
            flags |= FLAG_LOOK
            if plan.split is not None:
                out = split_view(frame.image, out, plan.split)
        self._stage = [(t1 - t0) * 1000, (t2 - t1) * 1000, (time.perf_counter() - t2) * 1000]
        self._last_rendered = out
        lips = face.landmarks[LIPS_OUTER].tolist() if (face is not None and self.debug is not None) else None
        return out, flags, lips
