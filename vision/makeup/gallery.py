"""`python -m vision.makeup.gallery --out DIR` (run by `make gallery`).

Before/after images of every product kind and of a full look on every test face: the
committed photos, and the deep-skin portraits of ../shared/data/faces when present. They are
for people to judge ("would a shopper buy from this?"), so each image is the face crop,
before on the left, after on the right, with the look's spec written underneath.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from vision.capture import Frame, read_image
from vision.color import lab_to_rgb, rgb_to_hex
from vision.face import FaceTracker
from vision.makeup import parse_look, render
from vision.skin import measure_frame

ROOT = Path(__file__).resolve().parents[2]
SHARED_FACES = ROOT.parent / "shared" / "data" / "faces"
PRODUCTS = {
    "lipstick_matte": "lipstick=#9e1b32/matte/1.0",
    "lipstick_gloss": "lipstick=#e2583e/gloss/1.0",
    "lipstick_nude_satin": "lipstick=#b98a78/satin/1.0",
    "lipstick_metallic": "lipstick=#8a5a3b/metallic/1.0",
    "lip_liner": "lip_liner=#8e1c2c/1.0,lipstick=#b5646b/sheer/0.8",
    "blush": "blush=#e0828f/0.8",
    "bronzer": "bronzer=#8f5d3f/0.8",
    "highlighter": "highlighter=#e0b878/metallic/0.8",
    "eyeshadow_3": "eyeshadow=#6b4e71+#c9a27e+#3b2a20/shimmer/0.9",
    "eyeliner_wing": "eyeliner=#141414/1.0/wing",
    "brow": "brow=#3e2a1f/0.8",
    "foundation": "foundation={skin}/0.7",
    "foundation_too_light": "foundation=#e5bfa0/0.7",
    "concealer": "concealer={skin_light}/0.7",
}
# {skin} is the measured skin colour (a perfectly matched foundation shade); {skin_light} is
# the same a few L* lighter, as a concealer is chosen.
FULL_LOOK = (
    "foundation={skin}/0.5,concealer={skin_light}/0.4,bronzer=#8f5d3f/0.5,blush=#c0614a/0.6,"
    "highlighter=#e0b878/shimmer/0.6,eyeshadow=#8a6a3a+#d4af6a+#3b2a20/metallic/0.8,"
    "eyeliner=#141414/1/wing,brow=#3e2a1f/0.5,lip_liner=#8e1c2c/0.7,lipstick=#9e1b32/satin/1.0"
)


def faces_to_render() -> list[Path]:
    photos = sorted((ROOT / "tests" / "data").glob("*.jpg"))
    if SHARED_FACES.is_dir():
        photos += sorted((SHARED_FACES / "london").glob("0[2-8]*_03.jpg"))[:6]
        photos += sorted((SHARED_FACES / "unsplash").glob("*.jpg"))
    return photos


def side_by_side(before: np.ndarray, after: np.ndarray, bbox, caption: str, height: int = 480) -> np.ndarray:
    x0, y0, x1, y1 = bbox
    pad = int(0.25 * (x1 - x0))
    h, w = before.shape[:2]
    ys, xs = slice(max(0, y0 - pad), min(h, y1 + pad)), slice(max(0, x0 - pad), min(w, x1 + pad))
    pair = np.hstack([before[ys, xs], after[ys, xs]])
    pair = cv2.resize(
        pair, (int(pair.shape[1] * height / pair.shape[0]), height), interpolation=cv2.INTER_AREA
    )
    bar = np.full((28, pair.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, caption[:110], (6, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (40, 40, 40), 1, cv2.LINE_AA)
    return np.vstack([pair, bar])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "gallery" / "makeup")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    looks = {**PRODUCTS, "full_look": FULL_LOOK}
    written = 0
    with FaceTracker(mode="image") as tracker:
        for photo in faces_to_render():
            image = read_image(photo)
            faces = tracker.process(Frame(image, 0, 0))
            if not faces:
                print(f"no face found in {photo}, skipped")
                continue
            skin = measure_frame(image, faces[0])
            lab = skin.lab if skin.lab is not None else np.array([60.0, 12.0, 18.0])
            shades = {
                "skin": rgb_to_hex(lab_to_rgb(lab)),
                "skin_light": rgb_to_hex(lab_to_rgb(lab + np.array([6.0, -1.0, 0.0]))),
            }
            for name, template in looks.items():
                spec = template.format(**shades)
                out = render(image, faces, parse_look(spec))
                path = args.out / f"{photo.stem}__{name}.png"
                cv2.imwrite(str(path), side_by_side(image, out, faces[0].bbox, spec))
                written += 1
    print(f"wrote {written} before/after images to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
