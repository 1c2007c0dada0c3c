"""One effect per way of painting a product (`KindSpec.effect`), all with the same interface:
`apply(geo, layer, strokes, light)`.

An effect only decides where its product goes and what colour it lays down, appending
`Stroke`s; `render` composites them, so the pixels are converted and painted once.

Every effect works in CIELAB on the face crop (float32, OpenCV's L 0..100 scale): the shade's
own L*a*b* is put where the product goes, and the skin's or lips' *deviation from their typical
value* (the median, for a pigment's L* and a base's colour) is kept on top. That is what makes a
dark berry land on light lips and a pale nude on deep lips with the same fidelity (an additive
BGR overlay can only lighten; a hue swap cannot lighten dark pixels), while the lips' lines and
the skin's pores and shading stay visible.
Gloss, shimmer and metallic highlights come from the underlying luminance, so they sit where
the light really falls and move with the face instead of flickering as per-frame noise would.
Shades come as the store's `Light` shows them (`Light.shade_lab`): darker in a dim corner,
warmer under warm light, and exactly the catalogue's under neutral light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from catalogue import KINDS
from vision.light import Light
from vision.makeup import regions as R
from vision.makeup.look import Layer
from vision.makeup.regions import FaceGeometry, Region, ellipse_region, polygon_region, resample


@dataclass(frozen=True)
class FinishModel:
    """How a finish reshapes the underlying texture and adds light."""

    highlight_keep: float  # scale of brighter-than-typical texture (matte flattens shine)
    shadow_keep: float  # scale of darker-than-typical texture (lip lines, creases)
    gloss: float  # L* added at the brightest underlying pixels
    sparkle: float  # gain on fine positive luminance detail
    opacity: float  # pigment coverage at intensity 1
    white_highlight: float  # how much highlights lose the shade's chroma (metal keeps it)


FINISH_MODELS = {
    "matte": FinishModel(0.3, 0.75, 0.0, 0.0, 1.0, 0.0),
    "natural": FinishModel(0.8, 0.95, 0.0, 0.0, 1.0, 0.0),
    "satin": FinishModel(0.75, 1.0, 6.0, 0.0, 1.0, 0.5),
    "dewy": FinishModel(1.0, 1.0, 10.0, 0.0, 1.0, 0.6),
    "gloss": FinishModel(1.0, 1.0, 26.0, 0.0, 0.92, 0.75),
    "sheer": FinishModel(1.0, 1.0, 8.0, 0.0, 0.55, 0.6),
    "shimmer": FinishModel(0.9, 1.0, 10.0, 2.2, 1.0, 0.4),
    "metallic": FinishModel(1.35, 1.15, 18.0, 1.2, 1.0, 0.15),
}


def _weighted_mean(crop: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per-channel mean of `crop` weighted by `weights` (the plain mean where they are all ~0)."""
    if weights.size > 20_000:  # a mean needs no more than every 4th pixel
        crop, weights = crop[::2, ::2], weights[::2, ::2]
    total = float(weights.sum())
    if total <= 1e-6:
        return np.array(cv2.mean(crop)[:3], np.float32)
    return np.tensordot(weights, crop, axes=([0, 1], [0, 1])).astype(np.float32) / np.float32(total)


def _pigment(
    crop: np.ndarray, weights: np.ndarray, target: np.ndarray, finish: FinishModel, white: np.ndarray
) -> np.ndarray:
    """The shade laid over `crop`, keeping its texture; highlights from its own luminance.

    Shine takes the colour of the light's `white` (warm under warm light), as a real gloss
    reflects the lamp, not a neutral white. Worked on contiguous channel planes with OpenCV's
    masked means: this runs for every lip and eye stroke of every frame.
    """
    L, a, b = cv2.split(crop)
    core = _core(weights)
    _, mean_a, mean_b, _ = cv2.mean(crop, mask=core)
    # The typical pixel lands on the shade's L*: the median, not the mean. Shading has a long dark
    # tail (the lip line, the corners, under the upper lip, a crease), and a mean pulled down by
    # it would lift the lit body of the lips above the shade (grace_hopper's: 5 L* lighter).
    median, lo, hi = _percentiles(L, core, (50.0, 80.0, 99.5), L_RANGE)
    dev = L - np.float32(median)
    # Brighter-than-median texture scaled by highlight_keep, darker by shadow_keep.
    out_l = np.maximum(dev, 0) * np.float32(finish.highlight_keep - finish.shadow_keep) + dev * np.float32(
        finish.shadow_keep
    )
    out_l += np.float32(target[0])
    out_a = cv2.addWeighted(a, 0.15, a, 0.0, float(target[1] - 0.15 * mean_a))
    out_b = cv2.addWeighted(b, 0.15, b, 0.0, float(target[2] - 0.15 * mean_b))
    if finish.gloss > 0 and core is not None and cv2.countNonZero(core) > 16:
        spec = np.clip((L - np.float32(lo)) * np.float32(1 / max(hi - lo, 1e-3)), 0, 1)
        spec *= np.sqrt(spec)  # ** 1.5
        out_l += spec * np.float32(finish.gloss)
        fade = 1 - spec * np.float32(finish.white_highlight)
        for plane, w in ((out_a, white[1]), (out_b, white[2])):
            plane -= w
            plane *= fade
            plane += w
    if finish.sparkle > 0:
        detail = L - cv2.GaussianBlur(L, (0, 0), 1.2)
        out_l += np.maximum(detail, 0) * np.float32(finish.sparkle)
    np.clip(out_l, 0, 100, out=out_l)
    return cv2.merge([out_l, out_a, out_b])


