"""The two-stage pipeline on its real parts (the demo clip through LatestFrameGrabber, MediaPipe,
the state machine, the frame hub): frames reach the hub in capture order, a tapped shade shows
on the next frames, nothing is analysed before consent, a camera that ends or never opens is
reported as before, and stopping leaves no thread behind."""

from __future__ import annotations

import functools
import itertools
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import cv2
import pytest
from fastapi.testclient import TestClient

import vision.face
from catalogue import load_catalogue
from kiosk.app.catalogue_view import load_presets
from kiosk.app.commands import parse_command
from kiosk.app.framehub import FLAG_ANALYSED, FLAG_LOOK, FrameHub, Packet, unpack
from kiosk.app.machine import KioskMachine
from kiosk.app.pipeline import Pipeline  # the first import of MediaPipe in this process
from kiosk.app.runtime import KioskRuntime
from kiosk.app.server import create_app
from kiosk.app.settings import DEMO_CLIP, KioskSettings
from vision.capture import LatestFrameGrabber

pytestmark = pytest.mark.slow

CATALOGUE = load_catalogue()
PIPELINE_THREADS = ("pipeline-analyse", "pipeline-paint", "tracker-build")
SHADE = "SAH-LIP-03"


class RecordingHub(FrameHub):
    """A real frame hub that also keeps (seq, flags, capture ms) of every packet published."""

    def __init__(self) -> None:
        super().__init__()
        self._record_lock = threading.Lock()
        self._published: list[tuple[int, int, float]] = []

    def publish(self, packet: Packet) -> None:
        seq, flags, capture_ms, _ = unpack(packet.data)
        with self._record_lock:
            self._published.append((seq, flags, capture_ms))
        super().publish(packet)

    def published(self) -> list[tuple[int, int, float]]:
        with self._record_lock:
            return list(self._published)


class NoEvents:
    def record(self, session_id: str, data: object) -> None:
        """Session events are not what these tests look at."""


@contextmanager
def running(source: Path | str = DEMO_CLIP, loop: bool = True) -> Iterator[tuple[Pipeline, RecordingHub]]:
    machine = KioskMachine(
        CATALOGUE,
        load_presets(CATALOGUE),
        NoEvents(),
        default_lang="en",
        idle_timeout_s=600,
        face_gone_s=600,
    )
    grabber = LatestFrameGrabber(str(source), loop=loop, max_backoff_s=0.5).start()
    hub = RecordingHub()
    pipeline = Pipeline(grabber, machine, hub, debug=True).start()
    try:
        yield pipeline, hub
    finally:
        pipeline.stop()
        grabber.stop()


