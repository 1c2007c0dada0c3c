"""Objects held over the lips keep their own colour; bare lips, deep-skin two-toned ones included,
keep their paint (issue 10, second pass)."""

import cv2
import numpy as np

from vision.makeup import Layer, Look, render
from vision.makeup import regions as R
from vision.makeup.regions import FaceGeometry
from vision.occlusion.objects import lip_objects

LIPSTICK = Look((Layer("lipstick", ("#9e1b32",), "matte", 1.0),))


def _lips(shape, face) -> np.ndarray:
    lips = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(lips, [np.round(face.landmarks[R.LIPS_OUTER]).astype(np.int32)], 255)
    cv2.fillPoly(lips, [np.round(face.landmarks[R.LIPS_INNER]).astype(np.int32)], 0)
    return lips > 0


def test_a_grey_card_over_half_the_lips_is_not_painted(committed_faces):
    """Without the lip-colour check the card's lip pixels went the lipstick's red."""
    image, faces = committed_faces["astronaut.jpg"]
    face = faces[0]
    x_mid = int(face.landmarks[R.LIPS_OUTER][:, 0].mean())
    y_top = int(face.landmarks[R.LIPS_OUTER][:, 1].min() - 0.05 * face.interocular)
    shown = image.copy()
    shown[y_top:, x_mid:] = (150, 150, 150)  # a light grey card held over half the mouth
    out = render(shown, faces, LIPSTICK)
    lips = _lips(image.shape, face)
    card, bare = lips.copy(), lips.copy()
    card[:, : x_mid + 3] = False
    bare[:, x_mid - 3 :] = False
    assert np.abs(out[card].astype(int) - shown[card]).max() <= 2
    assert np.abs(out[bare].astype(int) - shown[bare]).mean() > 20  # the visible lips are painted


def test_bare_lips_are_never_taken_for_an_object(committed_faces, deep_faces):
    for image, faces in [*committed_faces.values(), *deep_faces.values()]:
        face = faces[0]
        geo = FaceGeometry(face.landmarks, image.shape[:2])
        occ = lip_objects(image, geo)
        hidden = 0 if occ is None else np.count_nonzero(occ.visibility < 0.5)
        assert hidden <= 0.01 * np.count_nonzero(_lips(image.shape, face))
