"""`render(image, faces, look)`: the one entry point that puts a Look on every face.

Per face, every layer's effect first lays out its strokes (regions + paint); they are then
composited in two passes, each converting only the pixels it needs, once:

- the smooth strokes (base, powder, contour: a shade shift with no detail of its own) lie on
  the face's coarse grid (`FaceGeometry.coarse`, inter-ocular ~75 px, a ninth of the pixels
  of a close shopper's face at 720p); they are composited there in CIELAB, and what they
  change is brought to full resolution as a BGR difference added to the frame's own pixels,
  which keep all of their texture;
- the detailed strokes (lips, eyes, brows, highlighter, shimmer) are composited at full
  resolution in CIELAB, one cluster of overlapping strokes at a time (each eye, the lips), so
  the skin between them is never converted.

Base products go on first, as a make-up artist applies them. Pixels outside every product
region, in the eye openings and in the open mouth stay bit-identical. Whatever covers the face
is left unpainted: hands (`occlusion`, from the caller), objects held over the lips, and, for
the products that colour the skin and the brows (`KindSpec.off_unlike_skin`), anything in
front of the skin that is unlike it (a glasses rim, a strand of hair).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from catalogue import kind, kinds_in
from vision.face import FaceResult
from vision.light import NEUTRAL, Light
from vision.makeup.effects import EFFECTS, Stroke
from vision.makeup.look import Look
from vision.makeup.regions import FaceGeometry
from vision.occlusion import Occlusion
from vision.occlusion import objects as held  # the module, not its function: it imports makeup.regions
from vision.occlusion import unlike_skin as unlike


def _crop_rect(face: FaceResult, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    pts = face.landmarks
    pad = 0.25 * face.interocular
    h, w = shape
    x0, y0 = np.floor(pts.min(axis=0) - pad).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0) + pad).astype(int)
    return max(0, x0), max(0, y0), min(w, x1), min(h, y1)


LIP_KINDS = kinds_in("lips")  # held objects are looked for only when something goes on the lips

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
            first = len(strokes)
            EFFECTS[layer.effect](geo, layer, strokes, light)
            if kind(layer.kind).off_unlike_skin:
                strokes[first:] = [replace(s, off_unlike_skin=True) for s in strokes[first:]]
        if not strokes:
            continue
        crop = out[y0:y1, x0:x1]
        # Whatever is in front of the face, in crop pixels: the hands, and objects held to the
        # lips (looked for before any paint goes on, from the lips' own colours).
        covers = (
            [] if occlusion is None else [Occlusion(occlusion.visibility, _shift(occlusion.origin, x0, y0))]
        )
        if any(layer.kind in LIP_KINDS for layer in look.layers):
            objects = held.lip_objects(crop, geo, light)
            covers += [objects] if objects is not None else []
        # Skin and brow products are also kept off whatever in front of the skin is unlike it (a
        # glasses rim, hair: `vision.occlusion.unlike_skin`); liners and lips are not (KindSpec).
        skin = (
            unlike.unlike_skin(crop, geo, _visible(covers, (0, 0, x1 - x0, y1 - y0)))
            if any(s.off_unlike_skin for s in strokes)
            else None
        )
        for held_back in (True, False):
            smooth = [s for s in strokes if s.smooth and s.off_unlike_skin == held_back]
            if smooth:
                _composite_smooth(crop, geo, smooth, covers, skin if held_back else None)
        for cluster in _clusters([s for s in strokes if not s.smooth]):
            _composite_detail(crop, geo, cluster, covers, skin)
    return out


def _shift(origin: tuple[int, int], dx: int, dy: int) -> tuple[int, int]:
    return origin[0] - dx, origin[1] - dy


def _union(strokes: list[Stroke]) -> tuple[int, int, int, int]:
    rects = np.array([s.region.rect for s in strokes])
    x0, y0 = rects[:, :2].min(axis=0)
    x1, y1 = rects[:, 2:].max(axis=0)
    return int(x0), int(y0), int(x1), int(y1)


def _clusters(strokes: list[Stroke]) -> list[list[Stroke]]:
    """The strokes in groups whose rectangles overlap (each eye, the lips), each in paint order."""
    groups: list[tuple[tuple[int, int, int, int], list[int]]] = []
    for i, stroke in enumerate(strokes):
        rect, members = stroke.region.rect, [i]
        for group in [g for g in groups if _overlap(g[0], rect)]:
            groups.remove(group)
            rect = _union_rects(rect, group[0])
            members += group[1]
        groups.append((rect, members))
    return [[strokes[i] for i in sorted(members)] for _, members in groups]


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _union_rects(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _visible(covers: list[Occlusion], rect: tuple[int, int, int, int]) -> np.ndarray | None:
    """The face's visibility over crop rectangle `rect` through every cover; None if all clear."""
    seen = None
    for cover in covers:
        over = cover.over(rect)
        if over is not None:
            seen = over if seen is None else seen * over
    return seen


