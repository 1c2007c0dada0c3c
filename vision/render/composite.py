"""Put a render over the camera frame: light matching, anti-aliased edges, soft floor shadow.

A composite is split in two so a fixed camera costs almost nothing per frame: `Layer.from_render`
does the float work once per render (sRGB conversion, premultiplication, shadow strength) into
two small fixed-point images, and `Layer.apply` is then one integer multiply-add over the
region the furniture covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.color import linear_to_srgb, srgb_to_linear
from vision.render.raycast import RenderResult
from vision.render.scene import Light

# Linear -> sRGB*255 by table: the exact curve costs ~100 ms over a sofa-sized region, the
# table a few; 16384 steps keep the darkest step under one grey level.
_SRGB_STEPS = 16383
_SRGB_LUT = (linear_to_srgb(np.linspace(0.0, 1.0, _SRGB_STEPS + 1)) * 255.0).astype(np.float32)
SHADOW_STRENGTH = 0.72  # the darkest a fully occluded floor point gets, as a fraction of its light


DEFAULT_LIGHT = Light()


def estimate_light(frame_bgr: np.ndarray, base: Light = DEFAULT_LIGHT) -> Light:
    """Match the room: scale the light to the frame's brightness and tint it with its colour
    cast, so a white sofa in a warm shop is warm-white. A sparse pixel grid is enough for a
    mean, and keeps this well under a millisecond at 1280×720."""
    sample = frame_bgr[4::16, 4::16].reshape(-1, 3)[:, ::-1].astype(np.float64) / 255.0
    mean = srgb_to_linear(sample).mean(0)
    lum = float(mean @ [0.2126, 0.7152, 0.0722])
    # A mid-grey scene (18% linear) keeps the base light; brighter or darker scenes scale it.
    exposure = float(np.clip((lum / 0.18) ** 0.5, 0.55, 1.5))
    tint = np.clip(mean / max(mean.mean(), 1e-6), 0.75, 1.25)
    tint = 1 + 0.6 * (tint - 1)  # part of the cast: walls and floors are coloured, not only light
    # Quantised so sensor noise does not count as a new light (and a cached render stays valid).
    q = lambda x: tuple(float(round(c * 20) / 20) for c in x)  # noqa: E731
    return Light(
        ambient=q(np.asarray(base.ambient) * tint * exposure),
        key=q(np.asarray(base.key) * tint * exposure),
        direction=base.direction,
    )


@dataclass(frozen=True)
class Layer:
    """A render ready to go over frames: out = frame * mul / 256 + add / 256 inside the box.

    `forward` keeps the furniture's distance per pixel (RenderResult.forward) so people can be
    put in front of it or behind it (vision.render.occlusion)."""

    x0: int
    y0: int
    mul: np.ndarray  # (h, w, 1) uint16 fixed point 0..256
    add: np.ndarray  # (h, w, 3) uint16 fixed point, BGR
    forward: np.ndarray  # (h, w) float32 metres, inf where no furniture

    @classmethod
    def from_render(cls, render: RenderResult, shadow_strength: float = SHADOW_STRENGTH) -> Layer:
        a = render.alpha[..., None]
        keep = (1 - a) * (1 - np.float32(shadow_strength) * render.shadow[..., None])
        mul = np.round(keep * 256).astype(np.uint16)
        # The sRGB curve only where there is furniture: most of the box is shadowed floor.
        add = np.zeros(render.rgb.shape, np.uint16)
        covered = render.alpha > 0
        idx = (np.clip(render.rgb[covered], 0.0, 1.0) * _SRGB_STEPS + 0.5).astype(np.int32)
        srgb = _SRGB_LUT[idx][:, ::-1]  # BGR
        add[covered] = np.round(srgb * render.alpha[covered][:, None] * 256).astype(np.uint16)
        # Crop to the pixels the layer changes: the traced region is generous, and every
        # pixel left in costs a multiply-add on every frame.
        changed = (mul[..., 0] != 256) | covered
        if not changed.any():
            return cls(render.x0, render.y0, mul[:0, :0], add[:0, :0], render.forward[:0, :0])
        rows, cols = np.nonzero(changed.any(1))[0], np.nonzero(changed.any(0))[0]
        r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        return cls(
            render.x0 + int(c0),
            render.y0 + int(r0),
            mul[r0:r1, c0:c1].copy(),
            add[r0:r1, c0:c1].copy(),
            render.forward[r0:r1, c0:c1].copy(),
        )

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x0, y0, width, height) of the pixels the layer changes."""
        return self.x0, self.y0, self.mul.shape[1], self.mul.shape[0]

    def apply(
        self, frame_bgr: np.ndarray, out: np.ndarray | None = None, keep: np.ndarray | None = None
    ) -> np.ndarray:
        """`keep` (h, w, 1) uint16 0..256 over the box: how much of the camera frame shows
        through regardless of the layer (a person in front of the furniture)."""
        if out is None:
            out = frame_bgr.copy()
        elif out is not frame_bgr:
            np.copyto(out, frame_bgr)
        h, w = self.mul.shape[:2]
        if h == 0 or w == 0:
            return out
        roi = frame_bgr[self.y0 : self.y0 + h, self.x0 : self.x0 + w]
        camera = roi.astype(np.uint16)
        mixed = camera * self.mul
        mixed += self.add
        mixed >>= 8
        if keep is not None:
            if keep.shape != (h, w, 1):
                raise ValueError(f"keep matte is {keep.shape}, the layer box is {(h, w, 1)}")
            mixed *= 256 - keep
            mixed += camera * keep
            mixed >>= 8
        out[self.y0 : self.y0 + h, self.x0 : self.x0 + w] = mixed
        return out
