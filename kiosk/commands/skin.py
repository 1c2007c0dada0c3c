"""`kiosk skin --input <image | folder | video | camera index>`: the skin-tone estimate as JSON.

Stills (an image, a folder of them) are measured one by one, one JSON object per line; a video
or a camera goes through the same running estimator as the kiosk and prints the settled
estimate (with `--trace`, one line per frame first). Bad input answers with a status and a
bilingual message, never a traceback. Exit status: 0 every answer came, 1 some image or the
stream gave no estimate (no face, bad light), 2 the input itself is missing or unreadable.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# Statuses of the command itself (the estimator's own are in vision.skin.STATUSES).
INPUT_STATUSES = {
    "not_found": ("Input not found.", "لم يُعثر على الملف."),
    "unreadable": ("The file is not a readable image or video.", "تعذّرت قراءة الملف كصورة أو فيديو."),
}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "skin",
        help="estimate skin tone from an image, a folder, a video or a camera; prints JSON",
        description="One JSON object per image (file, status, lab, ita, mst, undertone, confidence, and "
        "message_en/message_ar when it refuses); for a video or camera, the settled estimate.",
    )
    p.add_argument("--input", required=True, help="image file, folder of images, video file or camera index")
    p.add_argument("--trace", action="store_true", help="video/camera: also print how the estimate moved")
    p.add_argument("--max-frames", type=int, default=300, help="video/camera: stop after this many frames")
    p.set_defaults(func=run)


def _record(file: str, status: str, tone=None, message: tuple[str, str] | None = None) -> dict:
    out: dict = {"file": file, "status": status}
    if tone is not None:
        out.update(
            lab=[round(v, 2) for v in tone.lab],
            ita=round(tone.ita, 1),
            mst=tone.mst,
            undertone=tone.undertone,
            confidence=tone.confidence,
        )
    if message is not None:
        out.update(message_en=message[0], message_ar=message[1])
    return out


def _print(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def measure_still(path: Path, tracker) -> dict:
    """One photo: the single-frame estimate, or why there is none."""
    from vision.capture import CaptureError, Frame, read_image
    from vision.skin import STATUSES, SkinTone, measure_frame

    if not path.is_file():
        return _record(str(path), "not_found", message=INPUT_STATUSES["not_found"])
    try:
        image = read_image(path)
    except CaptureError:
        return _record(str(path), "unreadable", message=INPUT_STATUSES["unreadable"])
    faces = tracker.process(Frame(image, 0, 0))
    if not faces:
        s = STATUSES["no_face"]
        return _record(str(path), s.code, message=(s.message_en, s.message_ar))
    m = measure_frame(image, max(faces, key=lambda f: f.interocular))
    if m.code != "ok" or m.lab is None:
        s = STATUSES[m.code]
        return _record(str(path), s.code, message=(s.message_en, s.message_ar))
    return _record(str(path), "ok", SkinTone.from_lab(m.lab, confidence=round(m.quality, 3)))


def _stream(spec: str, trace: bool, max_frames: int) -> int:
    from vision.capture import CaptureError, open_source
    from vision.face import FaceTracker
    from vision.skin import SkinToneEstimator

    try:
        source = open_source(spec)
    except CaptureError:
        status = "not_found" if not (spec.isdigit() or Path(spec).exists()) else "unreadable"
        _print(_record(spec, status, message=INPUT_STATUSES[status]))
        return 2
    estimator = SkinToneEstimator()
    reading = None
    try:
        with FaceTracker(mode="video", max_faces=2) as tracker:
            for n, frame in enumerate(source):
                if n >= max_frames:
                    break
                faces = tracker.process(frame)
                face = max(faces, key=lambda f: f.interocular) if faces else None
                reading = estimator.update(frame.image, face)
                if trace:
                    _print({"frame": frame.index, "ms": frame.timestamp_ms, "status": reading.status.code}
                           | ({"lab": [round(v, 2) for v in reading.tone.lab], "mst": reading.tone.mst}
                              if reading.tone else {}))  # fmt: skip
    except CaptureError:
        _print(_record(spec, "unreadable", message=INPUT_STATUSES["unreadable"]))
        return 2
    finally:
        source.close()
    tone = estimator.current
    if tone is None or reading is None:
        from vision.skin import STATUSES

        s = reading.status if reading is not None else STATUSES["no_face"]
        _print(_record(spec, s.code, message=(s.message_en, s.message_ar)))
        return 1
    status = "ok" if estimator.settled else "settling"
    _print(_record(spec, status, tone))
    return 0


def run(args: argparse.Namespace) -> int:
    from vision.capture import IMAGE_SUFFIXES

    spec = str(args.input)
    path = Path(spec)
    if not spec.isdigit() and not path.exists():
        _print(_record(spec, "not_found", message=INPUT_STATUSES["not_found"]))
        return 2
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        from vision.face import FaceTracker

        paths = [path]
        if path.is_dir():
            paths = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            _print(_record(spec, "not_found", message=INPUT_STATUSES["not_found"]))
            return 2
        with FaceTracker(mode="image", max_faces=2) as tracker:
            records = [measure_still(p, tracker) for p in paths]
        for r in records:
            _print(r)
        return 0 if all(r["status"] == "ok" for r in records) else 1
    return _stream(spec, args.trace, args.max_frames)
