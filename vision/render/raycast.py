"""The CPU renderer: Open3D's RaycastingScene (Embree), no GPU stack needed.

Only the region of the image the furniture and its shadow can reach is traced. Per pixel it
gives the model's colour (Lambert key light with ray-traced self-shadow, hemispherical ambient
with ray-traced ambient occlusion, a little Blinn-Phong for metal and varnish), anti-aliased
edges (pixels at silhouettes and part boundaries get four extra sub-pixel rays, creases and
self-shadow lines a 3×3 smoothing of their light) and a soft floor shadow: the key light's
shadow from an area light sampled by several rays, plus contact occlusion from short rays over
the hemisphere above the floor near each piece, traced at a quarter resolution and blurred.
Colours are linear; the compositor converts.

Speed (issue 15): camera rays are traced two-level (one per 2×2 block, every pixel only near a
silhouette, a part boundary or a step in light), ambient occlusion on a 4×4 grid, floor rays only
where a piece can shade, and the light is kept apart from the colour, so a change of variant
recolours the last trace without casting a ray.

Why no Filament back end ships: Open3D's OffscreenRenderer starts headless only with Debian
mesa-vulkan-drivers + libvulkan1 (not in the Makefile's packages), then took 30-60 s for the
first 1280×720 frame and 1-9 s per frame after on llvmpipe, and our per-part materials did not
come through in a first try; bench_furniture.py still probes it and times a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from vision.render.scene import Camera, Light, PlacedModel

# Step in the light's linear luminance (a white surface in full light ~1.3) between neighbouring
# pixels that reads as a hard edge, a crease or a shadow line, and is traced at full resolution
# and smoothed. Judged on light, not colour, so one set of edges serves every variant; 0.12 is
# the former 0.06 step of colour × light on a mid-tone (~0.5) fabric.
CREASE_STEP = 0.12
_SUBPIXEL = np.array([[-0.25, -0.25], [0.25, -0.25], [-0.25, 0.25], [0.25, 0.25]])


def _hemisphere(tilts_deg: tuple[float, ...], per_ring: int) -> np.ndarray:
    """Unit directions about +Z: straight up, then `per_ring` evenly turned at each tilt from
    vertical (rings staggered). Few, fixed rays (no noise between renders); tilts spread over
    the cosine-weighted hemisphere so the plain mean of the tests approximates occlusion."""
    dirs = [[0.0, 0.0, 1.0]]
    for ring, tilt in enumerate(np.radians(tilts_deg)):
        for a in (np.arange(per_ring) + 0.5 * ring) * 2 * np.pi / per_ring:
            dirs.append([np.sin(tilt) * np.cos(a), np.sin(tilt) * np.sin(a), np.cos(tilt)])
    return np.asarray(dirs, np.float32)


# Ambient occlusion on the furniture: a few rays per hit on a grid of one hit per 4×4 pixels
# (occlusion is smooth; interpolated back within each part), reaching 0.25 m, taking up to 60 %
# of the ambient light where every ray is blocked (a seat's back corner, under an arm).
_AO_RAYS = _hemisphere((35.0, 65.0), 3)
AO_STEP_PX, AO_REACH_M, AO_STRENGTH = 4, 0.25, 0.6
# Contact occlusion on the floor: the same kind of hemisphere, up from each floor point (Y up).
_FLOOR_RAYS = _hemisphere((35.0, 65.0), 4)[:, [0, 2, 1]]
CONTACT_REACH_M, CONTACT_STRENGTH = 0.5, 1.1
_AREA_LIGHT = np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]]) * 0.09  # soft-shadow offsets


@dataclass(frozen=True)
class RenderResult:
    """A render of the region (x0, y0, w, h) of the camera image."""

    x0: int
    y0: int
    rgb: np.ndarray  # (h, w, 3) float32 linear, NOT premultiplied
    alpha: np.ndarray  # (h, w) float32 coverage 0..1
    shadow: np.ndarray  # (h, w) float32 0..1: how much of the frame's light the furniture blocks
    # (h, w) float32 metres from the camera along its horizontal viewing direction, inf where
    # empty: the measure a person's feet on the floor give (vision/people.py), for occlusion.
    forward: np.ndarray

    @property
    def empty(self) -> bool:
        return self.alpha.size == 0


@dataclass(frozen=True)
class _Samples:
    """Lit ray hits, colour not yet applied: out = colour[gid] * irradiance + spec * key."""

    gid: np.ndarray  # (...) int64 part index, -1 where the ray missed
    irradiance: np.ndarray  # (..., 3) float32 linear light arriving, shadows included
    spec: np.ndarray  # (...) float32 highlight strength (times the key light)
    vis: np.ndarray  # (...) bool: the key light reaches the hit (no self-shadow)
    ambient: np.ndarray  # (...) float32 the ambient light's share of `irradiance` (its factor)

    def colour(self, colours: np.ndarray, key: np.ndarray) -> np.ndarray:
        # A miss (gid -1) picks the appended black row; its light and highlight are 0 anyway.
        out = np.concatenate([colours, np.zeros((1, 3), np.float32)])[self.gid]
        out *= self.irradiance
        out += self.spec[..., None] * key
        return out


@dataclass(frozen=True)
class _Traced:
    """Everything about a render but the parts' colours, so a change of variant (colour) only
    recolours: a few per cent of a full render (bench_furniture.py)."""

    roi: tuple[int, int, int, int]  # x0, y0, w, h of the result
    body: tuple[int, int, int, int]  # the box the camera rays were traced in
    primary: _Samples  # (bh', bw') at the render scale
    edge_px: tuple[np.ndarray, np.ndarray]  # rows, cols of the anti-aliased pixels
    subsamples: _Samples  # (len(_SUBPIXEL), n) for those pixels
    forward: np.ndarray  # (h, w) see RenderResult.forward
    shadow: np.ndarray  # (h, w)
    key: np.ndarray  # (3,) the key light's colour


class RaycastRenderer:
    """One instance per thread: a render keeps its scene on the instance while it runs.

    `scale` < 1 traces the camera rays at that fraction of the resolution and upsamples: the
    preview quality for frames where the shopper is dragging or turning an item, where speed
    matters more than crisp edges (the still frame after the drag is rendered at full scale).

    The last trace is kept: rendering the same pieces at the same places under the same light,
    with only a variant changed, recolours the kept hits instead of casting any ray.
    """

    name = "raycast"

    def __init__(self, shadow_reach_m: float = 0.35, scale: float = 1.0) -> None:
        if not 0.1 <= scale <= 1.0:
            raise ValueError(f"render scale must be within 0.1..1, not {scale}")
        self.shadow_reach_m = shadow_reach_m
        self.scale = scale
        self.traces = 0  # full traces done (a recolour is not one), for tests and the bench
        self._kept: tuple[tuple, _Traced] | None = None

    def render(self, items: list[PlacedModel], camera: Camera, light: Light) -> RenderResult:
        shapes = tuple((replace(i.placement, variant=""), id(i.model)) for i in items)
        key = (camera.key, shapes, light)
        if self._kept is None or self._kept[0] != key:
            traced = self._trace_scene(items, camera, light)
            self._kept = (key, traced)
            self.traces += 1
        traced = self._kept[1]
        if traced is None:
            z = np.zeros((0, 0), np.float32)
            return RenderResult(0, 0, np.zeros((0, 0, 3), np.float32), z, z, z)
        colours = np.asarray(
            [part.color_for(item.variant_hex) for item in items for part in item.model.parts], np.float32
        )
        return self._compose(traced, colours)

    def _compose(self, traced: _Traced, colours: np.ndarray) -> RenderResult:
        import cv2

        x0, y0, w, h = traced.roi
        bx, by, bw, bh = traced.body
        rgb = traced.primary.colour(colours, traced.key)
        alpha = (traced.primary.gid >= 0).astype(np.float32)
        ey, ex = traced.edge_px
        if len(ey):
            sub = traced.subsamples
            hit = sub.gid >= 0
            acc_rgb = (sub.colour(colours, traced.key) * hit[..., None]).sum(0)
            acc_a = hit.sum(0).astype(np.float32)
            rgb[ey, ex] = np.where(
                acc_a[:, None] > 0, acc_rgb / np.maximum(acc_a, 1e-9)[:, None], rgb[ey, ex]
            )
            alpha[ey, ex] = acc_a / len(_SUBPIXEL)
        if self.scale < 1.0:
            rgb = cv2.resize(rgb, (bw, bh), interpolation=cv2.INTER_LINEAR)
            alpha = cv2.resize(alpha, (bw, bh), interpolation=cv2.INTER_LINEAR)
        full_rgb = np.zeros((h, w, 3), np.float32)
        full_alpha = np.zeros((h, w), np.float32)
        inner = (slice(by - y0, by - y0 + bh), slice(bx - x0, bx - x0 + bw))
        full_rgb[inner], full_alpha[inner] = rgb, alpha
        return RenderResult(x0, y0, full_rgb, full_alpha, traced.shadow, traced.forward)

    def _trace_scene(self, items: list[PlacedModel], camera: Camera, light: Light) -> _Traced | None:
        import cv2
        import open3d as o3d

        roi = self._region(items, camera, self.shadow_reach_m)
        body = self._region(items, camera, 0.0)
        if roi is None or body is None:
            return None
        x0, y0, w, h = roi
        scene = o3d.t.geometry.RaycastingScene()
        shine = []
        for item in items:
            for part, verts in zip(item.model.parts, item.world_vertices(), strict=True):
                scene.add_triangles(verts.astype(np.float32), part.triangles.astype(np.uint32))
                shine.append((1 - part.roughness) * (0.5 + 0.5 * part.metallic))
        self._shine = np.asarray(shine, dtype=np.float32)
        self._scene = scene
        self._items = items
        R, _ = camera.pose.world_to_camera
        self._origin = camera.pose.camera_position
        self._cam_R = R
        self._intr = camera.intrinsics
        self._light = light
        axis = np.array([R[2, 0], 0.0, R[2, 2]])
        self._axis = (axis / max(np.linalg.norm(axis), 1e-9)).astype(np.float32)

        # Camera rays only where the furniture can be; the wider box is floor for the shadow.
        bx, by, bw, bh = body
        step = 1.0 / self.scale
        u, v = np.meshgrid(
            np.arange(bx, bx + bw, step) + (step - 1) / 2, np.arange(by, by + bh, step) + (step - 1) / 2
        )
        if self.scale < 1.0:  # the drag preview: every ray at its reduced resolution
            primary, forward = self._trace(u, v)
        else:
            primary, forward = self._trace_two_level(u, v)
        ao = self._surface_occlusion(u, v, step)
        primary = self._occlude_ambient(primary, ao)
        edge, light_step = self._edges(primary)
        primary = self._soften(primary, light_step)
        ey, ex = np.nonzero(edge)
        # Sub-samples of a pixel whose centre hit reuse its key-light test (a self-shadow's edge
        # still gets its coverage from the centre rays of its neighbours) and its occlusion.
        centre_vis = np.where(primary.gid[ey, ex] >= 0, primary.vis[ey, ex], -1)
        subs = [
            self._occlude_ambient(self._trace(u[ey, ex] + du, v[ey, ex] + dv, centre_vis)[0], ao[ey, ex])
            for du, dv in _SUBPIXEL
        ]
        subsamples = _Samples(*(np.stack([getattr(s, f.name) for s in subs]) for f in fields(_Samples)))
        if self.scale < 1.0:
            forward = cv2.resize(forward, (bw, bh), interpolation=cv2.INTER_NEAREST)  # inf stays inf
        full_forward = np.full((h, w), np.inf, np.float32)
        full_forward[by - y0 : by - y0 + bh, bx - x0 : bx - x0 + bw] = forward
        return _Traced(
            roi,
            body,
            primary,
            (ey, ex),
            subsamples,
            full_forward,
            self._floor_shadow(x0, y0, w, h),
            np.asarray(light.key, np.float32),
        )

    # -- internals -------------------------------------------------------------------------

    @staticmethod
    def _region(items, camera: Camera, shadow_reach_m: float) -> tuple[int, int, int, int] | None:
        """Pixel box covering every item and, with a reach, the floor its shadow can fall on."""

        pts = []
        for item in items:
            R, t = item.transform
            v = np.concatenate([p.vertices for p in item.model.parts])
            lo, hi = v.min(0), v.max(0)
            reach = shadow_reach_m + item.height_m * 0.6 if shadow_reach_m > 0 else 0.0
            pad = np.array([reach, 0, reach])
            lo, hi = lo - pad, hi + pad
            box = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (0.0, hi[1]) for z in (lo[2], hi[2])])
            world = box @ R.T + t
            cam = (world - camera.pose.camera_position) @ camera.pose.world_to_camera[0].T
            world = world[cam[:, 2] > 0.05]  # corners behind the camera cannot bound the image box
            if len(world):
                pts.append(world)
        if not pts:
            return None
        intr = camera.intrinsics
        K, _ = intr.K, None
        R, t = camera.pose.world_to_camera
        cam = np.concatenate(pts) @ R.T + t
        px = cam[:, :2] / cam[:, 2:3] * [K[0, 0], K[1, 1]] + [K[0, 2], K[1, 2]]
        x0 = int(np.clip(np.floor(px[:, 0].min()) - 2, 0, intr.width))
        x1 = int(np.clip(np.ceil(px[:, 0].max()) + 2, 0, intr.width))
        y0 = int(np.clip(np.floor(px[:, 1].min()) - 2, 0, intr.height))
        y1 = int(np.clip(np.ceil(px[:, 1].max()) + 2, 0, intr.height))
        if x1 - x0 < 2 or y1 - y0 < 2:
            return None
        return x0, y0, x1 - x0, y1 - y0

    def _directions(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Unit world-space ray directions (N..., 3) float32 through pixel centres (u, v)."""
        intr = self._intr
        R = self._cam_R.astype(np.float32)
        x = ((u - intr.cx) / intr.fx).astype(np.float32)[..., None]
        y = ((v - intr.cy) / intr.fy).astype(np.float32)[..., None]
        d = x * R[0] + y * R[1] + R[2]  # = R.T @ (x, y, 1), row by row
        d *= 1.0 / np.sqrt(np.einsum("...i,...i->...", d, d))[..., None]
        return d

    def _rays(self, origins: np.ndarray, dirs: np.ndarray):
        import open3d as o3d

        rays = np.empty((len(dirs), 6), np.float32)
        rays[:, :3] = origins
        rays[:, 3:] = dirs
        return o3d.core.Tensor(rays)

    def _cast(self, origins: np.ndarray, dirs: np.ndarray) -> dict:
        ans = self._scene.cast_rays(self._rays(origins, dirs), nthreads=0)
        return {k: ans[k].numpy() for k in ("t_hit", "geometry_ids", "primitive_normals")}

    def _occluded(self, origins: np.ndarray, dirs: np.ndarray, reach: float = np.inf) -> np.ndarray:
        return self._scene.test_occlusions(self._rays(origins, dirs), tfar=reach, nthreads=0).numpy()

    def _trace_two_level(self, u: np.ndarray, v: np.ndarray) -> tuple[_Samples, np.ndarray]:
        """Full-resolution samples at under half the rays: trace one ray per 2×2 block, keep
        (upsampled) the blocks where light is smooth within one part, trace every pixel only in
        blocks next to a silhouette, a change of part or a step in light (tests/furniture
        compare the result with a full trace)."""
        import cv2

        bh, bw = u.shape
        coarse, coarse_forward = self._trace(u[::2, ::2] + 0.5, v[::2, ::2] + 0.5)
        geo, step = self._edges(coarse)
        band = geo | step

        def nearest(a: np.ndarray) -> np.ndarray:
            return np.repeat(np.repeat(a, 2, 0), 2, 1)[:bh, :bw]

        def linear(a: np.ndarray) -> np.ndarray:
            h2, w2 = a.shape[:2]
            return cv2.resize(a, (2 * w2, 2 * h2), interpolation=cv2.INTER_LINEAR)[:bh, :bw]

        gid, vis, forward = nearest(coarse.gid), nearest(coarse.vis), nearest(coarse_forward)
        irradiance, spec, ambient = linear(coarse.irradiance), linear(coarse.spec), linear(coarse.ambient)
        rows, cols = np.nonzero(nearest(band))
        fine, fine_forward = self._trace(u[rows, cols], v[rows, cols])
        gid[rows, cols], vis[rows, cols], forward[rows, cols] = fine.gid, fine.vis, fine_forward
        irradiance[rows, cols], spec[rows, cols], ambient[rows, cols] = (
            fine.irradiance,
            fine.spec,
            fine.ambient,
        )
        return _Samples(gid, irradiance, spec, vis, ambient), forward

    def _trace(
        self, u: np.ndarray, v: np.ndarray, vis: np.ndarray | None = None
    ) -> tuple[_Samples, np.ndarray]:
        """Lit samples through pixel positions (u, v), and their forward distances. `vis`, where
        given and not -1, is the key-light test to use instead of casting a shadow ray."""
        shape = u.shape
        d = self._directions(u, v).reshape(-1, 3)
        ans = self._cast(self._origin, d)
        t = ans["t_hit"]
        hit = np.isfinite(t)
        gid = np.where(hit, ans["geometry_ids"].astype(np.int64), -1)
        irradiance = np.zeros((len(d), 3), np.float32)
        spec = np.zeros(len(d), np.float32)
        lit_vis = np.zeros(len(d), bool)
        ambient = np.zeros(len(d), np.float32)
        if hit.any():
            dh = d[hit]
            p = self._origin.astype(np.float32) + dh * t[hit, None]
            known = None if vis is None else vis.reshape(-1)[hit]
            irradiance[hit], spec[hit], lit_vis[hit], ambient[hit] = self._shade(
                p, dh, ans["primitive_normals"][hit], gid[hit], known
            )
        forward = np.where(hit, t * (d @ self._axis), np.inf).astype(np.float32)
        samples = _Samples(
            gid.reshape(shape),
            irradiance.reshape(*shape, 3),
            spec.reshape(shape),
            lit_vis.reshape(shape),
            ambient.reshape(shape),
        )
        return samples, forward.reshape(shape)

    def _shade(
        self, p: np.ndarray, d: np.ndarray, n: np.ndarray, gid: np.ndarray, known: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(irradiance, highlight, key-light visibility, ambient factor) at the hits."""
        light = self._light
        back = np.einsum("ij,ij->i", n, d) > 0
        n[back] *= -1  # face the viewer: models are not all closed
        L = light.unit_direction.astype(np.float32)
        ndl = np.maximum(n @ L, 0)
        vis = np.zeros(len(p), bool)
        lit = ndl > 0
        if known is not None:
            vis = lit & (known == 1)
            lit &= known == -1  # only the unknown ones need a shadow ray
        if lit.any():
            vis[lit] = ~self._occluded(p[lit] + n[lit] * 2e-3, np.broadcast_to(L, (int(lit.sum()), 3)))
        # Hemispherical ambient (sky above, floor bounce below) and a floor-proximity darkening
        # so feet and skirts sit in the room's occlusion like the real thing.
        amb = (0.75 + 0.25 * n[:, 1]) * (1 - 0.35 * np.exp(-np.maximum(p[:, 1], 0) / 0.06))
        irradiance = amb[:, None] * np.asarray(light.ambient, np.float32)
        irradiance += (ndl * vis)[:, None] * np.asarray(light.key, np.float32)
        spec = np.zeros(len(p), np.float32)
        # Highlights only on parts that have any (metal, varnish); fabric skips the work.
        shiny = self._shine[gid] > 0.05
        if shiny.any():
            h = L - d[shiny]
            h /= np.linalg.norm(h, axis=-1, keepdims=True)
            spec[shiny] = (
                self._shine[gid[shiny]] * np.clip(np.einsum("ij,ij->i", n[shiny], h), 0, 1) ** 40 * vis[shiny]
            )
        return irradiance, spec, vis, amb

    @staticmethod
    def _edges(primary: _Samples) -> tuple[np.ndarray, np.ndarray]:
        """(pixels next to a silhouette or a change of part, pixels next to a sharp step in
        light inside a part: a crease between two faces, a self-shadow's edge). Both stair-step
        without help; the first need sub-pixel rays (coverage, and colours that may change), the
        second only their light smoothed. Judged on light, not colour: one set for every variant."""
        gid = primary.gid
        lum = primary.irradiance @ np.array([0.2126, 0.7152, 0.0722], np.float32)
        geo = np.zeros(gid.shape, bool)
        step = np.zeros(gid.shape, bool)
        for axis in (0, 1):
            g = np.diff(gid, axis=axis) != 0
            s = np.abs(np.diff(lum, axis=axis)) > CREASE_STEP
            for edge, diff in ((geo, g), (step, s)):
                if axis == 0:
                    edge[1:] |= diff
                    edge[:-1] |= diff
                else:
                    edge[:, 1:] |= diff
                    edge[:, :-1] |= diff
        return geo, step & ~geo

    def _surface_occlusion(self, u: np.ndarray, v: np.ndarray, step: float) -> np.ndarray:
        """Ambient occlusion per traced pixel (1 = open, 1 - AO_STRENGTH = closed in), from one
        hit per AO_STEP_PX² block, interpolated with weights that ignore missed blocks."""
        import cv2

        k = max(1, round(AO_STEP_PX / step))
        uc, vc = u[::k, ::k] + (k - 1) / 2 * step, v[::k, ::k] + (k - 1) / 2 * step
        d = self._directions(uc, vc).reshape(-1, 3)
        ans = self._cast(self._origin, d)
        hit = np.isfinite(ans["t_hit"])
        open_ = np.ones(len(d), np.float32)
        if hit.any():
            n = ans["primitive_normals"][hit]
            n[np.einsum("ij,ij->i", n, d[hit]) > 0] *= -1
            p = self._origin.astype(np.float32) + d[hit] * ans["t_hit"][hit, None] + n * 2e-3
            # A frame about each normal; the helper axis is any one not parallel to it.
            helper = np.where(np.abs(n[:, 1:2]) < 0.9, [[0, 1, 0]], [[1, 0, 0]]).astype(np.float32)
            t1 = np.cross(n, helper)
            t1 /= np.linalg.norm(t1, axis=1, keepdims=True)
            t2 = np.cross(n, t1)
            blocked = np.zeros(int(hit.sum()), np.float32)
            for x, y, z in _AO_RAYS:
                blocked += self._occluded(p, t1 * x + t2 * y + n * z, AO_REACH_M)
            open_[hit] = 1 - AO_STRENGTH * blocked / len(_AO_RAYS)
        size = (u.shape[1], u.shape[0])
        weight = hit.reshape(uc.shape).astype(np.float32)
        grid = (open_ * hit).reshape(uc.shape).astype(np.float32)

        def up(a: np.ndarray) -> np.ndarray:
            h, w = a.shape
            return cv2.resize(a, (w * k, h * k), interpolation=cv2.INTER_LINEAR)[: size[1], : size[0]]

        w_full = up(weight)
        return np.where(w_full > 1e-3, up(grid) / np.maximum(w_full, 1e-3), 1.0).astype(np.float32)

    def _occlude_ambient(self, samples: _Samples, ao: np.ndarray) -> _Samples:
        ambient = np.asarray(self._light.ambient, np.float32)
        irradiance = samples.irradiance + ((ao - 1) * samples.ambient)[..., None] * ambient
        return replace(samples, irradiance=irradiance)

    @staticmethod
    def _soften(primary: _Samples, where: np.ndarray) -> _Samples:
        """Light at `where` replaced by its 3×3 mean over hits: a step edge comes out as the
        thirds a 3×3 supersample would give, at no ray."""
        import cv2

        hit = (primary.gid >= 0).astype(np.float32)
        norm = np.maximum(cv2.blur(hit, (3, 3)), 1e-6)
        irradiance, spec = primary.irradiance.copy(), primary.spec.copy()
        irradiance[where] = (cv2.blur(primary.irradiance * hit[..., None], (3, 3)) / norm[..., None])[where]
        spec[where] = (cv2.blur(primary.spec * hit, (3, 3)) / norm)[where]
        return replace(primary, irradiance=irradiance, spec=spec)

    def _near_furniture(self, floor: np.ndarray) -> np.ndarray:
        """Which floor points (N, 3) a piece can shade at all: within contact reach of its
        footprint, or within its key-light shadow's length (height × the light's slant). The
        rest of the traced box is bare floor and needs no ray."""
        L = self._light.unit_direction
        slant = float(np.hypot(L[0], L[2]) / max(L[1], 0.2)) * 1.3  # margin for the area light
        near = np.zeros(len(floor), bool)
        for item in self._items:
            R, t = item.transform
            local = (floor - t) @ R  # into the piece's frame (R is a turn about Y)
            v = np.concatenate([p.vertices for p in item.model.parts])
            lo, hi = v.min(0), v.max(0)
            dx = np.maximum(np.maximum(lo[0] - local[:, 0], local[:, 0] - hi[0]), 0)
            dz = np.maximum(np.maximum(lo[2] - local[:, 2], local[:, 2] - hi[2]), 0)
            near |= np.hypot(dx, dz) <= max(CONTACT_REACH_M, hi[1] * slant)
        return near

    def _floor_shadow(self, x0: int, y0: int, w: int, h: int) -> np.ndarray:
        import cv2

        # The shadow is blurred anyway: a quarter of the resolution is plenty.
        step = max(4, round(4 / self.scale))
        u, v = np.meshgrid(
            np.arange(x0, x0 + w, step, dtype=np.float64) + 0.5,
            np.arange(y0, y0 + h, step, dtype=np.float64) + 0.5,
        )
        d = self._directions(u, v).reshape(-1, 3)
        o = self._origin
        down = d[:, 1] < -1e-6
        occl = np.zeros(len(d))
        if down.any() and o[1] > 0:
            down[down] = self._near_furniture(o + d[down] * (-o[1] / d[down, 1])[:, None])
        if down.any():
            p = o + d[down] * (-o[1] / d[down, 1])[:, None]
            p[:, 1] = 1e-3
            # Key-light shadow from an area light: fraction of sample directions blocked.
            L = self._light.unit_direction
            tx = np.cross(L, [0.0, 0.0, 1.0])
            tx /= np.linalg.norm(tx)
            ty = np.cross(L, tx)
            key = np.zeros(len(p))
            for a, b in _AREA_LIGHT:
                ld = L + a * tx + b * ty
                ld /= np.linalg.norm(ld)
                key += self._occluded(p, np.broadcast_to(ld, p.shape))
            key /= len(_AREA_LIGHT)
            # Contact occlusion: how much of the sky just above the floor point is furniture.
            contact = np.zeros(len(p))
            for fd in _FLOOR_RAYS:
                contact += self._occluded(p, np.broadcast_to(fd, p.shape), CONTACT_REACH_M)
            contact /= len(_FLOOR_RAYS)
            occl[down] = np.clip(0.55 * key + CONTACT_STRENGTH * contact, 0, 1)
        grid = occl.reshape(u.shape).astype(np.float32)
        grid = cv2.GaussianBlur(grid, (0, 0), 1.2)
        grid[grid < 0.01] = 0  # lets the compositor crop away the floor the shadow never reaches
        return cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR)