# The ranges of OpenCV's float CIELAB planes, for `_percentiles`.
L_RANGE = (0.0, 100.001)
AB_RANGE = (-128.0, 128.0)


def _percentiles(
    plane: np.ndarray, core: np.ndarray | None, percents: tuple[float, ...], value_range: tuple[float, float]
) -> np.ndarray:
    """Percentiles of one CIELAB plane where `core` is set (all of it if None), to a thousandth
    of `value_range`: read off one histogram, a fraction of the cost of sorting the pixels
    (this runs for every stroke of every frame)."""
    lo, hi = value_range
    step = (hi - lo) / 1000
    counts = np.cumsum(cv2.calcHist([plane], [0], core, [1000], [lo, hi]).ravel())
    return lo + (np.searchsorted(counts, np.asarray(percents) / 100.0 * counts[-1]) + 0.5) * step


def _core(weights: np.ndarray) -> np.ndarray | None:
    """Where a region is mostly in (uint8 mask for OpenCV's means); None, for all of it, if nowhere."""
    core = (weights > 0.5).view(np.uint8)
    return core if core.any() else None


def _tint(crop: np.ndarray, target: np.ndarray, weights: np.ndarray, l_share: float) -> np.ndarray:
    """A translucent powder: the shade's chroma, and a share of its lightness, over the skin.
    One affine map of the three channels, so one OpenCV call per pixel block."""
    m = _weighted_mean(crop, weights)
    affine = np.array(
        [
            [1, 0, 0, l_share * (target[0] - m[0])],
            [0, 0.3, 0, target[1] - 0.3 * m[1]],
            [0, 0, 0.3, target[2] - 0.3 * m[2]],
        ],
        np.float32,
    )
    return cv2.transform(crop, affine)


@dataclass(frozen=True)
class Stroke:
    """One application of paint: where (a feathered region), how strongly, and what colour."""

    region: Region
    alpha: float
    paint: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (lab crop, region mask) -> new lab
    # A smooth stroke's change to the image has no fine detail of its own (base and powder
    # products: a shade shift plus evened chroma), so its region is laid out on the face's
    # coarse grid (`FaceGeometry.coarse`) and `render` works the change out there and upsamples
    # it; the skin's texture is still kept at full resolution because it is the image itself,
    # not part of the change.
    smooth: bool = False
    # Set by `render` from the product's kind (`KindSpec.off_unlike_skin`): the stroke is kept off
    # whatever in front of the face is unlike its skin (a glasses rim, a strand of hair).
    off_unlike_skin: bool = False


def _stroke(
    strokes: list[Stroke], region: Region | None, alpha: float, paint: Callable, smooth: bool = False
) -> None:
    if region is not None and alpha > 0:
        strokes.append(Stroke(region, alpha, paint, smooth))


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-6)


def _shrink(poly: np.ndarray, factor: float) -> np.ndarray:
    c = poly.mean(axis=0)
    return c + (poly - c) * factor


# --- lips -----------------------------------------------------------------------------------


