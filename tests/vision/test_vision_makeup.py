"""Makeup quality on real faces: colour fidelity (ΔE2000), nothing painted where it must not be."""

import contextlib

import numpy as np
import pytest

from vision.color import delta_e2000
from vision.evaluate import DEEP_SHADES, FULL_LOOK, LIGHT_SHADES, lab_of, lip_fidelity, openings_untouched
from vision.evaluate import poly_mask as _poly_mask
from vision.makeup import KINDS, Layer, Look, LookError, parse_look, render
from vision.makeup import regions as R
from vision.occlusion.measure import composite_hand


def _all_faces(committed_faces, deep_faces=None):
    faces = dict(committed_faces)
    faces.update(deep_faces or {})
    return faces


def _fidelity(faces: dict) -> dict[tuple[str, str], float]:
    return {
        (name, shade): lip_fidelity(image, found[0], shade)[0]
        for name, (image, found) in faces.items()
        for shade in LIGHT_SHADES + DEEP_SHADES
    }


def test_lip_colour_fidelity_on_committed_faces(committed_faces):
    """Issue 10's bar (median < 3, worst < 6). grace_hopper's lips, lit from above with a dark
    upper lip, were at 7.1 while the shade's L* went to their mean: the dark tail lifted the lit
    body above the shade. The median pixel carries it now."""
    des = _fidelity(committed_faces)
    worst = max(des, key=des.get)
    assert np.median(list(des.values())) < 3 and des[worst] < 6, f"{worst}: ΔE2000 {des[worst]:.1f}"


def test_lip_colour_fidelity_on_deep_skin(deep_faces):
    des = _fidelity(deep_faces)
    worst = max(des, key=des.get)
    assert np.median(list(des.values())) < 3 and des[worst] < 6, f"{worst}: ΔE2000 {des[worst]:.1f}"


def test_deep_skin_gets_the_shade_as_visibly_as_light_skin(committed_faces, deep_faces):
    """The change a lipstick makes must not shrink on deep lips (a multiply overlay's flaw)."""

    def change(image, face, shade):
        out = render(image, [face], parse_look(f"lipstick={shade}"))
        body = _poly_mask(image.shape, face.landmarks[R.LIPS_OUTER], 2)
        return float(delta_e2000(lab_of(out, body), lab_of(image, body)).mean())

    for shade in ["#e7a1b0", "#9e1b32"]:
        light = np.mean([change(i, f[0], shade) for i, f in committed_faces.values()])
        deep = np.mean([change(i, f[0], shade) for i, f in deep_faces.values()])
        assert deep > 0.5 * light and deep > 10, (shade, light, deep)


def test_a_hand_the_occluder_missed_does_not_shift_the_whole_foundation(deep_faces):
    """Foundation moves the skin's typical colour (its median) to the shade. A pale hand over the
    mouth of a deep-skin face, not (yet) found by the occluder, is painted, but the rest of the
    face keeps the foundation it has without the hand: a mean would follow the hand (the whole
    face ΔE2000 3.1-6.6 off, median 5.2 over these five faces; with the median 1.7-2.8)."""
    look = parse_look("foundation=#c99a78/1.0")
    shifts = []
    for image, faces in deep_faces.values():
        with_hand, alpha = composite_hand(image, faces[0])
        bare = render(image, faces, look)
        skin = np.any(bare != image, axis=2) & (alpha == 0)
        missed = render(with_hand, faces, look)  # the face's own landmarks: only the paint differs
        shifts.append(float(np.median(delta_e2000(lab_of(missed, skin), lab_of(bare, skin)))))
    assert np.median(shifts) < 3 and max(shifts) < 4, np.round(shifts, 2)


def test_pixels_away_from_the_products_are_untouched(committed_faces):
    look = parse_look(FULL_LOOK)
    for name, (image, faces) in committed_faces.items():
        out = render(image, faces, look)
        near_face = _poly_mask(image.shape, faces[0].landmarks[R.FACE_OVAL], -12)
        diff = delta_e2000(lab_of(out, ~near_face), lab_of(image, ~near_face))
        assert diff.max() < 0.5, f"{name}: a pixel >12 px outside the face changed by ΔE {diff.max():.2f}"
        # Lipstick alone leaves everything but the lips alone.
        lips_only = render(image, faces, parse_look("lipstick=#9e1b32"))
        near_lips = _poly_mask(image.shape, faces[0].landmarks[R.LIPS_OUTER], -12)
        assert np.array_equal(lips_only[~near_lips], image[~near_lips]), name


