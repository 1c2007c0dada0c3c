"""Fixtures for the vision tests: real faces (committed, plus ../shared's deep-skin portraits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision.capture import Frame, read_image
from vision.face import FaceTracker

DATA = Path(__file__).resolve().parent.parent / "data"
SHARED_FACES = Path(__file__).resolve().parents[3] / "shared" / "data" / "faces"
COMMITTED = ["astronaut.jpg", "grace_hopper.jpg", "pexels_smile.jpg"]
# Self-reported black participants of the London set: the deep end of the Monk scale.
SHARED_DEEP = [
    "london/025_03.jpg",
    "london/044_03.jpg",
    "london/061_03.jpg",
    "london/062_03.jpg",
    "london/082_03.jpg",
]


@pytest.fixture(scope="session")
def image_tracker():
    tracker = FaceTracker(mode="image")
    yield tracker
    tracker.close()


def _load(path: Path, tracker: FaceTracker):
    image = read_image(path)
    faces = tracker.process(Frame(image, 0, 0))
    assert faces, f"no face found in {path}"
    return image, faces


@pytest.fixture(scope="session")
def committed_faces(image_tracker):
    return {name: _load(DATA / name, image_tracker) for name in COMMITTED}


@pytest.fixture(scope="session")
def deep_faces(image_tracker):
    if not SHARED_FACES.is_dir():
        pytest.skip("../shared/data/faces is absent (fresh clone): deep-skin portraits not available")
    return {name: _load(SHARED_FACES / name, image_tracker) for name in SHARED_DEEP}
