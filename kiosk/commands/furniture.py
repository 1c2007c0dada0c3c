"""`kiosk furniture`: place catalogue furniture on the floor of a camera, video or image."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PLACE_HELP = """\
placement: <sku>@<x>,<z>[,<yaw_deg>] in metres on the floor frame (origin = board centre,
x along the board's long edge, z towards the camera side), yaw in degrees about the vertical.
<sku> is a variant SKU (DAR-SOFA-02) or a product id (fur-sofa, first variant).
example: --place DAR-SOFA-01@0,-0.8,0 --place DAR-SIDETABLE-01@1.3,-0.8,0
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "furniture",
        help="place catalogue furniture on the floor of a camera, video or image",
        description="Render catalogue furniture at true scale on the calibrated floor and write the result.",
        epilog=PLACE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--input", required=True, help="camera index, video file or image file")
    p.add_argument("--calibration", required=True, help="floor calibration JSON from `kiosk calibrate floor`")
    p.add_argument("--place", action="append", required=True, help="a placement (repeatable)")
    p.add_argument("--output", required=True, help="output image or .mp4")
    p.add_argument(
        "--track", action="store_true", help="handheld camera: track the board live in every frame"
    )
    p.add_argument("--max-frames", type=int, default=0, help="stop after N frames (cameras run until Ctrl-C)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import cv2
    import numpy as np

    from catalogue import CatalogueError, load_catalogue
    from vision.capture import CaptureError, VideoSource, open_source
    from vision.plane import (
        BoardSpec,
        Calibration,
        CalibrationError,
        FloorTracker,
        PlacementError,
        parse_placement,
    )
    from vision.render import Camera, FurnitureTryOn, ModelError, ModelLibrary

    try:
        calibration = Calibration.load(Path(args.calibration))
        catalogue = load_catalogue()
        placements = tuple(parse_placement(text, catalogue) for text in args.place)
        library = ModelLibrary(catalogue)
        for placement in placements:
            model = library.placed(placement).model
            for note in model.notes:
                print(f"note: {placement.product_id}: {note}")
        source = open_source(args.input)
    except (CalibrationError, CatalogueError, PlacementError, ModelError, KeyError, CaptureError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    tryon = FurnitureTryOn(library)
    tracker = None
    if args.track:
        tracker = FloorTracker(BoardSpec.parse(calibration.pose.board), calibration.intrinsics)
    is_video = isinstance(source, VideoSource) or str(args.input).isdigit()
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    writer, frames, times, lost = None, 0, [], 0
    try:
        while True:
            try:
                frame = source.read()
            except CaptureError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            if frame is None:
                break
            t0 = time.perf_counter()
            h, w = frame.image.shape[:2]
            intr = calibration.intrinsics.scaled_to(w, h)
            pose = calibration.pose
            if tracker is not None:
                state = tracker.update(frame.image, frame.timestamp_ms)
                pose = state.pose
            if pose is None:
                lost += 1
                image = frame.image.copy()
                cv2.putText(
                    image, state.message, (20, 40), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 255), 2, cv2.LINE_AA
                )
            else:
                image = tryon.frame(frame.image, Camera(intr, pose), placements)
            times.append((time.perf_counter() - t0) * 1000)
            if is_video:
                if writer is None:
                    fps = getattr(source, "fps", 30.0)
                    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
                writer.write(image)
            elif not cv2.imwrite(str(out), image):
                print(f"error: cannot write {out}", file=sys.stderr)
                return 2
            frames += 1
            if args.max_frames and frames >= args.max_frames:
                break
    except (ModelError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        source.close()
        if writer is not None:
            writer.release()
    if frames == 0:
        print("error: no frames read", file=sys.stderr)
        return 2
    print(
        f"{frames} frames ({tryon.stats.renders} renders, {tryon.stats.hits} cached, "
        f"{lost} with the marker lost)"
        f" -> {out}"
    )
    print(f"  per frame p50 {np.percentile(times, 50):.1f} ms   p95 {np.percentile(times, 95):.1f} ms")
    return 0
