"""Fixtures for the vision tests: real faces (committed, plus ../shared's deep-skin portraits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vision.capture import Frame, read_image
from vision.evaluate import COMMITTED, SHARED_DEEP, SHARED_FACES
from vision.face import FaceTracker


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
    return {path.name: _load(path, image_tracker) for path in COMMITTED}


@pytest.fixture(scope="session")
def deep_faces(image_tracker, require_shared):
    require_shared(SHARED_FACES)
    return {name: _load(SHARED_FACES / name, image_tracker) for name in SHARED_DEEP}