def wait_until(condition: Callable[[], object], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def analysed_count(hub: RecordingHub) -> int:
    return sum(1 for _, flags, _ in hub.published() if flags & FLAG_ANALYSED)


def consent(pipeline: Pipeline) -> None:
    pipeline.machine.handle(parse_command({"cmd": "start"}), time.monotonic() * 1000)
    pipeline.machine.handle(parse_command({"cmd": "consent", "accept": True}), time.monotonic() * 1000)


def pipeline_threads(others: frozenset[threading.Thread] = frozenset()) -> list[str]:
    return [t.name for t in threading.enumerate() if t.name in PIPELINE_THREADS and t not in others]


@pytest.fixture
def others() -> frozenset[threading.Thread]:
    """Pipeline threads already running (another test's kiosk in this session): not this test's."""
    return frozenset(t for t in threading.enumerate() if t.name in PIPELINE_THREADS)


def test_frames_reach_the_hub_in_capture_order():
    with running() as (pipeline, hub):
        consent(pipeline)
        wait_until(lambda: analysed_count(hub) >= 40)
    published = hub.published()
    assert [seq for seq, _, _ in published] == list(range(len(published)))
    captured = [capture_ms for _, _, capture_ms in published]
    # Strictly increasing: the tracker (stage 1, in this same order) saw time move forward.
    assert all(a < b for a, b in itertools.pairwise(captured))
    assert pipeline.tracker_calls >= 40


def test_a_tapped_shade_is_on_every_frame_after_the_ones_already_in_flight():
    with running() as (pipeline, hub):
        consent(pipeline)
        wait_until(lambda: analysed_count(hub) >= 10)
        tapped_at = pipeline.frames_out
        pipeline.machine.handle(parse_command({"cmd": "select", "sku": SHADE}), time.monotonic() * 1000)
        look = pipeline.machine.plan().look.to_spec()
        wait_until(lambda: pipeline.frames_out >= tapped_at + 20)
        debug = list(pipeline.debug or ())
        flags = {seq: f for seq, f, _ in hub.published()}
    assert look.startswith("lipstick=")
    # At most three frames were past the planning step when the shade was tapped: the one being
    # painted, one waiting between the stages and one being analysed.
    after = [f for f in debug if f.seq >= tapped_at + 3]
    assert after and all(f.look == look for f in after)
    painted = [f for f in after if f.lips is not None]
    assert painted and all(flags[f.seq] & FLAG_LOOK for f in painted)
    assert all(f.look == "" for f in debug if f.seq < tapped_at)


def test_nothing_is_analysed_before_consent_or_after_it_is_declined():
    with running() as (pipeline, hub):
        wait_until(lambda: pipeline.frames_out >= 10)  # attract screen
        pipeline.machine.handle(parse_command({"cmd": "start"}), time.monotonic() * 1000)
        shown = pipeline.frames_out
        wait_until(lambda: pipeline.frames_out >= shown + 10)  # the consent screen is up
        pipeline.machine.handle(parse_command({"cmd": "consent", "accept": False}), time.monotonic() * 1000)
        shown = pipeline.frames_out
        wait_until(lambda: pipeline.frames_out >= shown + 10)  # a plain mirror
        assert pipeline.tracker_calls == 0
        assert pipeline.store_anchor.shoppers == 0  # no eyes looked at, none learned from
        assert analysed_count(hub) == 0
        assert not any(f.analysed or f.lips for f in pipeline.debug or ())
        assert pipeline.snapshot_jpeg(300_000) is None


def test_a_new_shopper_gets_a_fresh_tracker_and_never_the_last_ones_picture():
    with running() as (pipeline, hub):
        consent(pipeline)
        wait_until(lambda: analysed_count(hub) >= 5 and pipeline.snapshot_jpeg(300_000) is not None)
        pipeline.machine.handle(parse_command({"cmd": "end"}), time.monotonic() * 1000)
        assert pipeline.snapshot_jpeg(300_000) is None  # from the moment the session ends
        calls = pipeline.tracker_calls
        consent(pipeline)
        assert pipeline.snapshot_jpeg(300_000) is None  # the new session's picture is not painted yet
        wait_until(lambda: pipeline.tracker_calls >= calls + 5)  # the rebuilt tracker runs
        wait_until(lambda: pipeline.snapshot_jpeg(300_000) is not None)


def test_the_store_learns_skin_tones_white_from_a_shopper_who_leaves():
    """The eyes-to-scene offset a consenting shopper's frames settled is folded into the
    store's anchor when their session ends, and the next shopper starts from it."""
    with running() as (pipeline, _):
        consent(pipeline)
        wait_until(lambda: pipeline.machine.session is not None and pipeline.machine.session.tone is not None)
        assert pipeline.store_anchor.shoppers == 0  # nothing learned while the shopper is there
        pipeline.machine.handle(parse_command({"cmd": "end"}), time.monotonic() * 1000)
        consent(pipeline)
        calls = pipeline.tracker_calls
        wait_until(lambda: pipeline.tracker_calls >= calls + 2)  # the next shopper's frames
        assert pipeline.store_anchor.shoppers == 1 and pipeline.store_anchor.offset is not None


def test_stopping_leaves_no_thread_behind_even_while_the_tracker_is_being_built(others):
    assert pipeline_threads(others) == []
    with running():
        pass  # stopped at once: the tracker is most likely still being built
    assert pipeline_threads(others) == []
    with running() as (pipeline, hub):
        consent(pipeline)
        wait_until(lambda: analysed_count(hub) >= 3)
        pipeline.machine.handle(parse_command({"cmd": "end"}), time.monotonic() * 1000)
        consent(pipeline)  # a new session: the tracker is rebuilt
        wait_until(lambda: pipeline.frames_out >= 5)
    assert pipeline_threads(others) == []


FRESH_PROCESS = """
import sys, time
from kiosk.app.catalogue_view import load_presets
from kiosk.app.commands import parse_command
from kiosk.app.framehub import FrameHub
from kiosk.app.machine import KioskMachine
from kiosk.app.pipeline import Pipeline  # the first import of MediaPipe in this process
from kiosk.app.settings import DEMO_CLIP
from catalogue import load_catalogue
from vision.capture import LatestFrameGrabber

class NoEvents:
    def record(self, session_id, data):
        pass

assert "mediapipe.tasks.python.vision" in sys.modules, "MediaPipe is left to be imported by two threads"
catalogue = load_catalogue()
machine = KioskMachine(
    catalogue, load_presets(catalogue), NoEvents(), default_lang="en", idle_timeout_s=600, face_gone_s=600
)
grabber = LatestFrameGrabber(str(DEMO_CLIP), loop=True).start()
pipeline = Pipeline(grabber, machine, FrameHub()).start()
machine.handle(parse_command({"cmd": "start"}), time.monotonic() * 1000)
machine.handle(parse_command({"cmd": "consent", "accept": True}), time.monotonic() * 1000)
deadline = time.monotonic() + 60
while pipeline.tracker_calls < 3 and time.monotonic() < deadline:
    time.sleep(0.05)
pipeline.stop()
grabber.stop()
print("tracker calls", pipeline.tracker_calls)
"""


def test_a_fresh_process_starts_the_pipeline_without_an_import_race():
    """MediaPipe is first imported while the pipeline starts; two threads importing it at once
    fail (a circular import) and the kiosk would come up without its face tracker."""
    done = subprocess.run([sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert int(done.stdout.split()[-1]) >= 3


def test_a_clip_that_ends_is_reported_and_its_last_frames_were_sent(tmp_path, others):
    clip = tmp_path / "short.mp4"
    source = cv2.VideoCapture(str(DEMO_CLIP))
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), 24.0, (640, 360))
    for _ in range(12):
        ok, image = source.read()
        assert ok
        writer.write(cv2.resize(image, (640, 360)))
    writer.release()
    source.release()
    with running(clip, loop=False) as (pipeline, _):
        wait_until(lambda: pipeline.machine.status.get("camera") == "camera_ended")
        assert pipeline.frames_out >= 1
    assert pipeline_threads(others) == []


def test_a_camera_that_cannot_be_opened_is_reported_and_nothing_is_sent(tmp_path, others):
    with running(tmp_path / "no-such-camera.mp4") as (pipeline, _):
        wait_until(lambda: pipeline.machine.status.get("camera") == "camera_unavailable")
        assert pipeline.frames_out == 0
    assert pipeline_threads(others) == []


def test_a_corrupt_face_model_is_reported_not_hidden(tmp_path, monkeypatch, others):
    """The tracker is built on its own thread: a model that fails its checksum must not just kill
    that thread while the kiosk reports itself healthy."""
    corrupt = tmp_path / "face_landmarker.task"
    corrupt.write_bytes(vision.face.MODEL_PATH.read_bytes()[:-1000] + b"\0" * 1000)
    checked = functools.partial(vision.face.load_model_bytes, corrupt)  # the real sha256 check
    monkeypatch.setattr(vision.face, "load_model_bytes", checked)
    with running() as (pipeline, _):
        consent(pipeline)
        wait_until(lambda: "face_tracker" in pipeline.broken)
        wait_until(lambda: pipeline.frames_out >= 5)  # the shopper still sees a mirror
        assert "altered or corrupt" in pipeline.broken["face_tracker"]
        assert pipeline.tracker_calls == 0
    assert pipeline_threads(others) == []


def test_healthz_names_what_is_broken(tmp_path):
    runtime = KioskRuntime(KioskSettings(source=str(DEMO_CLIP), data_dir=tmp_path, speech=False))
    client = TestClient(create_app(runtime), base_url=f"http://127.0.0.1:{runtime.settings.ui_port}")
    runtime.pipeline.broken["face_tracker"] = "FaceModelError: face model altered or corrupt"
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "broken"
    assert "corrupt" in answer.json()["broken"]["face_tracker"]


def test_one_light_card_serves_the_shades_and_skin_tone():
    from vision.light import LightReference

    card = LightReference((0, 0, 8, 8), reflectance=0.18)
    machine = KioskMachine(
        CATALOGUE, load_presets(CATALOGUE), NoEvents(), default_lang="en", idle_timeout_s=60, face_gone_s=5
    )
    pipeline = Pipeline(LatestFrameGrabber(str(DEMO_CLIP)), machine, FrameHub(), light_reference=card)
    assert pipeline._store_light.reference is card and pipeline._skin.reference is card
