"""`python -m vision.makeup.gallery --out DIR` (run by `make gallery`).

Before/after images of every product kind and of a full look on every test face: the
committed photos, and the deep-skin portraits of ../shared/data/faces when present. They are
for people to judge ("would a shopper buy from this?"), so each image is the face crop,
before on the left, after on the right, with the look's spec written underneath. The
`*__light_*` images show lipstick in a dim, a warm and a colour-graded scene, painted in the
catalogue colour and as the store's light shows it (issue 11). The `shopper__*` images are
frames of the demo clip as the kiosk renders them (VIDEO tracking, hand occluder): a hand
over the mouth without and with the occluder, the broadest smile, the deepest blink and the
fastest head turn (issue 10).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from vision.capture import Frame, open_source, read_image
from vision.color import lab_to_rgb, rgb_to_hex
from vision.evaluate import relight, with_grey_card
from vision.face import FaceTracker
from vision.light import LightEstimator, LightReference
from vision.makeup import parse_look, render
from vision.occlusion import HandOccluder
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
    return panels([before, after], bbox, caption, height)


def panels(images: list[np.ndarray], bbox, caption: str, height: int = 480) -> np.ndarray:
    """The face crop of each image, left to right, with `caption` underneath."""
    x0, y0, x1, y1 = bbox
    pad = int(0.25 * (x1 - x0))
    h, w = images[0].shape[:2]
    ys, xs = slice(max(0, y0 - pad), min(h, y1 + pad)), slice(max(0, x0 - pad), min(w, x1 + pad))
    row = np.hstack([image[ys, xs] for image in images])
    row = cv2.resize(row, (int(row.shape[1] * height / row.shape[0]), height), interpolation=cv2.INTER_AREA)
    bar = np.full((28, row.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, caption[:110], (6, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (40, 40, 40), 1, cv2.LINE_AA)
    return np.vstack([row, bar])


# Store light (issue 11): a dim corner and a warm lamp (relit in linear light, as
# vision.evaluate does), and the Pexels clip's own colour grade. Each image: the scene, the
# catalogue colour painted whatever the light (as before), the light read from the eyes, and
# (relit scenes only: a grade cannot carry a card) the light read from a grey card in view.
STORE_SCENES = {"dim": (0.5, 0.5, 0.5), "warm": (0.8, 1.0, 1.2), "bright": (2**0.5,) * 3, "graded": None}
STORE_LOOKS = {"red_matte": "lipstick=#9e1b32/matte/1.0", "coral_gloss": "lipstick=#e2583e/gloss/1.0"}


def store_light_photos() -> list[Path]:
    photos = [ROOT / "tests" / "data" / "pexels_smile.jpg"]
    if SHARED_FACES.is_dir():
        photos.append(SHARED_FACES / "london" / "061_03.jpg")
    return photos


def write_store_light(tracker: FaceTracker, out_dir: Path) -> int:
    written = 0
    for photo in store_light_photos():
        image = read_image(photo)
        faces = tracker.process(Frame(image, 0, 0))
        if not faces:
            print(f"no face found in {photo}, skipped")
            continue
        carded, card = with_grey_card(image)
        for scene, gains in STORE_SCENES.items():
            if gains is None and photo.stem != "pexels_smile":
                continue  # only the Pexels clip carries a grade of its own
            lit = image if gains is None else relight(carded, gains)
            estimators = {"eyes": LightEstimator()}
            if gains is not None:
                estimators["card"] = LightEstimator(LightReference.record(carded, card))
            lights = {how: est.update(lit, faces[0], 0.0) for how, est in estimators.items()}
            for name, spec in STORE_LOOKS.items():
                look = parse_look(spec)
                shown = [lit, render(lit, faces, look)] + [
                    render(lit, faces, look, light=li) for li in lights.values()
                ]
                caption = f"{scene}: scene | catalogue colour | " + " | ".join(
                    f"light from {how} {tuple(round(g, 2) for g in li.gains_bgr)}"
                    for how, li in lights.items()
                )
                path = out_dir / f"{photo.stem}__light_{scene}__{name}.png"
                cv2.imwrite(str(path), panels(shown, faces[0].bbox, caption))
                written += 1
    return written


# Issue 10: the demo clip as the kiosk sees it. Hand frames: four spread over the frames where
# the occluder finds a hand at the face; the others: the frame where each blendshape (or the
# nose's speed, in inter-ocular distances per second) peaks.
CLIP = ROOT / "assets" / "demo" / "shopper.mp4"
MOTION_LOOK = "lipstick=#9e1b32/matte/1.0"
MOTION_FULL_LOOK = (
    "foundation=#c99a78/0.4,blush=#c0614a/0.6,eyeshadow=#6b4e71+#c9a27e+#3b2a20/shimmer/0.9,"
    "eyeliner=#141414/1/wing,brow=#3e2a1f/0.5,lipstick=#9e1b32/satin/1.0"
)


def write_motion(out_dir: Path) -> int:
    red, full = parse_look(MOTION_LOOK), parse_look(MOTION_FULL_LOOK)
    kept: dict[int, tuple] = {}
    scores: dict[str, list[tuple[float, int]]] = {"smile": [], "blink": [], "head_turn": []}
    hand_frames: list[int] = []
    source = open_source(str(CLIP))
    prev_nose = None
    with FaceTracker(mode="video", max_faces=1) as tracker, HandOccluder() as occluder:
        for frame in source:
            faces = tracker.process(frame)
            occlusion = occluder.update(frame.image, faces, frame.timestamp_ms)
            if not faces:
                prev_nose = None
                continue
            kept[frame.index] = (frame.image, faces, occlusion)
            b = faces[0].blendshapes
            scores["smile"].append((b.get("mouthSmileLeft", 0) + b.get("mouthSmileRight", 0), frame.index))
            scores["blink"].append((b.get("eyeBlinkLeft", 0) + b.get("eyeBlinkRight", 0), frame.index))
            nose = faces[0].landmarks[1] / faces[0].interocular
            if prev_nose is not None:
                speed = float(np.linalg.norm(nose - prev_nose)) * source.fps
                scores["head_turn"].append((speed, frame.index))
            prev_nose = nose
            if occlusion is not None:
                hand_frames.append(frame.index)
    source.close()
    written = 0
    for i in hand_frames[:: max(1, len(hand_frames) // 4)][:4]:
        image, faces, occlusion = kept[i]
        shown = [image, render(image, faces, red), render(image, faces, red, occlusion=occlusion)]
        caption = f"frame {i}: scene | {MOTION_LOOK} without the hand occluder | with it"
        cv2.imwrite(str(out_dir / f"shopper__hand_{i:03d}.png"), panels(shown, faces[0].bbox, caption))
        written += 1
    for name, ranked in scores.items():
        if not ranked:
            continue
        value, i = max(ranked)
        image, faces, occlusion = kept[i]
        shown = [image, render(image, faces, full, occlusion=occlusion)]
        unit = " IOD/s" if name == "head_turn" else ""
        caption = f"frame {i}, {name} {value:.2f}{unit}: {MOTION_FULL_LOOK}"
        cv2.imwrite(str(out_dir / f"shopper__{name}.png"), panels(shown, faces[0].bbox, caption))
        written += 1
    return written


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
        written += write_store_light(tracker, args.out)
    written += write_motion(args.out)
    print(f"wrote {written} before/after images to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
