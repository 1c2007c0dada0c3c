import shutil
from pathlib import Path

import numpy as np
import pytest

from vision import face as face_mod
from vision.capture import read_image
from vision.face import FaceModelError, load_model_bytes
from vision.tracking_quality import measure_tracking

DATA = Path(__file__).resolve().parent.parent / "data"


def test_model_checksum_is_verified(tmp_path):
    assert len(load_model_bytes()) == 3_758_596
    altered = tmp_path / "face_landmarker.task"
    shutil.copy(face_mod.MODEL_PATH, altered)
    with altered.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02")
    with pytest.raises(FaceModelError, match="altered or corrupt"):
        load_model_bytes(altered)
    with pytest.raises(FaceModelError, match="missing"):
        load_model_bytes(tmp_path / "nope.task")


def _check_anatomy(faces, image):
    f = faces[0]
    assert f.landmarks.shape == (478, 2)
    pts = f.landmarks
    _h, w = image.shape[:2]
    assert (pts[:, 0] > -5).all() and (pts[:, 0] < w + 5).all()
    # Eyes above the nose tip above the mouth, subject's right eye on the image's left.
    assert pts[33, 1] < pts[1, 1] < pts[13, 1]
    assert pts[33, 0] < pts[263, 0]
    assert 0.15 < f.interocular / (f.bbox[2] - f.bbox[0]) < 0.9
    assert "jawOpen" in f.blendshapes and f.transform.shape == (4, 4)


def test_landmarks_on_committed_faces(committed_faces):
    for image, faces in committed_faces.values():
        _check_anatomy(faces, image)

    # pexels_smile is a wide-open laugh, astronaut a closed smile
    def gap(name):
        f = committed_faces[name][1][0]
        return np.linalg.norm(f.landmarks[13] - f.landmarks[14]) / f.interocular

    assert gap("pexels_smile.jpg") > 0.15 > 0.05 > gap("grace_hopper.jpg")


def test_landmarks_on_deep_skin_portraits(deep_faces):
    for image, faces in deep_faces.values():
        _check_anatomy(faces, image)


def test_smoothing_steadies_a_still_face_without_trailing_a_moving_one():
    q = measure_tracking(read_image(DATA / "astronaut.jpg"))
    assert q.jitter_smoothed < q.jitter_raw
    # At ~1.5 face-widths per second the makeup trails the face by under 5% of a face width.
    assert q.lag_smoothed < 0.05


def test_smoothing_reduces_jitter_on_a_real_video():
    from vision.tracking_quality import video_jitter

    j = video_jitter(str(DATA / "face_clip.mp4"))
    assert j.frames >= 10
    assert j.smoothed < 0.8 * j.raw


def test_video_mode_tracks_the_whole_clip():
    from vision.capture import open_source
    from vision.face import FaceTracker

    with FaceTracker(mode="video") as tracker:
        found = [bool(tracker.process(frame)) for frame in open_source(str(DATA / "face_clip.mp4"))]
    assert np.mean(found) > 0.95


def test_grace_period_holds_then_drops_a_lost_face():
    from vision.capture import Frame
    from vision.face import FaceTracker

    image = read_image(DATA / "astronaut.jpg")
    blank = np.zeros_like(image)
    with FaceTracker(mode="video", grace_frames=3) as tracker:
        for i in range(5):
            assert tracker.process(Frame(image, i * 33, i))
        held = [bool(tracker.process(Frame(blank, (5 + i) * 33, 5 + i))) for i in range(5)]
    assert held == [True, True, True, False, False]


def test_smoothing_keeps_up_with_a_quick_head_turn():
    """A quick turn (4 inter-ocular distances per second): with One-Euro beta 8 the landmarks
    trailed by ~0.020 IOD here (6 px at 720p); beta 20 halves that."""
    from vision.capture import Frame
    from vision.face import FaceTracker

    image = read_image(DATA / "astronaut.jpg")
    with FaceTracker(mode="image") as tracker:
        iod = tracker.process(Frame(image, 0, 0))[0].interocular
    q = measure_tracking(image, moving=15, step_px=4.0 * iod * 0.033)
    assert q.lag_smoothed < 0.015, q
    assert q.jitter_smoothed < q.jitter_raw
