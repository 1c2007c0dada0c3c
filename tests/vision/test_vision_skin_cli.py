"""`kiosk skin` and `kiosk recommend --image`: JSON answers, bad input as a status, not a traceback."""

from __future__ import annotations

import json
import shutil

import cv2
import numpy as np

from kiosk.cli import main
from vision.evaluate import ROOT

PHOTO = ROOT / "tests" / "data" / "pexels_smile.jpg"
CLIP = ROOT / "tests" / "data" / "face_clip.mp4"


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_folder_gives_one_object_per_image_with_clear_statuses(tmp_path, capsys):
    shutil.copy(PHOTO, tmp_path / "a_face.jpg")
    (tmp_path / "b_corrupt.jpg").write_bytes(b"not a jpeg at all")
    cv2.imwrite(str(tmp_path / "c_wall.png"), np.full((240, 320, 3), 128, np.uint8))
    (tmp_path / "notes.txt").write_text("ignored: not an image")
    assert main(["skin", "--input", str(tmp_path)]) == 1  # not every image gave an answer
    face, corrupt, wall = _lines(capsys)
    assert face["status"] == "ok" and face["file"].endswith("a_face.jpg")
    assert {"lab", "ita", "mst", "undertone", "confidence"} <= set(face) and 1 <= face["mst"] <= 10
    assert corrupt["status"] == "unreadable" and corrupt["message_ar"] and corrupt["message_en"]
    assert wall["status"] == "no_face" and wall["message_ar"] and "lab" not in wall


def test_missing_input_is_a_status(capsys):
    assert main(["skin", "--input", "/nonexistent/photo.jpg"]) == 2
    assert _lines(capsys)[0]["status"] == "not_found"
    assert main(["skin", "--input", "/nonexistent/clip"]) == 2
    assert _lines(capsys)[0]["status"] == "not_found"


def test_video_prints_the_settled_estimate_and_its_trace(capsys):
    assert main(["skin", "--input", str(CLIP), "--trace"]) == 0
    lines = _lines(capsys)
    trace, final = lines[:-1], lines[-1]
    assert len(trace) == 72 and all("frame" in t for t in trace)
    assert final["status"] == "ok" and final["file"] == str(CLIP)
    assert trace[-1]["lab"] == final["lab"] and trace[-1]["mst"] == final["mst"]


def test_recommend_from_a_photo(capsys):
    assert main(["recommend", "--image", str(PHOTO), "--category", "foundation", "--top", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["items"]) == 3
    assert main(["skin", "--input", str(PHOTO)]) == 0
    measured = _lines(capsys)[0]
    assert out["shopper"]["lab"] == measured["lab"] and out["shopper"]["mst"] == measured["mst"]


def test_recommend_refuses_a_photo_without_a_face(tmp_path, capsys):
    wall = tmp_path / "wall.png"
    cv2.imwrite(str(wall), np.full((240, 320, 3), 128, np.uint8))
    assert main(["recommend", "--image", str(wall), "--category", "foundation"]) == 2
    err = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert err["status"] == "no_face" and err["message_ar"]
