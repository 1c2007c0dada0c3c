"""Build models/pose_landmarker.task (people: pose landmarks + a per-person segmentation mask)
from the Apache-2.0 files of the `mediapipe==0.10.14` wheel.

mediapipe 1.2 (the version the project runs) ships no models. The old 0.10.14 wheel carries the
legacy Pose solution's networks: `pose_detection.tflite` (BlazePose person detector) and
`pose_landmark_full.tflite` (33 landmarks, world landmarks and a 256×256 person mask). The Tasks
`PoseLandmarker` loads them zipped (uncompressed) as `pose_detector.tflite` +
`pose_landmarks_detector.tflite`, but only once each carries TFLite metadata saying how to
normalise the input image: the legacy files have none. This script writes exactly that metadata
(the ranges the legacy graphs used: [-1, 1] for the detector, [0, 1] for the landmark model)
with mediapipe's own metadata writer. Only the two files are taken, never the old package.

    python tools/build_person_model.py            # pip-downloads the wheel into a temp dir
    python tools/build_person_model.py --wheel W  # or uses a wheel already downloaded

mediapipe 1.2's metadata module imports a compiled helper (`_pywrap_metadata_version`) that only
computes the "minimum metadata parser version" string; 1.2 does not ship it, so a stand-in gives
"1.0.0" (the metadata written here uses nothing newer). Zip entries carry a fixed timestamp, so
the same wheel always gives the same sha256 (the one vision/people.py checks and
models/PROVENANCE.md records). This folder is not part of the shipped Python package.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import types
import zipfile
from pathlib import Path

WHEEL = "mediapipe==0.10.14"
# name in the bundle: (member of the wheel, input normalisation mean, std)
MEMBERS = {
    "pose_detector.tflite": ("mediapipe/modules/pose_detection/pose_detection.tflite", 127.5, 127.5),
    "pose_landmarks_detector.tflite": (
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        0.0,
        255.0,
    ),
}
OUT = Path(__file__).resolve().parents[1] / "models" / "pose_landmarker.task"
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


def _stand_in_version_helper() -> None:
    helper = types.ModuleType("_pywrap_metadata_version")
    helper.GetMinimumMetadataParserVersion = lambda *_: "1.0.0"
    for name in ("mediapipe.tasks.cc", "mediapipe.tasks.cc.metadata", "mediapipe.tasks.cc.metadata.python"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["mediapipe.tasks.cc.metadata.python"]._pywrap_metadata_version = helper
    sys.modules["mediapipe.tasks.cc.metadata.python._pywrap_metadata_version"] = helper


def with_image_metadata(model: bytes, name: str, mean: float, std: float) -> bytes:
    """The model with metadata for one RGB image input (value - mean) / std and plain outputs."""
    _stand_in_version_helper()
    from mediapipe.tasks.python.metadata import metadata
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name.removesuffix(".tflite"), "from mediapipe 0.10.14 (Apache-2.0)")
    writer.add_image_input([mean], [std])
    for _ in writer_utils.get_output_tensor_types(bytearray(model)):
        writer.add_feature_output()
    # MetadataWriter.populate() would also render the metadata as JSON, which needs another
    # compiled helper 1.2 lacks; the populator alone writes the file.
    buffer = metadata_writer._create_metadata_buffer(
        model_buffer=writer._model_buffer,
        general_md=writer._general_md,
        input_md=writer._input_mds,
        output_md=writer._output_mds,
        input_process_units=writer._input_process_units,
        custom_metadata_md=writer._custom_metadata_mds,
        output_group_md=writer._output_group_mds,
    )
    populator = metadata.MetadataPopulator.with_model_buffer(writer._model_buffer)
    populator.load_metadata_buffer(buffer)
    populator.populate()
    return bytes(populator.get_model_buffer())


def build(wheel: Path, out: Path = OUT) -> str:
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name, (member, mean, std) in MEMBERS.items():
            data = src.read(member)
            print(f"{member}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
            dst.writestr(zipfile.ZipInfo(name, FIXED_TIME), with_image_metadata(data, name, mean, std))
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
