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

from pathlib import Path

from mediapipe_wheel import MODELS, main, write_bundle

MEMBERS = {
    "hand_detector.tflite": "mediapipe/modules/palm_detection/palm_detection_full.tflite",
    "hand_landmarks_detector.tflite": "mediapipe/modules/hand_landmark/hand_landmark_full.tflite",
}
OUT = MODELS / "hand_landmarker.task"


def build(wheel: Path, out: Path = OUT) -> str:
    return write_bundle(wheel, out, MEMBERS, lambda _name, data: data)


if __name__ == "__main__":
    raise SystemExit(main(build, OUT, __doc__.splitlines()[0]))