def apply_lipstick(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    s = geo.scale
    region = polygon_region(
        [geo.poly(R.LIPS_OUTER)],
        geo.shape,
        0.010 * s,
        holes=[geo.poly(R.LIPS_INNER)],
        hole_feather_px=0.004 * s,
    )
    finish = FINISH_MODELS[layer.finish]
    target, white = light.shade_lab(layer.colors[0]), light.white_lab()
    _stroke(
        strokes,
        region,
        layer.intensity * finish.opacity,
        lambda c, w: _pigment(c, w, target, finish, white),
    )


def apply_lip_liner(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    outer = geo.poly(R.LIPS_OUTER)
    s = geo.scale
    region = polygon_region(
        [outer],
        geo.shape,
        0.006 * s,
        holes=[_shrink(outer, 0.9), geo.poly(R.LIPS_INNER)],
        hole_feather_px=0.012 * s,
    )
    target, white = light.shade_lab(layer.colors[0]), light.white_lab()
    _stroke(
        strokes,
        region,
        0.9 * layer.intensity,
        lambda c, w: _pigment(c, w, target, FINISH_MODELS["matte"], white),
    )


# --- eyes and brows ---------------------------------------------------------------------------


_EYES = (
    (R.RIGHT_UPPER_LID, R.RIGHT_BROW_LOWER, R.RIGHT_EYE),
    (R.LEFT_UPPER_LID, R.LEFT_BROW_LOWER, R.LEFT_EYE),
)


def apply_eyeshadow(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    s = geo.scale
    finish = FINISH_MODELS[layer.finish]
    lid_col = light.shade_lab(layer.colors[0])
    crease_col = light.shade_lab(layer.colors[1]) if len(layer.colors) > 1 else lid_col
    outer_col = light.shade_lab(layer.colors[2]) if len(layer.colors) > 2 else None
    white = light.white_lab()
    for lid_idx, brow_idx, eye_idx in _EYES:
        lid = resample(geo.poly(lid_idx), 12)
        brow = resample(geo.poly(brow_idx), 12)
        up = brow - lid
        eye = [_shrink(geo.poly(eye_idx), 1.04)]
        bands = [(0.0, 0.45, lid_col, 0.85), (0.3, 0.7, crease_col, 0.55 if len(layer.colors) > 1 else 0.35)]
        for t0, t1, colour, strength in bands:
            poly = np.concatenate([lid + t0 * up, (lid + t1 * up)[::-1]])
            region = polygon_region([poly], geo.shape, 0.045 * s, holes=eye, hole_feather_px=0.003 * s)
            _stroke(
                strokes,
                region,
                strength * layer.intensity,
                lambda c, w, t=colour: _pigment(c, w, t, finish, white),
            )
        if outer_col is not None:
            centre = lid[-1] + 0.25 * up[-1] - 0.05 * s * _unit(lid[-4] - lid[-1])
            angle = float(np.degrees(np.arctan2(*(lid[-1] - lid[-4])[::-1])))
            region = ellipse_region(centre, (0.2 * s, 0.13 * s), angle, geo.shape)
            _stroke(
                strokes,
                region,
                0.7 * layer.intensity,
                lambda c, w: _pigment(c, w, outer_col, finish, white),
            )


def apply_eyeliner(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    s = geo.scale
    target, white = light.shade_lab(layer.colors[0]), light.white_lab()
    for lid_idx, brow_idx, eye_idx in _EYES:
        lid = resample(geo.poly(lid_idx), 14)
        up = np.array([_unit(v) for v in resample(geo.poly(brow_idx), 14) - lid])
        thickness = s * (0.010 + 0.028 * np.linspace(0, 1, len(lid)) ** 1.5)
        top = lid + up * thickness[:, None]
        polys = [np.concatenate([lid, top[::-1]])]
        if layer.wing:
            out_dir = _unit(lid[-1] - lid[-3])
            tip = lid[-1] + out_dir * 0.14 * s + up[-1] * 0.08 * s
            polys.append(np.array([lid[-3], lid[-1], tip, top[-1], top[-3]]))
        region = polygon_region(polys, geo.shape, 0.004 * s, holes=[geo.poly(eye_idx)], hole_feather_px=0.0)
        _stroke(
            strokes,
            region,
            0.95 * layer.intensity,
            lambda c, w: _pigment(c, w, target, FINISH_MODELS[layer.finish], white),
        )


def apply_brow(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    s = geo.scale
    target = light.shade_lab(layer.colors[0])

    def paint(crop: np.ndarray, weights: np.ndarray) -> np.ndarray:
        # Tint darkens hairs more than the skin between them, so the brow keeps its texture.
        L = crop[..., 0]
        darkness = np.clip((_weighted_mean(crop, weights)[0] - L) / 12.0 + 0.5, 0.2, 1.0)
        out = crop.copy()
        out[..., 0] = L + darkness * (target[0] - L)
        out[..., 1] = crop[..., 1] + darkness * (target[1] - crop[..., 1])
        out[..., 2] = crop[..., 2] + darkness * (target[2] - crop[..., 2])
        return out

    for idx in (R.RIGHT_BROW, R.LEFT_BROW):
        region = polygon_region([geo.poly(idx)], geo.shape, 0.02 * s)
        _stroke(strokes, region, 0.6 * layer.intensity, paint)


# --- cheeks -------------------------------------------------------------------------------------


def _cheek_axis(geo: FaceGeometry, cheek: int, ear: int) -> float:
    d = geo.pts[ear] - geo.pts[cheek]
    return float(np.degrees(np.arctan2(d[1], d[0])))


def apply_blush(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    target = light.shade_lab(layer.colors[0])
    finish = FINISH_MODELS[layer.finish]
    # A powder is smooth (it only flattens the skin's chroma texture a little, invisibly);
    # sparkle is fine detail, so a shimmer blush is laid out at full resolution.
    smooth = not finish.sparkle
    geo = geo.coarse if smooth else geo
    s = geo.scale
    for cheek, bone, ear in (
        (R.RIGHT_CHEEK, R.RIGHT_CHEEKBONE, R.RIGHT_EAR_JAW),
        (R.LEFT_CHEEK, R.LEFT_CHEEKBONE, R.LEFT_EAR_JAW),
    ):
        centre = 0.65 * geo.pts[cheek] + 0.35 * geo.pts[bone]
        region = ellipse_region(centre, (0.30 * s, 0.19 * s), _cheek_axis(geo, cheek, ear), geo.shape)

        def paint(c: np.ndarray, w: np.ndarray) -> np.ndarray:
            out = _tint(c, target, w, 0.3)
            if finish.sparkle:
                out[..., 0] += (
                    np.clip(c[..., 0] - cv2.GaussianBlur(c[..., 0], (0, 0), 1.2), 0, None) * finish.sparkle
                )
            return out

        _stroke(strokes, region, 0.55 * layer.intensity, paint, smooth=smooth)


def apply_bronzer(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    """Contour: the hollow under each cheekbone, and the temples."""
    geo = geo.coarse
    s = geo.scale
    target = light.shade_lab(layer.colors[0])
    sides = (
        (R.RIGHT_CHEEK, R.RIGHT_EAR_JAW, R.RIGHT_TEMPLE, 61),
        (R.LEFT_CHEEK, R.LEFT_EAR_JAW, R.LEFT_TEMPLE, 291),
    )
    for cheek, ear, temple, mouth in sides:
        hollow = geo.pts[ear] + 0.32 * (geo.pts[mouth] - geo.pts[ear]) - np.array([0, 0.04 * s])
        angle = _cheek_axis(geo, mouth, ear)
        for centre, axes in (
            (hollow, (0.26 * s, 0.085 * s)),
            (geo.pts[temple] + 0.08 * s * _unit(geo.pts[cheek] - geo.pts[temple]), (0.14 * s, 0.11 * s)),
        ):
            region = ellipse_region(centre, axes, angle, geo.shape)
            _stroke(
                strokes, region, 0.5 * layer.intensity, lambda c, w: _tint(c, target, w, 0.6), smooth=True
            )


def apply_highlighter(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    s = geo.scale
    target, white = light.shade_lab(layer.colors[0]), light.white_lab()
    finish = FINISH_MODELS[layer.finish]

    def paint(c: np.ndarray, w: np.ndarray) -> np.ndarray:
        out = c.copy()
        L = c[..., 0]
        out[..., 0] = (
            L
            + (white[0] - L) * 0.3  # towards the brightest this light makes a white
            + np.clip(L - cv2.GaussianBlur(L, (0, 0), 1.2), 0, None) * (1 + finish.sparkle)
        )
        out[..., 1] = c[..., 1] + 0.5 * (target[1] - c[..., 1])
        out[..., 2] = c[..., 2] + 0.5 * (target[2] - c[..., 2])
        return out

    spots = []
    for bone, eye_outer in ((R.RIGHT_CHEEKBONE, R.RIGHT_EYE_OUTER), (R.LEFT_CHEEKBONE, R.LEFT_EYE_OUTER)):
        d = geo.pts[eye_outer] - geo.pts[bone]
        spots.append(
            (geo.pts[bone] + 0.25 * d, (0.2 * s, 0.06 * s), float(np.degrees(np.arctan2(d[1], d[0]))) + 90)
        )
    bridge = geo.poly(R.NOSE_BRIDGE)
    d = bridge[-1] - bridge[0]
    spots.append((bridge.mean(axis=0), (0.22 * s, 0.035 * s), float(np.degrees(np.arctan2(d[1], d[0])))))
    for centre, axes, angle in spots:
        _stroke(strokes, ellipse_region(centre, axes, angle, geo.shape), 0.6 * layer.intensity, paint)


# --- base -------------------------------------------------------------------------------------


def _lowpass(channels: np.ndarray, sigma: float) -> np.ndarray:
    """Wide blur at a fraction of the cost: downscale, blur, upscale."""
    h, w = channels.shape[:2]
    f = max(1, int(sigma // 3))
    small = cv2.resize(channels, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), max(sigma / f, 0.5))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _base_paint(target: np.ndarray, evening: float, scale: float) -> Callable:
    """Foundation/concealer: move the skin's typical colour (its median, per channel) to the
    shade, keep shading and pores.

    The median, not the mean: what a shopper reads as the colour is the typical skin, and a
    mean follows the jaw's and the nose's shadows, a hand the occluder has not found yet or a
    strand of hair (a pale hand over the mouth, missed, shifted the whole face's foundation by
    ΔE2000 3.4 in the median over 8 faces; 2.4 with the median). Luminance keeps all of its
    texture (no plastic blur); only blotchy chroma (redness, spots) is evened by pulling a*/b*
    towards their own low-pass.
    """

    def paint(crop: np.ndarray, weights: np.ndarray) -> np.ndarray:
        core = _core(weights)
        typical = [
            _percentiles(plane, core, (50.0,), span)[0]
            for plane, span in zip(cv2.split(crop), (L_RANGE, AB_RANGE, AB_RANGE), strict=True)
        ]
        shift = target - np.array(typical, np.float32)
        if evening > 0:  # a*, b* pulled towards their low-pass; L* keeps every detail
            out = cv2.addWeighted(crop, 1 - evening, _lowpass(crop, 0.08 * scale), evening, 0)
            out[..., 0] = crop[..., 0]
        else:
            out = crop.copy()
        out += shift
        return out

    return paint


def apply_foundation(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    geo = geo.coarse
    s = geo.scale
    holes = [_shrink(e, 1.25) for e in geo.eye_openings()] + [
        geo.poly(R.RIGHT_BROW),
        geo.poly(R.LEFT_BROW),
        geo.poly(R.LIPS_OUTER),
    ]
    region = polygon_region(
        [_shrink(geo.poly(R.FACE_OVAL), 0.93)], geo.shape, 0.03 * s, holes=holes, hole_feather_px=0.02 * s
    )
    target = light.shade_lab(layer.colors[0])
    _stroke(strokes, region, 0.85 * layer.intensity, _base_paint(target, 0.6, s), smooth=True)


def apply_concealer(geo: FaceGeometry, layer: Layer, strokes: list[Stroke], light: Light) -> None:
    geo = geo.coarse
    s = geo.scale
    target = light.shade_lab(layer.colors[0])
    for lower_idx, eye_idx in ((R.RIGHT_LOWER_LID, R.RIGHT_EYE), (R.LEFT_LOWER_LID, R.LEFT_EYE)):
        lower = resample(geo.poly(lower_idx), 12)
        down = np.array([-(lower[-1] - lower[0])[1], (lower[-1] - lower[0])[0]])
        down = _unit(down) * (1 if down[1] > 0 else -1)
        bulge = np.sin(np.linspace(0, np.pi, len(lower))) * 0.32 * s + 0.03 * s
        crescent = np.concatenate([lower + down * 0.03 * s, (lower + down * bulge[:, None])[::-1]])
        region = polygon_region(
            [crescent], geo.shape, 0.05 * s, holes=[_shrink(geo.poly(eye_idx), 1.1)], hole_feather_px=0.01 * s
        )
        _stroke(strokes, region, 0.8 * layer.intensity, _base_paint(target, 0.7, s), smooth=True)


# Keyed by effect name (`catalogue.kinds.KindSpec.effect`), not by product kind: a kind painted
# like an existing one names that effect and needs no code here.
EFFECTS: dict[str, Callable[[FaceGeometry, Layer, list[Stroke], Light], None]] = {
    "foundation": apply_foundation,
    "concealer": apply_concealer,
    "bronzer": apply_bronzer,
    "blush": apply_blush,
    "highlighter": apply_highlighter,
    "eyeshadow": apply_eyeshadow,
    "eyeliner": apply_eyeliner,
    "brow": apply_brow,
    "lip_liner": apply_lip_liner,
    "lipstick": apply_lipstick,
}
_unpainted = {k.id: k.effect for k in KINDS if k.effect is not None and k.effect not in EFFECTS}
if _unpainted:  # fail at import, not on the first shopper who taps the product
    raise RuntimeError(
        f"catalogue/kinds.py names effects vision does not have: {_unpainted}; use one of {sorted(EFFECTS)} "
        "or write the effect here"
    )
