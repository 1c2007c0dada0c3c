"""Furniture models, the raycasting renderer, compositing, the render cache and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from furniture_scenes import footprint_world, true_pose

from catalogue import load_catalogue
from vision.plane import Calibration, Placement, project_world
from vision.plane.synthetic import render_board_view
from vision.render import (
    Camera,
    FurnitureTryOn,
    Light,
    ModelError,
    ModelLibrary,
    RaycastRenderer,
    estimate_light,
)
from vision.render.glb import GlbPart, write_glb
from vision.render.model import load_model
from vision.render.tryon import FURNITURE_DIR

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library():
    return ModelLibrary(load_catalogue())


@pytest.fixture(scope="module")
def camera(board, intrinsics):
    return Camera(intrinsics, true_pose(board, 2.8, 1.35))


def test_demo_models_load_at_catalogue_size_with_variant_parts(library):
    for product in load_catalogue().by_kind("furniture"):
        model = load_model(FURNITURE_DIR / product.model, product.dimensions_m)
        assert model.dimensions_m == pytest.approx(product.dimensions_m, abs=0.005), product.id
        assert model.notes == ()  # shipped models are already metres, Y up
        roles = {p.role for p in model.parts}
        assert "variant" in roles
        assert sum(len(p.triangles) for p in model.parts) > 60
    total = sum(f.stat().st_size for f in FURNITURE_DIR.iterdir())
    assert total < 8_000_000


def test_sofa_legs_are_darker_than_its_cushions(library):
    sofa = library.placed(Placement("fur-sofa", "DAR-SOFA-01", 0, 0)).model
    # Open3D merges parts whose materials are equal, so compare by colour role, not part name.
    legs = [p.color_for("#cdbb9c").sum() for p in sofa.parts if p.role == "fixed"]
    fabric = [p.color_for("#cdbb9c").sum() for p in sofa.parts if p.role == "variant"]
    assert legs and fabric and max(legs) < 0.5 * min(fabric)


def _box_obj(path: Path, size: tuple[float, float, float]) -> None:
    sx, sy, sz = size
    v = [(x, y, z) for x in (0, sx) for y in (0, sy) for z in (0, sz)]
    faces = [(1, 2, 4, 3), (5, 7, 8, 6), (1, 5, 6, 2), (3, 4, 8, 7), (1, 3, 7, 5), (2, 6, 8, 4)]
    path.write_text(
        "".join(f"v {x} {y} {z}\n" for x, y, z in v) + "".join(f"f {a} {b} {c} {d}\n" for a, b, c, d in faces)
    )


def test_centimetre_and_z_up_models_are_normalised(tmp_path):
    path = tmp_path / "table_cm_zup.obj"
    _box_obj(path, (120.0, 60.0, 42.0))  # x width, y depth, z height: Z-up, centimetres
    model = load_model(path, (1.2, 0.6, 0.42))
    assert model.dimensions_m == pytest.approx((1.2, 0.6, 0.42))
    assert any("centimetres" in n for n in model.notes) and any("Z-up" in n for n in model.notes)
    assert (
        load_model(path).notes[0].startswith("model was in centimetres")
    )  # no catalogue size: judged by size
    with pytest.raises(ModelError, match="catalogue says"):
        load_model(path, (2.0, 0.9, 0.85))


def test_corrupt_missing_and_unsupported_models_raise_clear_errors(tmp_path):
    corrupt = tmp_path / "sofa.glb"
    corrupt.write_bytes(b"glTF\x02\x00\x00\x00garbage" * 10)
    with pytest.raises(ModelError, match="corrupt"):
        load_model(corrupt)
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nope.glb")
    (tmp_path / "sofa.fbx").write_bytes(b"x")
    with pytest.raises(ModelError, match="unsupported"):
        load_model(tmp_path / "sofa.fbx")


def test_glb_round_trip_keeps_parts_and_colours(tmp_path):
    v = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], float)
    t = np.array([[0, 1, 2], [0, 2, 3], [0, 3, 1], [1, 3, 2]])
    write_glb(
        tmp_path / "m.glb",
        [GlbPart("variant:Seat", v, t, (0.5, 0.2, 0.1, 1)), GlbPart("Legs", v + 1, t, (0.1, 0.1, 0.1, 1))],
    )
    model = load_model(tmp_path / "m.glb")
    assert [p.name for p in model.parts] == ["variant:Seat", "Legs"]
    assert model.parts[1].color == pytest.approx((0.1, 0.1, 0.1))
    assert model.parts[0].color_for("#ff0000") == pytest.approx([1.0, 0.0, 0.0])


def test_render_has_soft_edges_a_contact_shadow_and_true_scale(library, camera):
    item = library.placed(Placement("fur-sofa", "DAR-SOFA-02", 0.0, -0.5, 0.0))
    res = RaycastRenderer().render([item], camera, Light())
    a = res.alpha
    assert ((a > 0.05) & (a < 0.95)).sum() > 200  # anti-aliased silhouette
    # True scale: the silhouette fills the projected 2.1 × 0.9 × 0.85 m box, and stays inside it.
    foot = footprint_world(item)
    box = np.concatenate([foot, foot + np.array([0, item.height_m, 0])])
    px = project_world(box, camera.intrinsics, camera.pose)
    cols = np.nonzero(a.max(0) > 0.5)[0] + res.x0
    rows = np.nonzero(a.max(1) > 0.5)[0] + res.y0
    assert cols.min() >= px[:, 0].min() - 2 and cols.max() <= px[:, 0].max() + 2
    assert rows.min() >= px[:, 1].min() - 2 and rows.max() <= px[:, 1].max() + 2
    assert cols.max() - cols.min() > 0.9 * np.ptp(px[:, 0]) and rows.max() - rows.min() > 0.9 * np.ptp(
        px[:, 1]
    )
    # Shadow: strong on the floor just in front of the sofa's base, nothing far from it.
    u, v = project_world(np.array([[0.0, 0.0, -0.5 + 0.47]]), camera.intrinsics, camera.pose)[0]
    near = res.shadow[int(v) - res.y0 + 3, int(u) - res.x0]
    assert near > 0.1 and res.shadow.max() > 0.4
    assert res.shadow[-1].max() < 0.05


def test_nearer_item_hides_the_one_behind(library, camera):
    sofa = library.placed(Placement("fur-sofa", "DAR-SOFA-02", 0.0, -1.0, 0.0))
    table = library.placed(Placement("fur-coffee_table", "DAR-COFFEETABLE-01", 0.0, 0.0, 0.0))
    both = RaycastRenderer().render([sofa, table], camera, Light())
    alone = RaycastRenderer().render([sofa], camera, Light())
    u, v = project_world(np.array([[0.0, 0.42, 0.0]]), camera.intrinsics, camera.pose)[0]  # table top centre
    yb, xb = int(v) - both.y0 + 4, int(u) - both.x0
    ya, xa = int(v) - alone.y0 + 4, int(u) - alone.x0
    assert both.forward[yb, xb] < alone.forward[ya, xa] - 0.5
    top = np.asarray(table.model.parts[1].color_for("#b08a5e"))  # the oak top, not the charcoal sofa
    assert both.rgb[yb, xb].argmax() == top.argmax() and both.rgb[yb, xb, 0] > 2 * alone.rgb[ya, xa, 0]


def test_cache_renders_once_for_a_fixed_camera_and_again_on_change(library, camera, background):
    tryon = FurnitureTryOn(library)
    place = (Placement("fur-side_table", "DAR-SIDETABLE-01", 0.0, 0.0, 0.0),)
    first = tryon.frame(background, camera, place)
    again = tryon.frame(background, camera, place)
    assert tryon.stats.renders == 1 and tryon.stats.hits == 1 and np.array_equal(first, again)
    assert not np.array_equal(first, background)
    tryon.frame(background, camera, (place[0].turned(30),))
    tryon.frame(background, camera, (place[0].with_variant("DAR-SIDETABLE-02"),))
    assert tryon.stats.renders == 3
    # A drag renders previews; letting go renders the final position once at full quality.
    for dx in (0.1, 0.2):
        tryon.frame(background, camera, (place[0].moved(dx, 0.0),), dragging=True)
    tryon.frame(background, camera, (place[0].moved(0.2, 0.0),))
    tryon.frame(background, camera, (place[0].moved(0.2, 0.0),))
    assert tryon.stats.renders == 6 and tryon.stats.hits == 2


def test_light_matching_follows_the_frame():
    warm = np.full((72, 128, 3), (90, 150, 210), np.uint8)  # BGR: orange-ish shop
    cool = np.full((72, 128, 3), (210, 160, 120), np.uint8)
    dark = np.full((72, 128, 3), 25, np.uint8)
    lw, lc, ld = estimate_light(warm), estimate_light(cool), estimate_light(dark)
    assert lw.key[0] > lw.key[2] and lc.key[2] > lc.key[0]
    assert sum(ld.key) < sum(estimate_light(np.full_like(dark, 200)).key)


def _kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=240
    )


@pytest.mark.slow
def test_cli_calibrate_floor_then_place_furniture(tmp_path, board, intrinsics, background):
    truth = true_pose(board, 2.2, 1.3)
    photo = tmp_path / "floor.png"
    import cv2

    cv2.imwrite(str(photo), render_board_view(board, intrinsics, truth, background))
    calib = tmp_path / "floor.json"
    r = _kiosk(
        "calibrate", "floor", "--image", str(photo), "--board", str(board), "--fov", "65", "--out", str(calib)
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"rvec", "tvec", "camera_height_m", "reprojection_error_px"}
    assert out["camera_height_m"] == pytest.approx(1.3, abs=0.01)
    assert Calibration.load(calib).pose.corners > 20
    result = tmp_path / "out.png"
    r = _kiosk(
        "furniture",
        "--input",
        str(photo),
        "--calibration",
        str(calib),
        "--place",
        "DAR-SOFA-01@0,-0.8,0",
        "--place",
        "DAR-SIDETABLE-02@1.4,-0.8",
        "--output",
        str(result),
    )
    assert r.returncode == 0, r.stderr
    assert cv2.imread(str(result)).shape == (720, 1280, 3)
    r = _kiosk(
        "furniture",
        "--input",
        str(photo),
        "--calibration",
        str(tmp_path / "missing.json"),
        "--place",
        "DAR-SOFA-01@0,0",
        "--output",
        str(result),
    )
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr
    r = _kiosk(
        "calibrate", "floor", "--image", str(ROOT / "assets" / "furniture" / "PROVENANCE.md"), "--fov", "65"
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = _kiosk("calibrate", "board", "--out", str(tmp_path / "board.pdf"))
    assert r.returncode == 0 and (tmp_path / "board.pdf").stat().st_size > 1000


def test_preview_scale_renders_the_same_item_at_lower_cost(library, camera):
    item = library.placed(Placement("fur-armchair", "DAR-ARMCHAIR-01", 0.0, -0.5, 0.0))
    full = RaycastRenderer().render([item], camera, Light())
    preview = RaycastRenderer(scale=0.5).render([item], camera, Light())
    assert preview.alpha.shape == full.alpha.shape and (preview.x0, preview.y0) == (full.x0, full.y0)
    overlap = np.minimum(full.alpha, preview.alpha).sum() / np.maximum(full.alpha, preview.alpha).sum()
    assert overlap > 0.93
    with pytest.raises(ValueError, match="scale"):
        RaycastRenderer(scale=2.0)


def test_a_variant_change_recolours_the_last_trace_without_casting_rays(library, camera):
    renderer = RaycastRenderer()
    beige = library.placed(Placement("fur-sofa", "DAR-SOFA-01", 0.0, -1.0, 0.0))
    other = library.placed(Placement("fur-sofa", "DAR-SOFA-02", 0.0, -1.0, 0.0))
    renderer.render([beige], camera, Light())
    recoloured = renderer.render([other], camera, Light())
    assert renderer.traces == 1
    fresh = RaycastRenderer().render([other], camera, Light())
    assert np.array_equal(recoloured.alpha, fresh.alpha)
    assert np.abs(recoloured.rgb - fresh.rgb).max() < 1e-5
    renderer.render([other], camera, Light(key=(0.5, 0.5, 0.5)))  # new light: a new trace
    renderer.render([library.placed(Placement("fur-sofa", "DAR-SOFA-02", 0.3, -1.0, 0.0))], camera, Light())
    assert renderer.traces == 3


def test_the_two_level_trace_matches_a_ray_per_pixel(library, camera):
    renderer = RaycastRenderer()
    sofa = library.placed(Placement("fur-sofa", "DAR-SOFA-01", 0.0, -1.0, 0.0))
    renderer.render([sofa], camera, Light())  # sets the scene up on the renderer
    bx, by, bw, bh = renderer._region([sofa], camera, 0.0)
    u, v = np.meshgrid(np.arange(bx, bx + bw, dtype=np.float64), np.arange(by, by + bh, dtype=np.float64))
    full, full_forward = renderer._trace(u, v)
    fast, fast_forward = renderer._trace_two_level(u, v)
    hit = full.gid >= 0
    assert (fast.gid == full.gid).mean() > 0.999
    assert np.abs(fast.irradiance - full.irradiance)[hit].mean() < 0.01
    same = hit & (fast.gid == full.gid)
    # Distances are the nearest block's: off by at most a pixel's step along a grazing surface.
    assert np.abs(fast_forward[same] - full_forward[same]).max() < 0.1


def test_ambient_occlusion_darkens_creases_not_the_whole_piece(library, camera, monkeypatch):
    import vision.render.raycast as raycast

    sofa = library.placed(Placement("fur-sofa", "DAR-SOFA-01", 0.0, -1.0, 0.0))
    with_ao = RaycastRenderer().render([sofa], camera, Light())
    monkeypatch.setattr(raycast, "AO_STRENGTH", 0.0)
    without = RaycastRenderer().render([sofa], camera, Light())
    body = (with_ao.alpha == 1) & (without.alpha == 1)
    ratio = with_ao.rgb.sum(2)[body] / np.maximum(without.rgb.sum(2)[body], 1e-6)
    # Never lighter, but for a few pixels where the smoothing of light steps falls differently.
    assert np.percentile(ratio, 99.5) <= 1.0 + 1e-4
    darker = ratio < 0.9  # seat into back, cushions into arms
    assert 0.02 < darker.mean() < 0.4


def test_floor_far_from_every_piece_is_skipped_without_changing_the_shadow(library, camera, monkeypatch):
    items = [
        library.placed(Placement("fur-armchair", "DAR-ARMCHAIR-01", -0.8, -0.8, -40.0)),
        library.placed(Placement("fur-floor_lamp", "DAR-FLOORLAMP-01", 0.6, -1.0, 30.0)),
    ]
    skipping = RaycastRenderer().render(items, camera, Light())
    monkeypatch.setattr(RaycastRenderer, "_near_furniture", lambda self, floor: np.ones(len(floor), bool))
    every_point = RaycastRenderer().render(items, camera, Light())
    assert every_point.shadow.max() > 0.5
    assert np.array_equal(skipping.shadow, every_point.shadow)
