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

import sys
import types
from pathlib import Path

from mediapipe_wheel import MODELS, main, write_bundle

# name in the bundle: (member of the wheel, input normalisation mean, std)
MEMBERS = {
    "pose_detector.tflite": ("mediapipe/modules/pose_detection/pose_detection.tflite", 127.5, 127.5),
    "pose_landmarks_detector.tflite": (
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        0.0,
        255.0,
    ),
}
OUT = MODELS / "pose_landmarker.task"


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
    members = {name: member for name, (member, _, _) in MEMBERS.items()}
    return write_bundle(
        wheel, out, members, lambda name, data: with_image_metadata(data, name, *MEMBERS[name][1:])
    )


if __name__ == "__main__":
    raise SystemExit(main(build, OUT, __doc__.splitlines()[0]))
