"""The hand occluder at kiosk speed (issue 10): the landmarker on every 3rd frame, optical flow
between, and the cheaper image operations under the mask; each must keep the hand covered."""

import dataclasses

import cv2
import numpy as np
import pytest

from vision.capture import Frame
from vision.face import FaceTracker
from vision.occlusion import HandOccluder
from vision.occlusion.hand_mask import FINGERS, _grown, draw_hand, shrink
from vision.occlusion.measure import composite_hand


@pytest.fixture(scope="module")
def close_face(committed_faces):
    """pexels_smile.jpg at 1280×720, a shopper close to the kiosk."""
    image = cv2.resize(
        committed_faces["pexels_smile.jpg"][0], None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC
    )
    with FaceTracker(mode="image") as tracker:
        faces = tracker.process(Frame(image, 0, 0))
    assert faces
    return image, faces


def _hand_moving_up(image, face, steps: int, px_per_frame: float):
    """The real hand photo pasted over the mouth, raised `px_per_frame` more on each frame."""
    for k in range(steps):
        moved = dataclasses.replace(face, landmarks=face.landmarks - np.float32([0, k * px_per_frame]))
        yield composite_hand(image, moved)[0]


def test_between_landmarker_runs_the_hand_moves_with_the_image(close_face):
    """On the frames the landmarker skips, the landmarks follow the hand with the image: at least
    half of the way, as the One-Euro filter lets a landmarker reading through (the landmarker on
    every frame is there ~12 and ~27 px of 20 and 40, and wavers sideways by up to 10 px), where
    left as last measured, they would leave the moving fingers uncovered."""
    image, faces = close_face
    with HandOccluder(track_every=3) as occluder:
        track = [
            occluder.hands(frame, faces, 33 * k)[0].copy()
            for k, frame in enumerate(_hand_moving_up(image, faces[0], 3, 20.0))
        ]
    for k in (1, 2):  # frames followed by optical flow
        moved = np.median(track[k] - track[0], axis=0)
        assert -20.0 * k * 1.05 < moved[1] < -20.0 * k * 0.5, moved  # up, at least half the way
        assert abs(moved[0]) < 3.0, moved  # and not sideways


def test_a_followed_hand_is_still_masked(close_face):
    image, faces = close_face
    x0, y0, x1, y1 = faces[0].bbox
    with HandOccluder(track_every=3) as occluder:
        for k, frame in enumerate(_hand_moving_up(image, faces[0], 3, 15.0)):
            occ = occluder.update(frame, faces, 33 * k)
    _, alpha = composite_hand(image, dataclasses.replace(faces[0], landmarks=faces[0].landmarks - [0, 30]))
    vis = np.ones(alpha.shape, np.float32)
    (ox, oy), (oh, ow) = occ.origin, occ.visibility.shape
    vis[oy : oy + oh, ox : ox + ow] = occ.visibility
    on_face = np.zeros(alpha.shape, bool)
    on_face[y0:y1, x0:x1] = True
    assert np.mean(vis[(alpha > 0.99) & on_face] < 0.5) > 0.7
    assert np.mean(vis[(alpha == 0) & on_face] > 0.5) > 0.9


def test_shrink_says_exactly_which_pixels_it_shows():
    image = np.zeros((367, 501, 3), np.uint8)
    image[200:204, 300:304] = 255
    for scale in (1.0, 0.8, 0.5, 0.37, 0.2):
        small, (w, h) = shrink(image, scale)
        assert w <= 501 and h <= 367 and 501 - w < 8 and 367 - h < 8
        sx, sy = small.shape[1] / w, small.shape[0] / h
        assert sx == pytest.approx(scale, abs=0.01) and sy == pytest.approx(scale, abs=0.01)
        ys, xs = np.nonzero(small[..., 0] > 0)
        centre = np.array([xs.mean(), ys.mean()])
        assert np.abs(centre - ((np.array([301.5, 201.5]) + 0.5) * (sx, sy) - 0.5)).max() < 0.75, scale


def test_the_grown_outline_is_the_dilated_one(close_face):
    """Drawn thick instead of dilated by a wide disc: the same pixels, at a fraction of the cost."""
    image, faces = close_face
    with HandOccluder() as occluder:
        hand = occluder.hands(composite_hand(image, faces[0])[0], faces, 0)[0]
    local = (hand - hand.min(axis=0) + 30) * 0.5
    shape = (int(local[:, 1].max()) + 30, int(local[:, 0].max()) + 30)
    hull = cv2.convexHull(np.round(local).astype(np.int32))
    for radius in (4.0, 9.0):
        grown = _grown(shape, local, hull, radius) > 0
        base = draw_hand(shape, local, 1.0)
        cv2.fillConvexPoly(base, hull, 255)
        k = 2 * round(radius) + 1
        dilated = cv2.dilate(base, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))) > 0
        assert np.sum(grown & dilated) / np.sum(grown | dilated) > 0.95, radius
    assert len(FINGERS) == 5


@pytest.mark.parametrize(("px_per_frame", "runs"), [(0.0, 2), (-30.0, 5)])
def test_a_hand_sweeping_fast_is_looked_at_again(close_face, px_per_frame, runs):
    """Between landmarker runs the flow carries the hand, but a fingertip's flow window holds
    the face behind it, and a hand sweeping off the lips left fingertips on them. When the flow
    sees the hand move faster than FAST_HAND, the landmarker looks on the next frame, and goes on
    looking while it sees the hand move that fast itself: over 6 frames at every 3rd, a still
    hand is measured twice (frames 0 and 3), a fast one (lowered 30 px a frame at 720p) on frame
    0, then from frame 2 (the flow saw it fast on frame 1) on every frame."""
    image, faces = close_face
    with HandOccluder(track_every=3) as occluder:
        landmarker = occluder._landmarker
        calls = []

        class Counting:
            def detect_for_video(self, *args):
                calls.append(args[1])
                return landmarker.detect_for_video(*args)

        occluder._landmarker = Counting()
        for k, frame in enumerate(_hand_moving_up(image, faces[0], 6, px_per_frame)):
            occluder.hands(frame, faces, 42 * k)
        occluder._landmarker = landmarker
    assert len(calls) == runs, calls
