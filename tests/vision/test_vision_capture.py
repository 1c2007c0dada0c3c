import itertools
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from vision.capture import IMAGE_SUFFIXES, CaptureError, LatestFrameGrabber, open_source, read_image

DATA = Path(__file__).resolve().parent.parent / "data"


def test_image_and_folder_sources(tmp_path):
    frames = list(open_source(str(DATA / "astronaut.jpg")))
    assert len(frames) == 1 and frames[0].image.shape == (512, 512, 3)
    names = sorted(p.name for p in DATA.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    assert [f.index for f in open_source(str(DATA))] == list(range(len(names)))


def test_mirror_flips_horizontally():
    plain = next(iter(open_source(str(DATA / "astronaut.jpg"))))
    mirrored = next(iter(open_source(str(DATA / "astronaut.jpg"), mirror=True)))
    assert np.array_equal(mirrored.image, plain.image[:, ::-1])


def test_video_loops_with_monotonic_timestamps():
    source = open_source(str(DATA / "face_clip.mp4"), loop=True)
    stamps = [source.read().timestamp_ms for _ in range(100)]  # the clip has 72 frames
    source.close()
    assert all(b > a for a, b in itertools.pairwise(stamps))


def test_corrupt_and_missing_inputs_give_clear_errors(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(CaptureError, match="cannot decode"):
        read_image(bad)
    with pytest.raises(CaptureError, match="not found"):
        open_source(str(tmp_path / "missing.mp4"))
    bad_video = tmp_path / "broken.mp4"
    bad_video.write_bytes(b"\x00" * 1000)
    with pytest.raises(CaptureError):
        open_source(str(bad_video)).read()
    with pytest.raises(CaptureError, match="camera 57"):
        open_source(57)


def test_grabber_keeps_only_the_newest_frame():
    grabber = LatestFrameGrabber(str(DATA / "face_clip.mp4")).start()
    try:
        first = grabber.latest(timeout=5)
        assert first is not None
        time.sleep(0.5)  # ~12 frames at the clip's 24 fps arrive while nobody reads
        newest = grabber.latest(after_index=first.index, timeout=2)
        assert newest is not None and newest.index > first.index + 5
        assert grabber.dropped >= 5
        assert grabber.status.state in ("ok", "ended")
    finally:
        grabber.stop()


def test_grabber_plays_a_still_at_camera_rate_not_flat_out():
    grabber = LatestFrameGrabber(str(DATA / "astronaut.jpg"), loop=True).start()
    try:
        first = grabber.latest(timeout=5)
        time.sleep(1.0)
        last = grabber.latest(after_index=first.index, timeout=1)
        # 30 frames a second; unpaced, a decoded still repeats thousands of times a second.
        assert 10 <= last.index - first.index <= 45
    finally:
        grabber.stop()


def test_grabber_survives_a_source_that_disappears(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes((DATA / "face_clip.mp4").read_bytes())
    grabber = LatestFrameGrabber(str(tmp_path / "not-there-yet.mp4"), max_backoff_s=0.2).start()
    try:
        deadline = time.monotonic() + 3
        while grabber.status.state != "reconnecting" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert grabber.status.state == "reconnecting"
        assert "not found" in grabber.status.message
        assert grabber.latest() is None
        (tmp_path / "not-there-yet.mp4").write_bytes(clip.read_bytes())  # the "camera" comes back
        assert grabber.latest(timeout=5) is not None
    finally:
        grabber.stop()


def test_video_file_frames_decode_like_opencv():
    cap = cv2.VideoCapture(str(DATA / "face_clip.mp4"))
    ok, expected = cap.read()
    cap.release()
    assert ok
    assert np.array_equal(next(iter(open_source(str(DATA / "face_clip.mp4")))).image, expected)
