"""`python -m vision.evaluate` (part of `make eval`): the try-on's quality figures on real faces.

Prints, per face: lip colour fidelity (mean ΔE2000 of the rendered lip body to the target
shade, intensity 1.0 matte, specular highlights excluded) for light and deep shades; the
largest change of any pixel more than 12 px outside the face with a full look on; whether the
open mouth and the eye openings stay bit-identical; and the skin-tone estimate's stability
(ΔE2000 to the unaltered photo) under ±1 stop and ±10% per-channel colour casts, with the
gate's answer for extreme light. The committed faces (tests/data) always; the deep-skin
portraits of ../shared/data/faces when that folder is present. The tests assert on the same
measurements (tests/vision).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from vision.capture import Frame, read_image
from vision.color import delta_e2000, hex_to_lab, linear_to_srgb, rgb_to_lab, srgb_to_linear
from vision.face import FaceResult, FaceTracker
from vision.makeup import Layer, Look, parse_look, render
from vision.makeup import regions as R
from vision.skin import measure_frame

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = [ROOT / "tests" / "data" / n for n in ("astronaut.jpg", "grace_hopper.jpg", "pexels_smile.jpg")]
SHARED_FACES = ROOT.parent / "shared" / "data" / "faces"
# Self-reported black participants of the London set: the deep end of the Monk scale.
SHARED_DEEP = [
    "london/025_03.jpg",
    "london/044_03.jpg",
    "london/061_03.jpg",
    "london/062_03.jpg",
    "london/082_03.jpg",
]

LIGHT_SHADES = ["#e7a1b0", "#d9839a", "#e2583e"]
DEEP_SHADES = ["#5c1a33", "#4a1f3d", "#6b3e2e"]
FULL_LOOK = (
    "foundation=#c99a78/0.5,concealer=#d8b090/0.5,bronzer=#8f5d3f/0.5,blush=#e0828f/0.7,"
    "highlighter=#f3e2d3/shimmer/0.7,eyeshadow=#6b4e71+#c9a27e+#3b2a20/shimmer/0.9,"
    "eyeliner=#141414/1.0/wing,brow=#3e2a1f/0.6,lip_liner=#8e1c2c/0.8,lipstick=#9e1b32/gloss/1.0"
)
# Exposure and white-balance changes as per-channel gains on linear light (B, G, R).
MILD_LIGHT = {
    "-1 stop": (0.5, 0.5, 0.5),
    "+1 stop": (2.0, 2.0, 2.0),
    "red +10%": (1.0, 1.0, 1.1),
    "red -10%": (1.0, 1.0, 0.9),
    "green +10%": (1.0, 1.1, 1.0),
    "green -10%": (1.0, 0.9, 1.0),
    "blue +10%, red -10%": (1.1, 1.0, 0.9),
    "blue -10%, red +10%": (0.9, 1.0, 1.1),
}
EXTREME_LIGHT = {"-3 stops": (0.125,) * 3, "+3 stops": (8.0,) * 3, "orange light": (0.5, 1.0, 1.7)}


def relight(image: np.ndarray, gains_bgr) -> np.ndarray:
    """A camera's view of the same scene under other exposure/white balance (linear, clipped)."""
    lin = srgb_to_linear(image / 255.0) * np.asarray(gains_bgr)
    return np.clip(linear_to_srgb(lin) * 255 + 0.5, 0, 255).astype(np.uint8)


def poly_mask(shape, poly: np.ndarray, erode_px: int = 0) -> np.ndarray:
    """Filled polygon; eroded by `erode_px` (dilated when negative)."""
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32)], 255)
    if erode_px > 0:
        mask = cv2.erode(mask, np.ones((2 * erode_px + 1,) * 2, np.uint8))
    if erode_px < 0:
        mask = cv2.dilate(mask, np.ones((-2 * erode_px + 1,) * 2, np.uint8))
    return mask > 0


