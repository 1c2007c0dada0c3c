"""Real people composited into the synthetic showroom at a known place on the floor, and the
occlusion error of a furniture render against that truth (a uniquely named module: see
furniture_scenes.py).

The people are cut out of a real photo (tests/data/bus_person_*.png, see PROVENANCE.md) with a
soft alpha. Pasted standing at floor point (x, z) and scaled to `height_m`, a person is a vertical
slab at that point's forward distance: that, and the cut-out's alpha, are the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vision.people import forward_distance
from vision.render.gallery import kiosk_truth
from vision.render.scene import Camera
from vision.render.showroom import stand_cutout

DATA = Path(__file__).resolve().parents[1] / "data"
CUTOUTS = ("bus_person_a.png", "bus_person_b.png")


def kiosk_camera() -> Camera:
    """The gallery's kiosk camera, at its true pose: a person across the room is seen whole."""
    return Camera(*kiosk_truth())


@dataclass(frozen=True)
class PastedPerson:
    alpha: np.ndarray  # (H, W) float32 0..1 over the whole frame
    distance_m: float


def load_cutout(name: str) -> np.ndarray:
    image = cv2.imread(str(DATA / name), cv2.IMREAD_UNCHANGED)
    if image is None or image.shape[2] != 4:
        raise FileNotFoundError(f"no BGRA cut-out at {DATA / name}")
    return image


def paste_person(
    frame: np.ndarray, camera: Camera, name: str, x: float, z: float, height_m: float = 1.78
) -> tuple[np.ndarray, PastedPerson]:
    """The frame with the person standing at floor point (x, z), and the truth about them."""
    out, alpha = stand_cutout(frame, camera.intrinsics, camera.pose, load_cutout(name), x, z, height_m)
    return out, PastedPerson(alpha, forward_distance(camera, x, z))


@dataclass(frozen=True)
class OcclusionErrors:
    person_covered: float  # share of person pixels that should show but are drawn over by furniture
    furniture_covered: float  # share of furniture pixels that should show but let the camera through
    person_px: int
    furniture_px: int


def occlusion_errors(layer, keep: np.ndarray | None, people: list[PastedPerson]) -> OcclusionErrors:
    """Against the truth, over the furniture's silhouette (the only place an error can be).

    A pixel should show the person when a person covers it (alpha > 0.5) and stands nearer than
    the furniture there; it should show the furniture otherwise. The shown side is the one the
    `keep` matte picks (> 0.5). The furniture share counts pixels within the people's bounding
    boxes, where a person could be mistaken to stand, not the whole piece."""
    x0, y0, w, h = layer.box
    furniture = np.isfinite(layer.forward)
    shows_person = np.zeros((h, w), bool)
    near_people = np.zeros((h, w), bool)
    for p in people:
        a = p.alpha[y0 : y0 + h, x0 : x0 + w]
        shows_person |= (a > 0.5) & (p.distance_m < layer.forward)
        ys, xs = np.nonzero(a > 0.5)
        if len(ys):
            near_people[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] = True
    picked = np.zeros((h, w), bool) if keep is None else keep[..., 0] > 128
    want_person = furniture & shows_person
    want_furniture = furniture & ~shows_person & near_people
    return OcclusionErrors(
        float((want_person & ~picked).sum() / max(want_person.sum(), 1)),
        float((want_furniture & picked).sum() / max(want_furniture.sum(), 1)),
        int(want_person.sum()),
        int(want_furniture.sum()),
    )
