"""The pipeline: newest camera frame → analysis → painting → JPEG → hub, as two overlapping stages.

Stage 1 (thread "pipeline-analyse") takes the newest frame in capture order, asks the state
machine for that frame's `RenderPlan` and, when the plan says so, runs the per-frame analysis:
face tracking → hand occlusion → skin tone (`Pipeline._analyse`, the one place where a frame
is looked at).
Stage 2 (thread "pipeline-paint") paints the plan's look (or the furniture) on the frame,
encodes it and hands it to the hub (`Pipeline._paint`). Stage 1 tracks frame N+1 while stage 2
paints and encodes frame N, so on a two-core kiosk the frame rate is set by the slower stage,
not by their sum: MediaPipe, OpenCV and numpy release the GIL for their heavy work.

Between the stages is a one-slot `Mailbox`, not a queue, so latency cannot build up behind a
slow stage. Stage 1 starts a frame only once stage 2 has taken the last one, and no sooner than
it needs to for its result to be ready as stage 2 frees up: it never tracks a frame nobody will
see (on two cores that time would come out of the painter's), the frame it takes is as fresh as
it can be, and the face tracker, which needs time to move forward, sees frames in capture order.

Every frame carries its own plan from stage 1 to stage 2, so the moment the shopper taps a
swatch the next frame analysed carries it; when consent was not given the plan says
`analyse=False` and the face tracker is never called: a plain mirror. The tracker is rebuilt
on a helper thread after every session so nothing a previous shopper left in it (tracking
state, smoothed landmarks) survives into the next one, without stalling the mirror.

Stage 2 offers each painted frame to the `PhotoKeeper` (kiosk/app/photo.py), which keeps the
session's best one for the handoff photo, and nothing else, and is cleared with the shopper.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import cv2
import mediapipe  # noqa: F401  (see below)
import numpy as np

from kiosk.app.framehub import FLAG_ANALYSED, FLAG_LOOK, FrameHub, Packet, pack
from kiosk.app.machine import KioskMachine, RenderPlan
from kiosk.app.mailbox import Mailbox
from kiosk.app.photo import PhotoKeeper, PickKey, face_score
from vision.capture import Frame, LatestFrameGrabber
from vision.face import FaceResult, FaceTracker, main_face
from vision.light import Light, LightEstimator, LightReference
from vision.makeup import render
from vision.makeup.regions import LIPS_OUTER
from vision.occlusion import HandModelError, HandOccluder, Occlusion
from vision.skin import SkinToneEstimator
from vision.store_anchor import StoreAnchor

if TYPE_CHECKING:  # furniture rendering is imported only when a floor calibration is configured
    from kiosk.app.furniture import FurnitureStage

# MediaPipe is imported above, once, by whoever imports the pipeline: its first import fails
# (as a circular import) when two threads run it at once, and the pipeline makes its hand
# occluder on the starting thread while its face tracker is built on another.

log = logging.getLogger(__name__)

# What the shopper is told while their tone cannot be read: the light, which they can help
# with, or (`uncertain`) that it cannot be read here, and they can choose shades themselves.
TONE_NOTICES = {"too_dark", "too_bright", "colour_cast", "uncertain"}
SKIN_EVERY_SETTLED = 15  # once the tone has settled, re-measure only every Nth frame
CAMERA_STATUS = {"starting": "camera_starting", "reconnecting": "camera_unavailable", "ended": "camera_ended"}
POLL_S = 0.1  # how long a stage waits for work before checking whether it should stop
EWMA = 0.25  # weight of the newest frame in each stage's running duration


@dataclass(frozen=True)
class FrameDebug:
    """What tests and benchmarks may learn about a streamed frame (debug endpoints only)."""

    seq: int
    width: int
    height: int
    analysed: bool
    look: str
    lips: list[list[float]] | None  # outer lip polygon of the main face, pixels
    lips_visible: float  # share of that polygon no occluder (a hand) covers; 1.0 without lips


def visible_share(occlusion: Occlusion | None, polygon: np.ndarray) -> float:
    """How much of `polygon` (frame pixels) the face shows through the occluders, 0..1."""
    if occlusion is None:
        return 1.0
    x0, y0 = np.floor(polygon.min(axis=0)).astype(int)
    x1, y1 = np.ceil(polygon.max(axis=0)).astype(int) + 1
    visibility = occlusion.over((int(x0), int(y0), int(x1), int(y1)))
    if visibility is None:
        return 1.0
    inside = np.zeros(visibility.shape, np.uint8)
    cv2.fillPoly(inside, [np.round(polygon - (x0, y0)).astype(np.int32)], 1)
    return float(visibility[inside > 0].mean()) if inside.any() else 1.0


class StageTimes(NamedTuple):
    """One streamed frame's time in each step, ms. `analyse` is all of stage 1 (tracking and skin
    tone are parts of it), `handoff` the wait between the stages, `render` + `encode` stage 2."""

    analyse: float
    track: float
    skin: float
    handoff: float
    render: float
    encode: float


@dataclass(frozen=True)
class Analysis:
    """Stage 1's hand-off to stage 2: a frame, the plan it was taken under, and what was seen."""

    frame: Frame
    plan: RenderPlan
    analysed: bool  # the face tracker ran on this frame
    faces: list[FaceResult]
    # What the analysis learnt for painting this very frame, so stage 2 needs nothing from
    # stage 1's state: where a hand covers the face, and the light the shades are shown in.
    occlusion: Occlusion | None = None
    light: Light | None = None
    track_ms: float = 0.0
    skin_ms: float = 0.0
    started_s: float = 0.0  # perf_counter when stage 1 took the frame…
    done_s: float = 0.0  # …and when it let go of it


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
        light_reference: LightReference | None = None,
    ) -> None:
        self.grabber = grabber
        self.machine = machine
        self.hub = hub
        self._encode_params = [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality]
        self.furniture = furniture
        self._tracker: FaceTracker | None = None
        self._tracker_lock = threading.Lock()
        self._tracker_builder: threading.Thread | None = None
        self._occluder: HandOccluder | None = None  # stage 1's, made in start()
        # What could not be built (a corrupt or missing model file), by part: /healthz reports it,
        # so an operator learns why the kiosk shows a plain mirror instead of a silent log line.
        self.broken: dict[str, str] = {}
        # One card for both: the shades' light, and skin tone's white when its reflectance is known.
        # Outlives the shoppers: skin tone's white learned from consenting shoppers' eyes.
        self.store_anchor = StoreAnchor()
        self._skin = SkinToneEstimator(light_reference, store=self.store_anchor)
        self._store_light = LightEstimator(light_reference, stream=True)  # the light the shades are shown in
        self._settled = False
        self._light: str | None = None
        self._session_id: str | None = None
        self._analysed_frames = 0
        self._handoff: Mailbox[Analysis] = Mailbox()
        self._analyse_s = 0.0  # running durations of stage 1 and stage 2, for pacing stage 1
        self._paint_s = 0.0
        self._stop = threading.Event()
        self._threads = (
            threading.Thread(target=self._run_analyse, name="pipeline-analyse", daemon=True),
            threading.Thread(target=self._run_paint, name="pipeline-paint", daemon=True),
        )
        self.debug: deque[FrameDebug] | None = deque(maxlen=120) if debug else None
        self.tracker_calls = 0  # how often face analysis ran (privacy tests read this)
        self.frames_out = 0
        self.timings: deque[StageTimes] = deque(maxlen=3000)  # for benchmarks and stats
        self.photo = PhotoKeeper()  # the best painted frame of this session, for the handoff

    def start(self) -> Pipeline:
        self._rebuild_tracker()
        try:
            self._occluder = HandOccluder()
        except HandModelError as exc:  # the try-on still works, only without hand occlusion
            log.error("hand occlusion off: %s", exc)
            self.broken["hand_occluder"] = str(exc)
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._tracker_builder is not None:
            self._tracker_builder.join(timeout=30)  # a tracker built after this would never be closed
        with self._tracker_lock:
            if self._tracker is not None:
                self._tracker.close()
                self._tracker = None
        if self._occluder is not None:
            self._occluder.close()
            self._occluder = None

    @property
    def ready(self) -> bool:
        return self.frames_out > 0

    def snapshot_jpeg(
        self, max_bytes: int, max_side: int = 960, held_round: int | None = None
    ) -> bytes | None:
        """The current session's chosen photo (kiosk/app/photo.py) as a JPEG under `max_bytes`;
        never a frame from someone else's session. `held_round`: only once the summary screen's
        pick of that round has settled, so the photo shown there is the one that is sent."""
        session = self.machine.session
        image = None if session is None else self.photo.best(session.id, held_round)
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
            try:
                tracker = FaceTracker(mode="video", max_faces=2)
            except Exception as exc:  # e.g. FaceModelError: the mirror stays, /healthz says why
                log.error("face tracker could not be built: %s", exc)
                self.broken["face_tracker"] = f"{type(exc).__name__}: {exc}"
                return
            self.broken.pop("face_tracker", None)
            with self._tracker_lock:
                old, self._tracker = self._tracker, tracker
            if old is not None:
                old.close()

        with self._tracker_lock:
            old, self._tracker = self._tracker, None
        if old is not None:
            old.close()
        if self._tracker_builder is not None:
            self._tracker_builder.join()  # one build at a time, or two trackers race for the slot
        self._tracker_builder = threading.Thread(target=build, name="tracker-build", daemon=True)
        self._tracker_builder.start()

    def _forget_shopper(self) -> None:
        self._skin.reset()
        self._settled = False
        self._light = None
        self._store_light.reset()
        self.photo.clear()
        if self._occluder is not None:
            self._occluder.reset()
        self._rebuild_tracker()

    # -- stage 1: newest frame → plan → analysis ------------------------------------------------
    def _run_analyse(self) -> None:
        last_index = -1
        while not self._stop.is_set():
            self.machine.set_status("camera", CAMERA_STATUS.get(self.grabber.status.state))
            ready = self._handoff.wait_empty(timeout=POLL_S)  # stage 2 has taken the last frame
            if ready:
                self._stop.wait(self._start_delay_s())
            frame = self.grabber.latest(after_index=last_index, timeout=POLL_S) if ready else None
            now = time.monotonic() * 1000
            self.machine.tick(now)
            if frame is None:
                continue
            last_index = frame.index
            try:
                analysis = self._take(frame, now)
            except Exception:  # one bad frame must not end the kiosk's day
                log.exception("pipeline: analysing frame %d failed", frame.index)
                continue
            self._handoff.put(analysis)
            self._analyse_s += EWMA * (analysis.done_s - analysis.started_s - self._analyse_s)

    def _start_delay_s(self) -> float:
        """How long stage 1 waits before taking the newest frame, so that its analysis ends just
        as stage 2 is free for it. Started earlier, the analysed frame would only sit between
        the stages growing older: with stage 2 the slower, latency would be twice its time."""
        free_at = self._handoff.taken_s + self._paint_s
        return min(POLL_S, max(0.0, free_at - self._analyse_s - time.perf_counter()))

    def _take(self, frame: Frame, now: float) -> Analysis:
        started = time.perf_counter()
        plan = self.machine.plan()
        if plan.session_id != self._session_id:
            if self._session_id is not None:
                self._forget_shopper()
            self._session_id = plan.session_id
        if not plan.analyse:
            return Analysis(frame, plan, False, [], started_s=started, done_s=time.perf_counter())
        return self._analyse(frame, plan, now, started)

    def _analyse(self, frame: Frame, plan: RenderPlan, now: float, started: float) -> Analysis:
        """The per-frame analysis, in order: face tracking → occlusion → skin tone. What painting
        needs from it travels in the `Analysis`, which stage 2 hands to `render`."""
        with self._tracker_lock:
            tracker = self._tracker
            if tracker is None:  # still being built for this shopper: show the mirror meanwhile
                return Analysis(frame, plan, False, [], started_s=started, done_s=time.perf_counter())
            t0 = time.perf_counter()
            faces = tracker.process(frame)
        t1 = time.perf_counter()
        self.tracker_calls += 1
        occlusion: Occlusion | None = None
        if self._occluder is not None:
            occlusion = self._occluder.update(frame.image, faces, frame.timestamp_ms)
        face = main_face(faces)
        light = self._store_light.update(frame.image, face, frame.timestamp_ms)
        self._analysed_frames += 1
        skin_s = 0.0
        if face is not None and (not self._settled or self._analysed_frames % SKIN_EVERY_SETTLED == 0):
            skin_s = time.perf_counter()
            reading = self._skin.update(frame.image, face)
            skin_s = time.perf_counter() - skin_s
            self._settled = self._settled or reading.status.code == "ok"
            # Light warnings ask the shopper to help the measurement; once the tone has
            # settled, nagging about the light would only distract from the try-on.
            bad_light = reading.status.code in TONE_NOTICES and not self._settled
            self._light = reading.status.code if bad_light else None
        tone = self._skin.current if self._settled else None
        self.machine.observe(now, face is not None, tone, self._light)
        return Analysis(
            frame,
            plan,
            True,
            faces,
            occlusion,
            light,
            track_ms=(t1 - t0) * 1000,
            skin_ms=skin_s * 1000,
            started_s=started,
            done_s=time.perf_counter(),
        )

    # -- stage 2: paint → JPEG → hub --------------------------------------------------------------
    def _run_paint(self) -> None:
        while not self._stop.is_set():
            analysis = self._handoff.take(timeout=POLL_S)
            if analysis is None:
                continue
            try:
                self._send(analysis)
            except Exception:  # one bad frame must not end the kiosk's day
                log.exception("pipeline: painting frame %d failed", analysis.frame.index)
            self._paint_s += EWMA * (time.perf_counter() - self._handoff.taken_s - self._paint_s)

    def _send(self, analysis: Analysis) -> None:
        t0 = time.perf_counter()
        out, flags = self._paint(analysis)
        t1 = time.perf_counter()
        ok, jpeg = cv2.imencode(".jpg", out, self._encode_params)
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        t2 = time.perf_counter()
        self.timings.append(
            StageTimes(
                (analysis.done_s - analysis.started_s) * 1000,
                analysis.track_ms,
                analysis.skin_ms,
                (t0 - analysis.done_s) * 1000,
                (t1 - t0) * 1000,
                (t2 - t1) * 1000,
            )
        )
        frame, seq = analysis.frame, self.frames_out
        self.hub.publish(
            Packet(seq, float(frame.timestamp_ms), pack(seq, flags, frame.timestamp_ms, jpeg.tobytes()))
        )
        self.frames_out += 1
        if self.debug is not None:
            face = main_face(analysis.faces)
            polygon = face.landmarks[LIPS_OUTER] if face is not None else None
            lips = polygon.tolist() if polygon is not None else None
            shown = visible_share(analysis.occlusion, polygon) if polygon is not None else 1.0
            h, w = frame.image.shape[:2]
            self.debug.append(
                FrameDebug(seq, w, h, analysis.analysed, analysis.plan.look.to_spec(), lips, shown)
            )

    def _paint(self, analysis: Analysis) -> tuple[np.ndarray, int]:
        """The frame as the shopper sees it, and its stream flags."""
        frame, plan = analysis.frame, analysis.plan
        image = frame.image
        if analysis.analysed:
            out, flags = image, FLAG_ANALYSED
            face = main_face(analysis.faces)
            if plan.look.layers and analysis.faces:
                out = render(
                    image, analysis.faces, plan.look, occlusion=analysis.occlusion, light=analysis.light
                )
                flags |= FLAG_LOOK
                if plan.split is not None:
                    out = split_view(image, out, plan.split)
            # A frame with the before/after divider, or without a face, is no photo to keep.
            score = face_score(out, face) if face is not None and plan.split is None else 0.0
            self._offer_photo(plan, plan.look.to_spec(), out, score)
            return out, flags
        if plan.furniture and self.furniture is not None:
            out, floor_known = self.furniture.process(image, frame.timestamp_ms, plan.placements)
            self.machine.set_status("floor", None if floor_known else "marker_lost")
            self._offer_photo(plan, repr(plan.placements), out, 1.0)  # no face to judge: the newest
            return out, 0
        self.machine.set_status("floor", None)
        return image, 0

    def _offer_photo(self, plan: RenderPlan, look: str, out: np.ndarray, score: float) -> None:
        key = PickKey(plan.session_id, look, plan.photo_round)
        self.photo.offer(key, out, score, time.monotonic() * 1000, plan.photo_hold)
