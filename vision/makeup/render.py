"""`render(image, faces, look)`: the one entry point that puts a Look on every face.

Per face, every layer's effect first lays out its strokes (regions + paint); only the
rectangle they cover together is converted to float CIELAB, once; the strokes are
composited in order; the rectangle is converted back once and written only where some
stroke touched it, so pixels outside every product region stay bit-identical.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from vision.face import FaceResult
from vision.light import NEUTRAL, Light
from vision.makeup.effects import EFFECTS, Stroke
from vision.makeup.look import Look
from vision.makeup.regions import FaceGeometry
from vision.occlusion import Occlusion
from vision.occlusion import objects as held  # the module, not its function: it imports makeup.regions


def _crop_rect(face: FaceResult, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    pts = face.landmarks
    pad = 0.25 * face.interocular
    h, w = shape
    x0, y0 = np.floor(pts.min(axis=0) - pad).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0) + pad).astype(int)
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


LIP_KINDS = ("lipstick", "lip_liner")

# OpenCV's 8-bit Lab conversions are table-driven and several times faster than its float
# ones (which take a cube root per pixel). 8-bit Lab stores L*·255/100 and a*, b* + 128;
# these map it to and from true CIELAB, where the effects work. The input is 8-bit sRGB
# anyway, and rounding the result to 8-bit Lab moves a pixel by under 0.5 ΔE.
_FROM_LAB8 = np.array([[100 / 255, 0, 0, 0], [0, 1, 0, -128], [0, 0, 1, -128]], np.float32)
_TO_LAB8 = np.array([[255 / 100, 0, 0, 0], [0, 1, 0, 128], [0, 0, 1, 128]], np.float32)


def render(
    image: np.ndarray,
    faces: Sequence[FaceResult],
    look: Look,
    *,
    occlusion: Occlusion | None = None,
    light: Light | None = None,
) -> np.ndarray:
    """A new BGR uint8 image with `look` applied to each face; `image` is not modified.

    `occlusion` (a hand in front of the mouth...) scales every layer by the face's visibility,
    so no product is painted on whatever covers the face. Objects held over the lips (a phone,
    a cup) are found here, from the lips' own colours (`vision.occlusion.objects`).
    `light` (the frame's `LightEstimator` reading) shows each shade as that light and camera
    would, so a lipstick in a dim corner is dim too; None or neutral paints the catalogue
    colours exactly.
    """
    light = light or NEUTRAL
    out = image.copy()
    if not look.layers:
        return out
    for face in faces:
        if face.interocular < 8:  # too small to place products meaningfully
            continue
        x0, y0, x1, y1 = _crop_rect(face, image.shape[:2])
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        geo = FaceGeometry(face.landmarks - np.array([x0, y0], np.float32), (y1 - y0, x1 - x0))
        strokes: list[Stroke] = []
        for layer in look.layers:
            EFFECTS[layer.kind](geo, layer, strokes, light)
        if not strokes:
            continue
        crop = out[y0:y1, x0:x1]
        on_lips = any(layer.kind in LIP_KINDS for layer in look.layers)
        objects = held.lip_objects(crop, geo) if on_lips else None
        _composite(crop, geo, strokes, occlusion, objects, (x0, y0))
    return out


# A smooth stroke is worked out at a resolution where the inter-ocular distance is about
# this many pixels: its change has no detail finer than that needs.
SMOOTH_DETAIL_PX = 75


def _change(stroke: Stroke, sub: np.ndarray, reduce: int, visible: np.ndarray | None) -> np.ndarray:
    """What the stroke's paint does to `sub` (new - old), at reduced resolution if smooth.

    The paint measures the region's own colour (the lips' mean, the skin's) over `visible`
    pixels only, so a finger across the lips does not pull the lipstick's shade off.
    """
    mask = stroke.region.mask if visible is None else stroke.region.mask * visible
    h, w = sub.shape[:2]
    if not stroke.smooth or reduce == 1 or min(h, w) < 4 * reduce:
        return stroke.paint(sub, mask) - sub
    size = (max(1, w // reduce), max(1, h // reduce))
    small = cv2.resize(sub, size, interpolation=cv2.INTER_AREA)
    small_mask = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
    return cv2.resize(stroke.paint(small, small_mask) - small, (w, h), interpolation=cv2.INTER_LINEAR)


def _composite(
    crop: np.ndarray,
    geo: FaceGeometry,
    strokes: list[Stroke],
    occlusion: Occlusion | None,
    objects: Occlusion | None,
    crop_origin: tuple[int, int],
) -> None:
    rects = np.array([s.region.rect for s in strokes])
    ux0, uy0 = rects[:, :2].min(axis=0)
    ux1, uy1 = rects[:, 2:].max(axis=0)
    area = crop[uy0:uy1, ux0:ux1]
    lab = cv2.transform(cv2.cvtColor(area, cv2.COLOR_BGR2Lab).astype(np.float32), _FROM_LAB8)
    allowed = geo.paintable((int(ux0), int(uy0), int(ux1), int(uy1)))
    cx, cy = crop_origin
    visible = None if occlusion is None else occlusion.over((cx + ux0, cy + uy0, cx + ux1, cy + uy1))
    in_front = None if objects is None else objects.over((int(ux0), int(uy0), int(ux1), int(uy1)))
    if in_front is not None:  # objects over the lips, in crop pixels
        visible = in_front if visible is None else visible * in_front
    if visible is not None:
        allowed *= visible
    touched = np.zeros(area.shape[:2], np.float32)
    reduce = max(1, int(geo.scale // SMOOTH_DETAIL_PX))
    for stroke in strokes:
        x0, y0, x1, y1 = stroke.region.rect
        ys, xs = slice(y0 - uy0, y1 - uy0), slice(x0 - ux0, x1 - ux0)
        sub = lab[ys, xs]
        a = cv2.multiply(stroke.region.mask, allowed[ys, xs], scale=stroke.alpha)
        vis = None if visible is None else visible[ys, xs]
        change = _change(stroke, sub, reduce, vis)  # a fresh array: scaled in place, no temporaries
        change *= a[..., None]
        sub += change
        np.maximum(touched[ys, xs], a, out=touched[ys, xs])
    lab8 = cv2.convertScaleAbs(cv2.transform(lab, _TO_LAB8))  # rounds and saturates to uint8
    painted = cv2.cvtColor(lab8, cv2.COLOR_Lab2BGR)
    cv2.copyTo(painted, (touched > 1 / 512).view(np.uint8), area)
