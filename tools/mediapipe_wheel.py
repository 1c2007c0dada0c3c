"""What both model builders share: the `mediapipe==0.10.14` wheel they take files from, the
`.task` bundle they write (a zip of named tflite files, stored uncompressed so MediaPipe can map
them in place, with a fixed timestamp so the same wheel always gives the same sha256), and their
command line. Only files are taken from that wheel, never the old package itself."""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

WHEEL = "mediapipe==0.10.14"
FIXED_TIME = (2024, 5, 8, 1, 30, 0)  # the files' own date inside the wheel
MODELS = Path(__file__).resolve().parents[1] / "models"


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


def write_bundle(
    wheel: Path, out: Path, members: dict[str, str], convert: Callable[[str, bytes], bytes]
) -> str:
    """Writes `out` with each bundle name's wheel member (after `convert(name, data)`); its sha256."""
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name, member in members.items():
            data = src.read(member)
            print(f"{member}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
            dst.writestr(zipfile.ZipInfo(name, FIXED_TIME), convert(name, data), zipfile.ZIP_STORED)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"wrote {out} ({out.stat().st_size:,} bytes), sha256 {digest}")
    return digest


def main(build: Callable[[Path, Path], str], default_out: Path, description: str) -> int:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--wheel", type=Path, help="an already downloaded mediapipe 0.10.14 cp311 wheel")
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    if args.wheel:
        build(args.wheel, args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(download_wheel(Path(tmp)), args.out)
    return 0
