"""Build models/hand_landmarker.task from the Apache-2.0 files of the `mediapipe==0.10.14` wheel.

mediapipe 1.2 (the version the project runs) ships no models; the old 0.10.14 wheel on PyPI
carries the legacy solutions' palm detector and hand-landmark networks. A MediaPipe Tasks
`.task` bundle is a plain zip of named tflite files, stored uncompressed so the runtime can
map them in place; the HandLandmarker looks for `hand_detector.tflite` and
`hand_landmarks_detector.tflite`. Only the two files are taken, never the old package.

    python tools/build_hand_model.py            # pip-downloads the wheel into a temp dir
    python tools/build_hand_model.py --wheel W  # or uses a wheel already downloaded

The zip entries carry a fixed timestamp, so the same wheel always gives the same sha256
(the one vision/occlusion/hands.py checks and models/PROVENANCE.md records). This folder is
not part of the shipped Python package.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "mediapipe==0.10.14"
MEMBERS = {
    "hand_detector.tflite": "mediapipe/modules/palm_detection/palm_detection_full.tflite",
    "hand_landmarks_detector.tflite": "mediapipe/modules/hand_landmark/hand_landmark_full.tflite",
}
OUT = Path(__file__).resolve().parents[1] / "models" / "hand_landmarker.task"
FIXED_TIME = (2024, 5, 8, 1, 30, 0)  # the files' own date inside the wheel


def download_wheel(dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", WHEEL, "--only-binary", ":all:",
         "--python-version", "311", "--platform", "manylinux_2_17_x86_64", "-d", str(dest)],
        check=True,
    )  # fmt: skip
    wheels = sorted(dest.glob("mediapipe-0.10.14-cp311-*.whl"))
    if not wheels:
        raise SystemExit(f"pip did not leave a mediapipe 0.10.14 cp311 wheel in {dest}")
    return wheels[0]


def build(wheel: Path, out: Path = OUT) -> str:
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name, member in MEMBERS.items():
            data = src.read(member)
            print(f"{member}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
            dst.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_STORED)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"wrote {out} ({out.stat().st_size:,} bytes), sha256 {digest}")
    return digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="an already downloaded mediapipe 0.10.14 cp311 wheel")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.wheel:
        build(args.wheel, args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(download_wheel(Path(tmp)), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