def _paint(
    lab: np.ndarray,
    origin: tuple[int, int],
    strokes: list[Stroke],
    allowed: np.ndarray,
    seen: np.ndarray | None,
    skin: np.ndarray | None = None,
) -> np.ndarray:
    """Composite `strokes` in order onto `lab` (CIELAB, float32, in place), whose top-left is
    `origin` on the strokes' grid; returns how strongly each pixel was painted (0..1).

    The paint measures the region's own colour (the lips' mean, the skin's) over visible
    pixels only, so a finger across the lips does not pull the lipstick's shade off.
    `skin`: how much each pixel looks like skin; it keeps the `off_unlike_skin` strokes off the rest
    but does not weigh the colour they measure, so the bare skin's paint is the same with or
    without it.
    """
    ox, oy = origin
    touched = np.zeros(lab.shape[:2], np.float32)
    for stroke in strokes:
        x0, y0, x1, y1 = stroke.region.rect
        ys, xs = slice(y0 - oy, y1 - oy), slice(x0 - ox, x1 - ox)
        sub = lab[ys, xs]
        a = cv2.multiply(stroke.region.mask, allowed[ys, xs], scale=stroke.alpha)
        weights = stroke.region.mask if seen is None else stroke.region.mask * seen[ys, xs]
        if skin is not None and stroke.off_unlike_skin:
            a *= skin[ys, xs]
        change = stroke.paint(sub, weights)  # a fresh array, turned into the change in place
        change -= sub
        change *= a[..., None]
        sub += change
        np.maximum(touched[ys, xs], a, out=touched[ys, xs])
    return touched


def _composite_smooth(
    crop: np.ndarray,
    geo: FaceGeometry,
    strokes: list[Stroke],
    covers: list[Occlusion],
    skin: Occlusion | None,
) -> None:
    """The smooth strokes, worked out on the coarse grid; their change added at full resolution,
    and kept off whatever `skin` (when given) finds unlike the skin."""
    coarse = geo.coarse
    f = coarse.reduce
    x0, y0, x1, y1 = _union(strokes)
    full = (x0 * f, y0 * f, x1 * f, y1 * f)
    area = crop[full[1] : full[3], full[0] : full[2]]
    small = cv2.resize(area, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA) if f > 1 else area
    # Float CIELAB here: the coarse grid is small, and the change must not carry 8-bit steps.
    before = cv2.cvtColor(small.astype(np.float32) * (1 / 255), cv2.COLOR_BGR2Lab)
    lab = before.copy()
    seen_full = _visible(covers, full)
    seen = seen_full
    if seen_full is not None and f > 1:
        seen = cv2.resize(seen_full, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    allowed = coarse.paintable((x0, y0, x1, y1))
    if seen is not None:
        allowed *= seen
    skin_full = None if skin is None else skin.over(full)
    if skin_full is not None:
        allowed *= (
            cv2.resize(skin_full, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA) if f > 1 else skin_full
        )
    _paint(lab, (x0, y0), strokes, allowed, seen)
    # The change in BGR, exactly 0 wherever no stroke reached (both sides convert alike), as a
    # brightening and a darkening part in 8 bits: upscaled and added with saturation by OpenCV's
    # vector code, a fraction of what a float frame-sized difference costs.
    delta = cv2.cvtColor(lab, cv2.COLOR_Lab2BGR)
    delta -= cv2.cvtColor(before, cv2.COLOR_Lab2BGR)
    delta *= 255
    up = cv2.convertScaleAbs(np.maximum(delta, 0))
    down = cv2.convertScaleAbs(np.minimum(delta, 0))
    if f > 1:
        size = (area.shape[1], area.shape[0])
        up = cv2.resize(up, size, interpolation=cv2.INTER_LINEAR)
        down = cv2.resize(down, size, interpolation=cv2.INTER_LINEAR)
    # Upscaled, the change reaches up to f pixels past its coarse edge: the face's edge and
    # openings, and the edge of whatever is in front of it, are cut again at full resolution.
    keep = geo.open_face(full)
    for cut in (seen_full, skin_full):
        if cut is not None:
            keep[cut < 0.5] = 0
    cv2.add(area, up, dst=area, mask=keep)
    cv2.subtract(area, down, dst=area, mask=keep)


def _composite_detail(
    crop: np.ndarray,
    geo: FaceGeometry,
    strokes: list[Stroke],
    covers: list[Occlusion],
    skin: Occlusion | None,
) -> None:
    """Detailed strokes at full resolution over the rectangle they cover together; the
    `off_unlike_skin` ones also kept off whatever `skin` finds unlike the skin."""
    rect = _union(strokes)
    ux0, uy0, ux1, uy1 = rect
    area = crop[uy0:uy1, ux0:ux1]
    lab = cv2.transform(cv2.cvtColor(area, cv2.COLOR_BGR2Lab).astype(np.float32), _FROM_LAB8)
    allowed = geo.paintable(rect)
    seen = _visible(covers, rect)
    if seen is not None:
        allowed *= seen
    skin_seen = None if skin is None else skin.over(rect)
    touched = _paint(lab, (ux0, uy0), strokes, allowed, seen, skin_seen)
    lab8 = cv2.convertScaleAbs(cv2.transform(lab, _TO_LAB8))  # rounds and saturates to uint8
    painted = cv2.cvtColor(lab8, cv2.COLOR_Lab2BGR)
    cv2.copyTo(painted, (touched > 1 / 512).view(np.uint8), area)