def lab_of(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return rgb_to_lab(image[mask][:, ::-1].astype(float))


def lip_fidelity(image: np.ndarray, face: FaceResult, shade: str) -> tuple[float, np.ndarray]:
    """Mean ΔE2000 of the rendered lip body to the shade, specular highlights excluded."""
    out = render(image, [face], Look((Layer("lipstick", (shade,), "matte", 1.0),)))
    pts = face.landmarks
    margin = max(1, round(face.interocular * 0.03))
    body = poly_mask(image.shape, pts[R.LIPS_OUTER], margin) & ~poly_mask(
        image.shape, pts[R.LIPS_INNER], -margin
    )
    lab = lab_of(out, body)
    lab = lab[lab[:, 0] <= np.percentile(lab[:, 0], 90)]
    return float(delta_e2000(lab, hex_to_lab(shade)).mean()), out


def outside_change(image: np.ndarray, faces: list[FaceResult], look: Look) -> float:
    """Largest ΔE2000 of any pixel more than 12 px outside the face oval."""
    out = render(image, faces, look)
    near_face = poly_mask(image.shape, faces[0].landmarks[R.FACE_OVAL], -12)
    return float(delta_e2000(lab_of(out, ~near_face), lab_of(image, ~near_face)).max())


def openings_untouched(image: np.ndarray, faces: list[FaceResult], look: Look) -> bool:
    """The open mouth and both eye openings come out bit-identical."""
    out = render(image, faces, look)
    pts = faces[0].landmarks
    openings = [poly_mask(image.shape, pts[idx], 1) for idx in (R.LIPS_INNER, R.RIGHT_EYE, R.LEFT_EYE)]
    return all(np.array_equal(out[m], image[m]) for m in openings)


def load_faces() -> dict[str, tuple[np.ndarray, list[FaceResult]]]:
    paths = list(COMMITTED)
    if SHARED_FACES.is_dir():
        paths += [SHARED_FACES / n for n in SHARED_DEEP]
    tracker = FaceTracker(mode="image")
    try:
        out = {}
        for path in paths:
            image = read_image(path)
            out[path.name] = (image, tracker.process(Frame(image, 0, 0)))
        return out
    finally:
        tracker.close()


def main() -> int:
    faces = load_faces()
    if not SHARED_FACES.is_dir():
        print(f"(deep-skin portraits not found at {SHARED_FACES}: committed faces only)")
    full = parse_look(FULL_LOOK)
    print("lip colour fidelity, mean ΔE2000 to the shade (matte, intensity 1; goal < 8)")
    print(f"  {'face':<18}" + "".join(f"{s:>9}" for s in LIGHT_SHADES + DEEP_SHADES) + "      max")
    worst = 0.0
    for name, (image, found) in faces.items():
        des = [lip_fidelity(image, found[0], s)[0] for s in LIGHT_SHADES + DEEP_SHADES]
        worst = max(worst, *des)
        print(f"  {name:<18}" + "".join(f"{d:9.1f}" for d in des) + f"{max(des):9.1f}")
    print(f"  worst: {worst:.1f}")
    print("\nfull look (10 layers): largest ΔE2000 >12 px outside the face (goal < 0.5),")
    print("and whether the open mouth and the eyes stay bit-identical")
    for name, (image, found) in faces.items():
        outside, untouched = outside_change(image, found, full), openings_untouched(image, found, full)
        print(f"  {name:<18} {outside:6.2f}   {untouched}")
    print("\nskin tone: ΔE2000 to the unaltered photo (goal < 3; a refusal is named)")
    print(f"  {'face':<18}" + "".join(f"{k:>22}" for k in MILD_LIGHT))
    for name, (image, found) in faces.items():
        base = measure_frame(image, found[0])
        if base.code != "ok":
            print(f"  {name:<18} no estimate on the unaltered photo: {base.code}")
            continue
        cells = []
        for gains in MILD_LIGHT.values():
            m = measure_frame(relight(image, gains), found[0])
            cells.append(f"{delta_e2000(m.lab, base.lab):.2f}" if m.code == "ok" else f"refused: {m.code}")
        print(f"  {name:<18}" + "".join(f"{c:>22}" for c in cells))
    print("\nskin tone gate on extreme light (each must be refused)")
    for name, (image, found) in faces.items():
        answers = [measure_frame(relight(image, g), found[0]).code for g in EXTREME_LIGHT.values()]
        print(f"  {name:<18} " + ", ".join(f"{k}: {a}" for k, a in zip(EXTREME_LIGHT, answers, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
