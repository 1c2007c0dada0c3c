"""The white reference in a single still (issue 11 §1): a narrowed, lid-shaded eye reads as an open one."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from vision.color import SRGB_TO_LINEAR_LUT, delta_e2000, linear_to_srgb
from vision.evaluate import poly_mask
from vision.face import FaceResult
from vision.sclera import LEFT_EYE, RIGHT_EYE, level_band, sample_sclera
from vision.skin import measure_frame

# The eye outlines' lower lids (corner to corner) and upper lids, as MediaPipe numbers them.
LOWER = {"right": RIGHT_EYE[:9], "left": LEFT_EYE[:9]}
UPPER = {"right": RIGHT_EYE[9:], "left": LEFT_EYE[9:]}


def test_level_band_is_the_old_one_for_an_open_eye_and_rises_as_it_narrows():
    # An open eye, or a wider one, is read exactly as before issue 11.
    assert level_band(1.0) == level_band(1.4) == (50.0, 85.0)
    bands = [level_band(o) for o in (1.2, 1.0, 0.8, 0.7, 0.6, 0.3, 0.0)]
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in itertools.pairwise(bands))
    assert max(hi for _, hi in bands) <= 95.0  # never into the glints
    assert all(hi - lo >= 10.0 for lo, hi in bands)


def _smile(image: np.ndarray, face: FaceResult, close: float = 0.45) -> tuple[np.ndarray, FaceResult]:
    """The same photo with both eyes narrowed as by a smile: each upper lid lowered by `close` of
    the opening, and its shadow on what is left of the sclera (half the light at the lid, none a
    pupil's radius below it), the way the London smiling photos show it."""
    pts = face.landmarks.copy()
    lin = SRGB_TO_LINEAR_LUT[image].astype(np.float64)
    for side in ("right", "left"):
        lower = pts[LOWER[side]]
        order = np.argsort(lower[:, 0])
        for i in UPPER[side]:
            floor = np.interp(pts[i, 0], lower[order, 0], lower[order, 1])
            pts[i, 1] += close * (floor - pts[i, 1])
        upper = pts[UPPER[side]]
        order = np.argsort(upper[:, 0])
        x0, x1 = int(upper[:, 0].min()), int(upper[:, 0].max()) + 1
        width = 0.5 * float(np.linalg.norm(pts[469] - pts[468]))
        for x in range(x0, x1):
            lid = np.interp(x, upper[order, 0], upper[order, 1])
            for y in range(int(lid), int(lid + width) + 1):
                lin[y, x] *= 0.5 + 0.5 * min(1.0, max(0.0, (y - lid) / width))
    out = np.round(linear_to_srgb(lin) * 255).astype(np.uint8)
    return out, replace(face, landmarks=pts)


def test_a_narrowed_shaded_eye_gives_the_open_eyes_white_and_skin(committed_faces):
    image, faces = committed_faces["pexels_smile.jpg"]
    smiling, narrowed = _smile(image, faces[0])
    open_eyes = sample_sclera(image, faces[0].landmarks)
    narrow_eyes = sample_sclera(smiling, narrowed.landmarks)
    assert narrow_eyes.openness < 0.75 * open_eyes.openness
    # The middle of the sclera (what the level was read from before issue 11) falls with the
    # shadow; the unshaded part does not.
    middle = [float(SRGB_TO_LINEAR_LUT[w.pixels].mean()) for w in (open_eyes, narrow_eyes)]
    level = [float(w.linear_white().mean()) for w in (open_eyes, narrow_eyes)]
    assert middle[1] < 0.85 * middle[0], middle
    assert abs(np.log(level[1] / level[0])) < 0.05, level
    before, after = measure_frame(image, faces[0]), measure_frame(smiling, narrowed)
    assert before.code == after.code == "ok"
    assert delta_e2000(before.lab, after.lab) < 1.5


def _shade_the_whites(image: np.ndarray, face: FaceResult, light: float) -> np.ndarray:
    """The photo with the whole of both eye openings in shadow (deep-set eyes under a downlight)."""
    out = image.copy()
    lin = SRGB_TO_LINEAR_LUT[image] * light
    for eye in (RIGHT_EYE, LEFT_EYE):
        inside = poly_mask(image.shape, face.landmarks[eye])
        out[inside] = np.round(linear_to_srgb(lin[inside]) * 255).astype(np.uint8)
    return out


def test_whites_in_shadow_cannot_make_a_skin_lighter_than_any_skin(committed_faces):
    """Eye whites reflect more light than any skin: read darker than the skin beside them, they
    are shaded, and are taken as no darker than it (less a margin). Before, whites at a third of
    their light lifted these fair skins to L* 98-99, far past any human skin."""
    for name in ("astronaut.jpg", "pexels_smile.jpg"):
        image, faces = committed_faces[name]
        before = measure_frame(image, faces[0])
        after = measure_frame(_shade_the_whites(image, faces[0], 1 / 3), faces[0])
        assert before.code == after.code == "ok", name
        assert after.lab[0] < 78.0, (name, before.lab, after.lab)  # the fairest skin measured: L* ~75
