"""The photo the shopper takes home is the best frame of the last few seconds (kiosk/app/photo.py),
not whatever frame was last painted: on the demo clip, the last frame is mid-blink."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.app.photo import EYES_CLOSED, PICK_MS, PhotoKeeper, PickKey, face_score
from kiosk.app.settings import DEMO_CLIP
from vision.capture import Frame, VideoSource
from vision.face import FaceTracker

# Frames of the demo clip (assets/demo/shopper.mp4) that end on a blink: eyeBlinkLeft/Right
# read ~0.15 up to frame 384 and 0.64 at frame 386 (found with the face tracker's blendshapes).
WINDOW = range(340, 387)
BLINK_FRAME = 386
WARM_UP = 300  # the video tracker runs from here, as it would have during the session


def blink(tracker: FaceTracker, image: np.ndarray) -> float:
    faces = tracker.process(Frame(image, 0, 0))
    assert faces, "no face found"
    b = faces[0].blendshapes
    return max(b["eyeBlinkLeft"], b["eyeBlinkRight"])


@pytest.fixture(scope="module")
def window_frames() -> list[Frame]:
    source = VideoSource(Path(DEMO_CLIP), loop=False, mirror=False)
    try:
        frames = []
        for frame in source:
            if frame.index >= WARM_UP:
                frames.append(frame)
            if frame.index == WINDOW.stop - 1:
                return frames
        raise AssertionError("the demo clip is shorter than it was")
    finally:
        source.close()


def test_the_kept_photo_has_both_eyes_open_though_the_last_frame_is_a_blink(window_frames):
    keeper = PhotoKeeper()
    key = PickKey("session", "lipstick=X", 0)
    last = None
    with FaceTracker(mode="video", max_faces=1) as tracker:
        for frame in window_frames:
            faces = tracker.process(frame)
            if frame.index not in WINDOW:
                continue  # the tracker warms up on the frames before the window
            score = face_score(frame.image, faces[0]) if faces else 0.0
            keeper.offer(key, frame.image, score, float(frame.timestamp_ms), hold=False)
            last = frame
    assert last is not None and last.index == BLINK_FRAME
    chosen = keeper.best("session")
    assert chosen is not None
    jpeg = cv2.imencode(".jpg", chosen)[1]
    with FaceTracker(mode="image", max_faces=1) as still:
        assert blink(still, last.image) > EYES_CLOSED  # what the last-frame snapshot used to send
        assert blink(still, cv2.imdecode(jpeg, cv2.IMREAD_COLOR)) < EYES_CLOSED  # what is sent now
    assert keeper.best("another session") is None


def image(value: int) -> np.ndarray:
    return np.full((4, 4, 3), value, np.uint8)


def test_a_new_look_or_a_retake_starts_a_new_pick_and_the_summary_holds_it():
    keeper = PhotoKeeper()
    look1 = PickKey("s", "lipstick=A", 0)
    keeper.offer(look1, image(1), 0.9, 0.0, hold=False)
    keeper.offer(look1, image(2), 0.5, 100.0, hold=False)  # worse, and hardly older
    assert keeper.best("s")[0, 0, 0] == 1
    keeper.offer(look1, image(3), 0.0, 200.0, hold=False)  # a blink is never kept
    assert keeper.best("s")[0, 0, 0] == 1
    keeper.offer(look1, image(4), 0.5, 4200.0, hold=False)  # four seconds on, the old one faded
    assert keeper.best("s")[0, 0, 0] == 4
    look2 = PickKey("s", "lipstick=B", 0)
    keeper.offer(look2, image(5), 0.0, 4300.0, hold=False)
    assert keeper.best("s") is None  # never a photo in the look the shopper took off
    keeper.offer(look2, image(6), 0.6, 4400.0, hold=True)
    assert keeper.best("s", held_round=0) is None  # still gathering
    keeper.offer(look2, image(7), 0.1, 4300.0 + PICK_MS, hold=True)  # the summary: it holds
    assert keeper.best("s", held_round=0)[0, 0, 0] == 6
    keeper.offer(look2, image(8), 1.0, 9000.0, hold=True)  # held: what is shown is what is sent
    assert keeper.best("s", held_round=0)[0, 0, 0] == 6
    assert keeper.best("s", held_round=1) is None  # a retake is not answered with the old pick
    retake = PickKey("s", "lipstick=B", 1)
    keeper.offer(retake, image(9), 0.7, 9100.0, hold=True)
    assert keeper.best("s", held_round=1) is None
    assert keeper.best("s")[0, 0, 0] == 9
    keeper.offer(retake, image(10), 0.2, 9200.0 + PICK_MS, hold=True)
    assert keeper.best("s", held_round=1)[0, 0, 0] == 9
    keeper.offer(retake, image(11), 0.9, 9300.0 + PICK_MS, hold=False)  # back to the makeup screen
    assert keeper.best("s")[0, 0, 0] == 11  # the pick goes on
    keeper.clear()
    assert keeper.best("s") is None