def test_open_mouth_and_eyes_stay_untouched(committed_faces, request):
    image, faces = committed_faces["pexels_smile.jpg"]
    inner_mouth = _poly_mask(image.shape, faces[0].landmarks[R.LIPS_INNER], 1)
    assert inner_mouth.sum() > 500, "the test photo should show an open mouth"
    everyone = dict(committed_faces)
    with contextlib.suppress(pytest.skip.Exception):  # deep-skin portraits when ../shared is there
        everyone.update(request.getfixturevalue("deep_faces"))
    full = parse_look(FULL_LOOK)
    bold_eyes = parse_look("eyeshadow=#1f5e4a+#9ccfb5+#3b2a20/shimmer/1,eyeliner=#141414/1/wing")
    for name, (img, fcs) in everyone.items():
        for look in (full, bold_eyes):
            assert openings_untouched(img, fcs, look), f"{name}: teeth, tongue, sclera or iris painted"


@pytest.mark.parametrize("kind", KINDS)
def test_every_product_kind_changes_its_region_and_only_when_asked(committed_faces, kind):
    image, faces = committed_faces["grace_hopper.jpg"]
    colors = ("#6b4e71", "#c9a27e") if kind == "eyeshadow" else ("#8e2f4a",)
    out = render(image, faces, Look((Layer(kind, colors, "satin", 1.0),)))
    changed = np.abs(out.astype(int) - image).sum(axis=2) > 3
    assert changed.sum() > 50, f"{kind} changed nothing visible"
    nothing = render(image, faces, Look((Layer(kind, colors, "satin", 0.0),)))
    assert np.array_equal(nothing, image)


def test_render_leaves_its_input_alone_and_handles_no_faces(committed_faces):
    image, faces = committed_faces["astronaut.jpg"]
    before = image.copy()
    render(image, faces, parse_look(FULL_LOOK))
    assert np.array_equal(image, before)
    assert np.array_equal(render(image, [], parse_look(FULL_LOOK)), image)


def test_finishes_differ_in_shine(committed_faces):
    image, faces = committed_faces["pexels_smile.jpg"]
    pts = faces[0].landmarks
    body = _poly_mask(image.shape, pts[R.LIPS_OUTER], 2) & ~_poly_mask(image.shape, pts[R.LIPS_INNER], -2)

    def top_lightness(finish):
        out = render(image, faces, Look((Layer("lipstick", ("#9e1b32",), finish, 1.0),)))
        return np.percentile(lab_of(out, body)[:, 0], 98)

    assert top_lightness("gloss") > top_lightness("matte") + 5


def test_look_spec_round_trip_and_errors(tmp_path):
    look = parse_look(
        "lipstick=#9e1b32/matte/1.0,blush=#e8877a/0.6,eyeshadow=#6b4e71+#c9a27e/shimmer/0.8,eyeliner=#000000/wing"
    )
    assert [layer.kind for layer in look.layers] == ["lipstick", "blush", "eyeshadow", "eyeliner"]
    assert look.layers[1].intensity == 0.6 and look.layers[1].finish == "matte"
    assert look.layers[2].colors == ("#6b4e71", "#c9a27e") and look.layers[3].wing
    assert parse_look(look.to_spec()) == look
    path = tmp_path / "look.json"
    path.write_text(look.to_json())
    assert parse_look(str(path)) == look
    for bad, message in [
        ("lipstick", "kind=#rrggbb"),
        ("nailpolish=#ffffff", "unknown product kind"),
        ("lipstick=#12345", "rrggbb"),
        ("lipstick=#9e1b32/velvet", "neither a finish"),
        ("lipstick=#9e1b32/1.5", "between 0 and 1"),
        ("lipstick=#9e1b32+#000000", "1..1 colours"),
        ("", "empty look"),
    ]:
        with pytest.raises(LookError, match=message):
            parse_look(bad)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(LookError, match="cannot read look file"):
        parse_look(str(tmp_path / "bad.json"))
