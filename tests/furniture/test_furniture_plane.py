"""Floor plane: board specs, intrinsics, floor pose accuracy on synthetic ground truth,
jitter with and without smoothing, lost-marker handling, tap-to-place."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from furniture_scenes import footprint_world, true_pose

from catalogue import load_catalogue
from vision.plane import (
    LOST_MESSAGE,
    BoardNotFoundError,
    BoardSpec,
    BoardSpecError,
    Calibration,
    CalibrationError,
    FloorDetector,
    FloorTracker,
    Intrinsics,
    Placement,
    PlacementError,
    calibrate_intrinsics,
    parse_placement,
    project_world,
    ray_to_floor,
)
from vision.plane.synthetic import Degradation, render_board_view
from vision.render.scene import PlacedModel
from vision.render.tryon import ModelLibrary


def pose_errors(est, truth) -> tuple[float, float]:
    """(camera position error in metres, rotation error in degrees)."""
    R1, _ = est.world_to_camera
    R2, _ = truth.world_to_camera
    cos = np.clip((np.trace(R1 @ R2.T) - 1) / 2, -1, 1)
    return float(np.linalg.norm(est.camera_position - truth.camera_position)), float(
        np.degrees(np.arccos(cos))
    )


def test_board_spec_round_trips_and_rejects_bad_specs():
    spec = BoardSpec.parse("charuco:7x5:0.04:0.03:DICT_5X5_100")
    assert (spec.squares_x, spec.squares_y, spec.square_m, spec.marker_m) == (7, 5, 0.04, 0.03)
    assert BoardSpec.parse(str(spec)) == spec
    assert spec.size_m == pytest.approx((0.28, 0.20))
    for bad in ("aruco:7x5:0.04:0.03:DICT_5X5_100", "charuco:7x5:0.04:0.05:DICT_5X5_100",
                "charuco:7:0.04:0.03:DICT_5X5_100", "charuco:7x5:0.04:0.03:DICT_NOPE",
                "charuco:20x20:0.04:0.03:DICT_4X4_50"):  # fmt: skip
        with pytest.raises(BoardSpecError):
            BoardSpec.parse(bad)


# Degradations a shop camera gives: noise, defocus, exposure and a light fall-off.
CONDITIONS = [
    Degradation(noise_sigma=2.0, blur_sigma_px=0.5, gain=1.0, gradient=0.0),
    Degradation(noise_sigma=4.0, blur_sigma_px=0.9, gain=0.6, gradient=0.4),
    Degradation(noise_sigma=3.0, blur_sigma_px=0.8, gain=1.3, gradient=0.2),
]


# (distance to the board, camera height): further away the camera must be higher, or the
# foreshortened markers shrink below ~1.5 px per bit and stop decoding.
@pytest.mark.parametrize(("distance", "height"), [(1.5, 1.2), (2.0, 1.3), (3.0, 2.0)])
def test_floor_pose_accuracy_on_synthetic_views(board, intrinsics, background, distance, height):
    detector = FloorDetector(board)
    sofa = PlacedModel(
        Placement("fur-sofa", "DAR-SOFA-01", 0.3, -0.6, 25.0),
        ModelLibrary(load_catalogue()).placed(Placement("fur-sofa", "DAR-SOFA-01", 0, 0)).model,
    )
    rng = np.random.default_rng(int(distance * 10))
    worst_t = worst_r = worst_px = 0.0
    # At 3 m the dim, noisy, defocused frame loses the board: it must say so, not give a pose.
    conditions = CONDITIONS if distance <= 2.0 else [CONDITIONS[0], CONDITIONS[2]]
    if distance > 2.0:
        dim = render_board_view(
            board, intrinsics, true_pose(board, distance, height), background, CONDITIONS[1], rng
        )
        with pytest.raises(BoardNotFoundError):
            detector.detect(dim, intrinsics)
    for i, cond in enumerate(conditions):
        truth = true_pose(board, distance, height=height + 0.1 * i, yaw=-15 + 15 * i)
        image = render_board_view(board, intrinsics, truth, background, cond, rng)
        est = detector.detect(image, intrinsics)
        t_err, r_err = pose_errors(est, truth)
        corners = footprint_world(sofa)
        px_err = np.linalg.norm(
            project_world(corners, intrinsics, est) - project_world(corners, intrinsics, truth), axis=1
        )
        worst_t, worst_r, worst_px = max(worst_t, t_err), max(worst_r, r_err), max(worst_px, px_err.max())
    print(
        f"\n{distance} m ({height} m high): worst translation {worst_t * 100:.2f} cm, "
        f"rotation {worst_r:.3f}°, "
        f"sofa footprint corner {worst_px:.2f} px"
    )
    if distance <= 2.0:  # the acceptance figures are set at 2 m
        assert worst_t < 0.01 and worst_r < 0.5 and worst_px < 2.0
    else:
        assert worst_t < 0.03 and worst_r < 1.0 and worst_px < 4.0


def test_jitter_is_lower_with_smoothing(board, intrinsics, background):
    truth = true_pose(board, 2.5, 1.3)
    rng = np.random.default_rng(5)
    frames = [
        render_board_view(board, intrinsics, truth, background, Degradation(5.0, 0.9), rng) for _ in range(16)
    ]
    stds = {}
    for smoothing in (False, True):
        tracker = FloorTracker(board, intrinsics, smoothing=smoothing)
        positions = [tracker.update(f, 33.0 * i).pose.camera_position for i, f in enumerate(frames)]
        stds[smoothing] = float(np.linalg.norm(np.std(positions[4:], axis=0)))
    print(
        f"\njitter (camera position std) raw {stds[False] * 1000:.2f} mm, smoothed {stds[True] * 1000:.2f} mm"
    )
    assert stds[True] < stds[False]


def test_lost_marker_holds_then_reports_lost(board, intrinsics, background):
    tracker = FloorTracker(board, intrinsics, hold_frames=2)
    seen = render_board_view(board, intrinsics, true_pose(board, 2.0), background)
    assert tracker.update(seen, 0).status == "tracking"
    states = [tracker.update(background, 33 * (i + 1)) for i in range(3)]
    assert [s.status for s in states] == ["holding", "holding", "lost"]
    assert states[-1].pose is None and states[-1].message == LOST_MESSAGE
    assert tracker.update(seen, 200).status == "tracking"
    with pytest.raises(BoardNotFoundError, match="not found"):
        FloorDetector(board).detect(background, intrinsics)


def test_tap_to_place_lands_on_the_floor_point(board, intrinsics):
    pose = true_pose(board, 2.0, 1.4)
    for x, z in [(0.0, 0.0), (0.7, -0.4), (-1.2, 0.9)]:
        u, v = project_world(np.array([[x, 0.0, z]]), intrinsics, pose)[0]
        hit = ray_to_floor(u, v, intrinsics, pose)
        assert hit is not None and np.hypot(hit[0] - x, hit[1] - z) < 1e-6
    assert ray_to_floor(640, 0, intrinsics, true_pose(board, 2.0, 0.3)) is None  # above the horizon


def test_placement_parsing():
    cat = load_catalogue()
    assert parse_placement("DAR-SOFA-02@0.5,-1,15", cat) == Placement(
        "fur-sofa", "DAR-SOFA-02", 0.5, -1.0, 15.0
    )
    assert parse_placement("fur-rug@0,0", cat) == Placement("fur-rug", "DAR-RUG-01", 0.0, 0.0, 0.0)
    for bad in ("DAR-SOFA-02", "DAR-SOFA-02@1", "NOPE@0,0", "DAR-SOFA-02@a,b"):
        with pytest.raises(PlacementError):
            parse_placement(bad, cat)


def test_calibrate_intrinsics_from_board_views(board, background):
    truth = Intrinsics(1280, 720, 1030.0, 1030.0, 645.0, 355.0)
    rng = np.random.default_rng(1)
    poses = [(1.6, 1.2, -30), (2.0, 1.5, 0), (1.8, 1.0, 25), (2.4, 1.7, 40), (1.5, 1.3, -45)]
    views = [
        render_board_view(board, truth, true_pose(board, d, h, yaw), background, Degradation(2.0, 0.6), rng)
        for d, h, yaw in poses
    ]
    got = calibrate_intrinsics(views, board)
    assert got.fx == pytest.approx(truth.fx, rel=0.02) and got.rms_px < 0.5
    with pytest.raises(CalibrationError, match="found in 0"):
        calibrate_intrinsics([background] * 4, board)


def test_calibration_file_errors_are_clear(tmp_path, board, intrinsics):
    with pytest.raises(CalibrationError, match="not found"):
        Calibration.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(CalibrationError, match="not valid JSON"):
        Calibration.load(tmp_path / "bad.json")
    (tmp_path / "partial.json").write_text(json.dumps({"board": str(board), "rvec": [0, 0, 0]}))
    with pytest.raises(CalibrationError):
        Calibration.load(tmp_path / "partial.json")
    good = Calibration(intrinsics, true_pose(board, 2.0))
    good.save(tmp_path / "floor.json")
    loaded = Calibration.load(tmp_path / "floor.json")
    assert loaded.pose.camera_height_m == pytest.approx(1.3) and loaded.intrinsics == intrinsics


def test_printable_board_has_true_size_and_is_detectable(tmp_path):
    from PIL import Image

    spec = BoardSpec.parse("charuco:7x5:0.04:0.03:DICT_5X5_100")
    png = spec.save_printable(tmp_path / "board.png", dpi=150)
    with Image.open(png) as im:
        dpi = im.info["dpi"][0]
        width_m = im.size[0] / dpi * 0.0254
    assert dpi == pytest.approx(150, rel=1e-3) and width_m == pytest.approx(0.28 + 0.02, abs=0.002)
    image = cv2.imread(str(png))
    _, ids, _, _ = cv2.aruco.CharucoDetector(spec.cv2_board()).detectBoard(image)
    assert ids is not None and len(ids) == (7 - 1) * (5 - 1)
    pdf = spec.save_printable(tmp_path / "board.pdf")
    assert pdf.read_bytes()[:4] == b"%PDF"
