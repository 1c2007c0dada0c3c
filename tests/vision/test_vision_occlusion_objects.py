"""Objects held over the lips keep their own colour; bare lips, deep-skin two-toned ones included,
keep their paint (issue 10, second pass)."""

import cv2
import numpy as np

from vision.color import delta_e2000
from vision.evaluate import FULL_LOOK, lab_of
from vision.makeup import Layer, Look, parse_look, render
from vision.makeup import regions as R
from vision.makeup.regions import FaceGeometry
from vision.occlusion.measure import draw_objects
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


def test_a_phone_over_the_lips_keeps_its_colour_over_the_skin_too(committed_faces, deep_faces):
    """The phone found on the lips goes on over the cheek and chin, where the base products paint:
    its pixels there were left ΔE2000 ~12-16 (p90) changed by foundation and blush. A black phone
    over the near-neutral lips of 061 and 082 is not told from them by colour: left out here."""
    look = parse_look(FULL_LOOK)
    faces = {
        **committed_faces,
        **{k: v for k, v in deep_faces.items() if k in ("london/044_03.jpg", "london/062_03.jpg")},
    }
    for name in ("pexels_smile.jpg", "astronaut.jpg", "london/044_03.jpg", "london/062_03.jpg"):
        image, found = faces[name]
        shown, phone = draw_objects(image, found[0])["phone over the lips"]
        out = render(shown, found, look)
        change = delta_e2000(lab_of(out, phone), lab_of(shown, phone))
        assert np.percentile(change, 90) < 1.0, (name, np.percentile(change, 90))
        # and the rest of the face is still made up
        assert np.abs(out.astype(int) - shown).max() > 20, name
