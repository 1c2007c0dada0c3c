"""`kiosk calibrate camera|floor|board|light`: camera intrinsics, the camera-to-floor pose, a
printable board, and the grey card that tells the store's light. The floor command's JSON
(rvec, tvec in metres, camera_height_m, reprojection_error_px) is stable: other tools read it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_FLOOR_FILE = "build/floor_calibration.json"


def register(sub: argparse._SubParsersAction) -> None:
    from vision.plane.board import DEFAULT_FLOOR_BOARD

    p = sub.add_parser(
        "calibrate",
        help="calibrate the camera and the floor, or print a board",
        description="Camera intrinsics, camera-to-floor pose and printable ChArUco boards.",
    )
    what = p.add_subparsers(dest="what", required=True, metavar="camera|floor|board|light")
    board_help = f"board spec charuco:<sx>x<sy>:<square_m>:<marker_m>:<DICT> (default {DEFAULT_FLOOR_BOARD})"

    cam = what.add_parser("camera", help="intrinsics from photos of a ChArUco board (cv2.calibrateCamera)")
    cam.add_argument("--images", nargs="+", required=True, help="image files or a folder, 4+ views")
    cam.add_argument("--board", default=DEFAULT_FLOOR_BOARD, help=board_help)
    cam.add_argument("--out", default="build/intrinsics.json", help="where to save the intrinsics JSON")
    cam.set_defaults(func=run_camera)

    floor = what.add_parser("floor", help="camera pose relative to the board lying on the floor")
    floor.add_argument(
        "--image", required=True, help="photo from the kiosk camera with the board on the floor"
    )
    floor.add_argument("--board", default=DEFAULT_FLOOR_BOARD, help=board_help)
    group = floor.add_mutually_exclusive_group()
    group.add_argument("--intrinsics", help="intrinsics JSON from `kiosk calibrate camera`")
    group.add_argument("--fov", type=float, help="horizontal field of view in degrees (when uncalibrated)")
    floor.add_argument("--out", default=DEFAULT_FLOOR_FILE, help="where to save the calibration JSON")
    floor.set_defaults(func=run_floor)

    board = what.add_parser("board", help="write a printable board (PNG or PDF at true size)")
    board.add_argument("--board", default=DEFAULT_FLOOR_BOARD, help=board_help)
    board.add_argument("--out", required=True, help="board.png or board.pdf")
    board.add_argument("--dpi", type=int, default=300)
    board.set_defaults(func=run_board)

    light = what.add_parser(
        "light",
        help="find the grey card in view and record its level under the store's normal light",
        description="Run once at installation, with the store's normal lights on and the camera's "
        "exposure and white balance locked: the level recorded is what 'neutral light' means.",
    )
    light.add_argument("--image", required=True, help="a frame from the kiosk camera showing the card")
    light.add_argument("--rect", help="the card's x0,y0,x1,y1 in pixels (default: find it)")
    light.add_argument(
        "--reflectance",
        type=float,
        help="the card's own linear reflectance, if known (a photographers' grey card: 0.18); "
        "skin tone then reads from it too",
    )
    light.set_defaults(func=run_light)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run_board(args: argparse.Namespace) -> int:
    from vision.plane import BoardSpec, BoardSpecError

    try:
        spec = BoardSpec.parse(args.board)
        path = spec.save_printable(Path(args.out), dpi=args.dpi)
    except (BoardSpecError, OSError) as exc:
        return _fail(str(exc))
    w, h = spec.size_m
    print(
        f"{path}: {spec}, board {w * 100:g} × {h * 100:g} cm at {args.dpi} dpi; "
        "print at 100% and check a square "
        f"measures {spec.square_m * 100:g} cm"
    )
    return 0


def _images(paths: list[str]) -> list[Path]:
    from vision.capture import IMAGE_SUFFIXES

    out: list[Path] = []
    for p in map(Path, paths):
        out += sorted(q for q in p.iterdir() if q.suffix.lower() in IMAGE_SUFFIXES) if p.is_dir() else [p]
    return out


def run_camera(args: argparse.Namespace) -> int:
    from vision.capture import CaptureError, read_image
    from vision.plane import BoardSpec, BoardSpecError, CalibrationError, calibrate_intrinsics

    try:
        spec = BoardSpec.parse(args.board)
        images = [read_image(p) for p in _images(args.images)]
        intr = calibrate_intrinsics(images, spec)
        intr.save(Path(args.out))
    except (BoardSpecError, CaptureError, CalibrationError, OSError) as exc:
        return _fail(str(exc))
    print(json.dumps({**intr.to_dict(), "saved": args.out}, indent=2))
    return 0


def run_floor(args: argparse.Namespace) -> int:
    from vision.capture import CaptureError, read_image
    from vision.plane import (
        BoardNotFoundError,
        BoardSpec,
        BoardSpecError,
        Calibration,
        CalibrationError,
        FloorDetector,  # fmt: skip
        Intrinsics,
    )
    from vision.plane.camera import DEFAULT_HFOV_DEG

    try:
        spec = BoardSpec.parse(args.board)
        image = read_image(args.image)
        h, w = image.shape[:2]
        if args.intrinsics:
            intr = Intrinsics.load(Path(args.intrinsics)).scaled_to(w, h)
        else:
            intr = Intrinsics.from_fov(w, h, args.fov or DEFAULT_HFOV_DEG)
        pose = FloorDetector(spec).detect(image, intr)
        calibration = Calibration(intr, pose)
        calibration.save(Path(args.out))
    except (BoardSpecError, CaptureError, CalibrationError, BoardNotFoundError, OSError) as exc:
        return _fail(str(exc))
    if pose.camera_height_m <= 0:
        return _fail("the pose puts the camera under the floor; is the board lying flat and face up?")
    print(json.dumps({**pose.to_dict(), "saved": args.out}, indent=2))
    return 0


def run_light(args: argparse.Namespace) -> int:
    from vision.capture import CaptureError, read_image
    from vision.light import LightError, LightReference, find_grey_card

    try:
        image = read_image(args.image)
        if args.rect:
            try:
                x0, y0, x1, y1 = (int(v) for v in args.rect.split(","))
            except ValueError:
                return _fail(f"--rect must be four integers x0,y0,x1,y1, got {args.rect!r}")
            rect = (x0, y0, x1, y1)
        else:
            rect = find_grey_card(image)
        reference = LightReference.record(image, rect, args.reflectance)
    except (CaptureError, LightError, OSError) as exc:
        return _fail(str(exc))
    found = {"rect": list(reference.rect), "level_bgr": list(reference.level)}
    print(json.dumps(found | {"reflectance": reference.reflectance}))
    print("# kiosk settings (TOML), or MARAYA_LIGHT_CARD_* as JSON:")
    print(f"light_card_rect = {list(reference.rect)}")
    print(f"light_card_level = {list(reference.level)}")
    if reference.reflectance is not None:
        print(f"light_card_reflectance = {reference.reflectance}")
    return 0
