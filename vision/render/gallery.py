"""`make gallery`: every demo furniture item, in each of its variants, standing in a synthetic
showroom photo seen by a calibrated kiosk camera; plus one room with several items.

The showroom (showroom.py) stands in for a real floor photo, which no package ships. The
camera is found the way a kiosk finds it: the printed floor board is rendered into the photo,
`FloorDetector` estimates the pose from it, and the furniture is placed with that estimate,
not with the ground truth. The board is then left out of the final pictures (as a store
would lift it after calibrating).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2

from catalogue import load_catalogue
from vision.plane import DEFAULT_FLOOR_BOARD, BoardSpec, FloorDetector, FloorPose, Intrinsics, Placement
from vision.plane.synthetic import look_at_floor, render_board_view
from vision.render.scene import Camera
from vision.render.showroom import render_showroom
from vision.render.tryon import FurnitureTryOn, ModelLibrary

# Where each item stands so it reads well: (x, z, yaw) on the floor frame.
SPOTS = {
    "fur-sofa": (0.0, -1.3, 0.0),
    "fur-armchair": (0.0, -0.9, 20.0),
    "fur-coffee_table": (0.0, -0.6, 0.0),
    "fur-side_table": (0.0, -0.5, 0.0),
    "fur-floor_lamp": (0.0, -1.0, 0.0),
    "fur-rug": (0.0, -0.9, 0.0),
}


def kiosk_truth() -> tuple[Intrinsics, FloorPose]:
    """(intrinsics, true pose) of a wide-angle kiosk camera 1.4 m up, 1.8 m in front of the
    board, aimed at a spot 2.4 m behind it so a 1.6 m floor lamp, or a whole person across the
    room, fits in the frame."""
    R, t = look_at_floor(4.43, 1.4, target=(0.0, -2.4))
    board = BoardSpec.parse(DEFAULT_FLOOR_BOARD)
    return Intrinsics.from_fov(1280, 720, 75.0), FloorPose.from_world_to_camera(R, t, board)


def kiosk_camera() -> tuple[Intrinsics, FloorPose, FloorPose]:
    """(intrinsics, estimated pose, true pose) of the kiosk_truth camera: the pose estimated
    from the board rendered into the showroom, as a kiosk would calibrate."""
    intr, truth = kiosk_truth()
    board = BoardSpec.parse(truth.board)
    room = render_showroom(intr, truth)
    estimated = FloorDetector(board).detect(render_board_view(board, intr, truth, room), intr)
    return intr, estimated, truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("build/gallery/furniture"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    intr, pose, truth = kiosk_camera()
    room = render_showroom(intr, truth)
    cv2.imwrite(str(args.out / "00_showroom.png"), room)
    camera = Camera(intr, pose)
    catalogue = load_catalogue()
    tryon = FurnitureTryOn(ModelLibrary(catalogue))
    for product in catalogue.by_kind("furniture"):
        x, z, yaw = SPOTS.get(product.id, (0.0, -0.8, 0.0))
        for variant in product.variants:
            image = tryon.frame(room, camera, (Placement(product.id, variant.sku, x, z, yaw),))
            path = args.out / f"{product.id}_{variant.sku}.png"
            cv2.imwrite(str(path), image)
            print(path)
    scene = (
        Placement("fur-rug", "DAR-RUG-02", 0.0, -1.6, 0.0),
        Placement("fur-sofa", "DAR-SOFA-02", 0.0, -2.45, 0.0),
        Placement("fur-coffee_table", "DAR-COFFEETABLE-01", 0.0, -1.45, 0.0),
        Placement("fur-armchair", "DAR-ARMCHAIR-01", 1.5, -1.3, -60.0),
        Placement("fur-side_table", "DAR-SIDETABLE-01", -1.45, -2.5, 0.0),
        Placement("fur-floor_lamp", "DAR-FLOORLAMP-02", 1.5, -2.55, 0.0),
    )
    path = args.out / "room_all_items.png"
    cv2.imwrite(str(path), tryon.frame(room, camera, scene))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
