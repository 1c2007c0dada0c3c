"""`kiosk tryon` paints as the kiosk does: hands in front of the lips stay bare, and the shades
follow the scene's light (a developer checking a clip or a photo sees what a shopper would)."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.cli import main
from vision.color import SRGB_TO_LINEAR_LUT
from vision.evaluate import ROOT, relight
from vision.makeup import parse_look, render
from vision.makeup import regions as R

RED = "lipstick=#9e1b32/matte/1.0"
CLIP = ROOT / "assets" / "demo" / "shopper.mp4"
HAND_FRAME = 140  # the demo clip's fingers are over the lips here (its gallery hand frame)
BARE_FRAME = 10  # and nowhere near the face here


def _lip_mean(image: np.ndarray, face) -> np.ndarray:
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(face.landmarks[R.LIPS_OUTER]).astype(np.int32)], 1)
    cv2.fillPoly(mask, [np.round(face.landmarks[R.LIPS_INNER]).astype(np.int32)], 0)
    return SRGB_TO_LINEAR_LUT[image[mask > 0]].mean(axis=0)  # linear light, BGR


def test_a_photo_is_painted_as_its_light_shows_the_shade(tmp_path, committed_faces):
    image, faces = committed_faces["astronaut.jpg"]  # fills the camera's range: neutral
    photo, dim = tmp_path / "photo.png", tmp_path / "dim.png"
    cv2.imwrite(str(photo), image)
    cv2.imwrite(str(dim), relight(image, (0.5, 0.5, 0.5)))  # the same scene a stop darker
    assert main(["tryon", "--input", str(photo), "--look", RED, "--output", str(tmp_path / "a.png")]) == 0
    # Neutral light: the catalogue colour, exactly as the renderer paints it.
    assert np.array_equal(cv2.imread(str(tmp_path / "a.png")), render(image, faces, parse_look(RED)))
    for flag, out in (([], "lit.png"), (["--catalogue-colour"], "sticker.png")):
        args = ["tryon", "--input", str(dim), "--look", RED, "--output", str(tmp_path / out), *flag]
        assert main(args) == 0
    lit, sticker = (_lip_mean(cv2.imread(str(tmp_path / n)), faces[0]) for n in ("lit.png", "sticker.png"))
    assert lit.sum() < 0.8 * sticker.sum(), (lit, sticker)  # the lipstick dims with the room


def test_a_clip_keeps_the_lipstick_off_the_fingers(tmp_path):
    frames = HAND_FRAME + 1
    for flag, out in (([], "kept"), (["--no-hands"], "over")):
        args = ["tryon", "--input", str(CLIP), "--look", RED, "--output", str(tmp_path / out)]
        assert main([*args, "--max-frames", str(frames), *flag]) == 0
    name = "frame_{:05d}_tryon.png".format
    kept, over = (cv2.imread(str(tmp_path / d / name(HAND_FRAME))) for d in ("kept", "over"))
    # With hands kept bare, fewer pixels are painted red: the fingers over the lips.
    redness = [(img[..., 2].astype(int) - img[..., 1] > 60).sum() for img in (kept, over)]
    assert redness[0] < 0.8 * redness[1], redness
    bare = [cv2.imread(str(tmp_path / d / name(BARE_FRAME))) for d in ("kept", "over")]
    assert np.array_equal(*bare)  # no hand in view: the same picture


def test_bad_input_is_an_error_not_a_traceback(tmp_path, capsys):
    out = str(tmp_path / "x.png")
    assert main(["tryon", "--input", "/nonexistent/photo.jpg", "--look", RED, "--output", out]) == 2
    assert "error" in capsys.readouterr().err
    assert main(["tryon", "--input", str(CLIP), "--look", "lipstick=#zzz", "--output", out]) == 2
    assert "error" in capsys.readouterr().err
