"""`kiosk tryon`: render a look on a camera, video, image or folder and write the result.

It paints as the kiosk does (kiosk/app/pipeline.py): faces, then the hands in front of them,
then the store's light, then the look; `--catalogue-colour` paints the shades as the catalogue
gives them whatever the light, and `--no-hands` paints over hands too (to compare)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _look_help() -> str:
    """The look-spec help, with kinds (in paint order), finishes and colour counts from
    catalogue/kinds.py, so a new kind shows up here without an edit."""
    from catalogue import FINISHES, KINDS, PAINT_ORDER

    multi = "; ".join(f"up to {k.max_colors} {k.id} colours" for k in KINDS if k.max_colors > 1)
    return f"""\
look spec (stable; scripts rely on it): layers separated by commas, each
  kind=#rrggbb[+#rrggbb...][/finish][/intensity][/wing]
kinds:    {" ".join(PAINT_ORDER)}
finishes: {" ".join(FINISHES)}
intensity 0..1 (default 1); '+' joins colours ({multi});
'wing' adds an eyeliner wing. Or a JSON file: {{"layers": [{{"kind", "colors", "finish", "intensity"}}]}}.
example: lipstick=#9e1b32/matte/1.0,blush=#e8877a/0.6,eyeshadow=#6b4e71+#c9a27e/shimmer/0.8
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tryon",
        help="render a makeup look on a camera, video, image or folder",
        description="Render a makeup look and write the result; prints fps and per-stage times.",
        epilog=_look_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--input", required=True, help="camera index, video file, image file or folder of images")
    p.add_argument("--look", required=True, help="look spec or JSON look file (see below)")
    p.add_argument("--output", required=True, help="output file (image or .mp4) or folder")
    p.add_argument("--compare", action="store_true", help="write before | after side by side")
    p.add_argument("--max-frames", type=int, default=0, help="stop after N frames (cameras run until Ctrl-C)")
    p.add_argument("--mirror", action="store_true", help="mirror the input (selfie view)")
    p.add_argument(
        "--catalogue-colour",
        action="store_true",
        help="paint the catalogue colours whatever the scene's light (default: as this light shows them)",
    )
    p.add_argument("--no-hands", action="store_true", help="paint over hands in front of the face too")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import cv2
    import numpy as np

    from vision.capture import CaptureError, VideoSource, open_source
    from vision.face import FaceModelError, FaceTracker, main_face
    from vision.light import LightEstimator
    from vision.makeup import LookError, parse_look, render
    from vision.occlusion import HandModelError, HandOccluder

    try:
        look = parse_look(args.look)
        source = open_source(args.input, mirror=args.mirror)
    except (LookError, CaptureError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    is_video = isinstance(source, VideoSource) or str(args.input).isdigit()
    out = Path(args.output)
    folder = out if (out.suffix == "" or out.is_dir()) else None
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
    try:
        tracker = FaceTracker(mode="video" if is_video else "image")
        occluder = None if args.no_hands else HandOccluder()
    except (FaceModelError, HandModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # A stream's light is followed from frame to frame; each photo is its own scene.
    light_estimator = LightEstimator(stream=is_video)

    stages: dict[str, list[float]] = {"capture": [], "landmarks": [], "hands": [], "makeup": [], "encode": []}
    writer = None
    frames = faces_seen = 0
    start = time.perf_counter()
    try:
        while True:
            t0 = time.perf_counter()
            try:
                frame = source.read()
            except CaptureError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            if frame is None:
                break
            t1 = time.perf_counter()
            faces = tracker.process(frame)
            t2 = time.perf_counter()
            if not is_video and frames:  # photos are unrelated: nothing carries over from the last
                light_estimator.reset()
                if occluder is not None:  # a fresh one: VIDEO-mode hand tracking would carry over
                    occluder.close()
                    occluder = HandOccluder()
            occlusion = None if occluder is None else occluder.update(frame.image, faces, frame.timestamp_ms)
            t2h = time.perf_counter()
            light = None
            if not args.catalogue_colour:
                light = light_estimator.update(frame.image, main_face(faces), frame.timestamp_ms)
            result = render(frame.image, faces, look, occlusion=occlusion, light=light)
            t3 = time.perf_counter()
            image = np.hstack([frame.image, result]) if args.compare else result
            if folder or not is_video:
                name = getattr(source, "paths", [Path(f"frame_{frame.index:05d}.png")])
                stem = (
                    Path(name[frame.index % len(name)]).stem if not is_video else f"frame_{frame.index:05d}"
                )
                target = (folder / f"{stem}_tryon.png") if folder else out
                if not cv2.imwrite(str(target), image):
                    print(f"error: cannot write {target}", file=sys.stderr)
                    return 2
            else:
                if writer is None:
                    fps = getattr(source, "fps", 30.0)
                    writer = cv2.VideoWriter(
                        str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, image.shape[1::-1]
                    )
                writer.write(image)
            t4 = time.perf_counter()
            for key, dt in zip(stages, (t1 - t0, t2 - t1, t2h - t2, t3 - t2h, t4 - t3), strict=True):
                stages[key].append(dt * 1000)
            frames += 1
            faces_seen += bool(faces)
            if args.max_frames and frames >= args.max_frames:
                break
    except KeyboardInterrupt:
        pass
    finally:
        tracker.close()
        if occluder is not None:
            occluder.close()
        source.close()
        if writer is not None:
            writer.release()
    elapsed = time.perf_counter() - start
    print(f"{frames} frames, face found in {faces_seen}, {frames / max(elapsed, 1e-9):.1f} fps -> {out}")
    for key, values in stages.items():
        if values:
            p50, p95 = np.percentile(values, [50, 95])
            print(f"  {key:<10} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")
    if frames == 0:
        print("error: no frames read", file=sys.stderr)
        return 2
    return 0
