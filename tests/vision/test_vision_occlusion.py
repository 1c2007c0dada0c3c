"""Paint only what is visible: hands in front of the face keep their own colour (issue 10)."""

import hashlib
import zipfile

import numpy as np
import pytest

from vision.evaluate import FULL_LOOK, MOVING_HAND_CLIP, clip_frames
from vision.makeup import parse_look, render
from vision.occlusion import HandModelError, HandOccluder, Occlusion
from vision.occlusion.hands import MODEL_PATH, MODEL_SHA256, load_hand_model
from vision.occlusion.measure import (
    composite_hand,
    mask_flicker,
    measure_composites,
    measure_hand_paint,
    measure_moving_composite,
)


def test_hand_model_is_the_bundle_we_ship():
    assert hashlib.sha256(load_hand_model()).hexdigest() == MODEL_SHA256
    with zipfile.ZipFile(MODEL_PATH) as bundle:
        infos = {i.filename: i for i in bundle.infolist()}
    assert set(infos) == {"hand_detector.tflite", "hand_landmarks_detector.tflite"}
    assert all(i.compress_type == zipfile.ZIP_STORED for i in infos.values())


def test_hand_model_refuses_an_altered_or_missing_file(tmp_path):
    altered = tmp_path / "hand_landmarker.task"
    altered.write_bytes(MODEL_PATH.read_bytes()[:-1] + b"x")
    with pytest.raises(HandModelError, match="altered or corrupt"):
        load_hand_model(altered)
    with pytest.raises(HandModelError, match="missing"):
        load_hand_model(tmp_path / "absent.task")


def test_occlusion_covers_only_its_rectangle():
    vis = np.zeros((4, 5), np.float32)
    occ = Occlusion(vis, (10, 20))
    over = occ.over((8, 18, 16, 26))
    assert over.shape == (8, 8)
    assert over[2:6, 2:7].max() == 0.0 and over.sum() == 64 - 20
    assert occ.over((0, 0, 10, 20)) is None
    with pytest.raises(ValueError, match="2-D float32"):
        Occlusion(np.zeros((4, 5)), (0, 0))


def test_every_layer_respects_the_occlusion(committed_faces):
    """A face entirely hidden comes out bit-identical with a full 10-layer look; half hidden,
    only the visible half changes."""
    image, faces = committed_faces["astronaut.jpg"]
    look = parse_look(FULL_LOOK)
    h, w = image.shape[:2]
    hidden = render(image, faces, look, occlusion=Occlusion(np.zeros((h, w), np.float32)))
    assert np.array_equal(hidden, image)
    x_mid = int(faces[0].landmarks[:, 0].mean())
    half = np.ones((h, w), np.float32)
    half[:, :x_mid] = 0
    out = render(image, faces, look, occlusion=Occlusion(half))
    assert np.array_equal(out[:, :x_mid], image[:, :x_mid])
    assert np.abs(out[:, x_mid:].astype(int) - image[:, x_mid:]).max() > 20  # still painted


def test_no_hand_costs_nothing(committed_faces):
    image, faces = committed_faces["grace_hopper.jpg"]
    with HandOccluder() as occluder:
        assert occluder.update(image, faces, 0) is None
        assert occluder.update(image, [], 40) is None


def test_a_pasted_hand_is_found_and_keeps_its_colour(committed_faces):
    image, faces = committed_faces["pexels_smile.jpg"]
    with_hand, alpha = composite_hand(image, faces[0])
    with HandOccluder() as occluder:
        occ = occluder.update(with_hand, faces, 0)
    assert occ is not None
    vis = np.ones(alpha.shape, np.float32)
    oh, ow = occ.visibility.shape
    vis[occ.origin[1] : occ.origin[1] + oh, occ.origin[0] : occ.origin[0] + ow] = occ.visibility
    face_box = np.zeros(alpha.shape, bool)
    x0, y0, x1, y1 = faces[0].bbox
    face_box[y0:y1, x0:x1] = True
    # Most of the hand in front of the face is masked out; most of the uncovered face is not.
    assert np.mean(vis[(alpha > 0.99) & face_box] < 0.5) > 0.7
    assert np.mean(vis[(alpha == 0) & face_box] > 0.5) > 0.9


def test_a_hand_at_the_mouth_is_found_whole_on_deep_skin(deep_faces):
    """The hand photo (a light hand) pasted over each deep-skin face. In a search region 2.2
    face widths across, the hand filled the palm detector's input, and on 025 and 062 the
    landmarks ended short of the fingers over the lips (p90 ~30). Where the landmarks still fall
    short of the lowest finger, their outline and a surroundings model purged of hand colours
    take it for hand (without them, p90 5.3 on 025 and 062)."""
    paint = measure_composites([image for image, _ in deep_faces.values()])
    assert paint.frames >= 4 and paint.occluded == paint.frames and paint.hand_de_p90 < 3, paint


@pytest.mark.slow
def test_hand_over_the_lips_of_the_demo_clip_keeps_its_colour():
    """Issue 10: red matte lipstick on the demo clip's hand-over-mouth frames left fingers
    ΔE2000 ~17-34 redder; with the hand occluder the hand pixels stay as filmed."""
    with_occluder = measure_hand_paint(clip_frames(), occlusion=True)
    assert with_occluder.frames > 100
    assert with_occluder.occluded >= 0.95 * with_occluder.frames
    assert with_occluder.hand_de_p90 < 3, with_occluder
    assert with_occluder.lips_de_mean < 8, with_occluder  # the visible lips still carry the shade


def test_the_mask_edge_holds_still_on_a_still_hand(committed_faces):
    """Webcam noise alone must not make the edge along the fingers flicker: under half a pixel
    of movement per frame (unsmoothed hand landmarks give ~0.6)."""
    image, faces = committed_faces["pexels_smile.jpg"]
    assert mask_flicker(image, faces[0]) < 0.5


def test_a_frame_that_is_not_bgr_is_refused(committed_faces):
    image, faces = committed_faces["astronaut.jpg"]
    with HandOccluder() as occluder, pytest.raises(ValueError, match="BGR uint8"):
        occluder.update(image[:, :, 0], faces, 0)


@pytest.mark.slow
def test_a_hand_raised_to_the_mouth_of_another_clip_is_found_and_mostly_kept_clean():
    """The hand photo raised to the mouth of the Pexels face clip, held swaying and lowered
    (vision.evaluate prints the figures): the occluder finds it on most of the frames where it
    covers the lips, and most of its pixels there keep their colour. What it still misses (the
    first frames of the raise, before the palm detector can see the palm, and the fast
    lowering) is in the p90, which this does not hold."""
    paint = measure_moving_composite(list(clip_frames(MOVING_HAND_CLIP, count=10**6)))
    assert paint.frames >= 20, paint
    assert paint.occluded >= 0.75 * paint.frames, paint
    assert paint.hand_de_median < 1.0, paint
