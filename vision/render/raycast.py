"""The CPU renderer: Open3D's RaycastingScene (Embree), no GPU stack needed.

Only the region of the image the furniture and its shadow can reach is traced. Per pixel it
gives the model's colour (Lambert key light with ray-traced self-shadow, hemispherical ambient,
a little Blinn-Phong for metal and varnish), anti-aliased edges (pixels at silhouettes,
part boundaries and sharp creases get four extra sub-pixel rays) and a soft floor shadow: the
key light's shadow from an area light sampled by several rays, plus contact occlusion from
short rays fanning up from the floor, traced at half resolution and blurred. Colours are
linear; the compositor converts.

Why no Filament back end ships: Open3D's OffscreenRenderer starts headless only with Debian
mesa-vulkan-drivers + libvulkan1 (not in the Makefile's packages), then took 30-60 s for the
first 1280×720 frame and 1-9 s per frame after on llvmpipe, and our per-part materials did not
come through in a first try; bench_furniture.py still probes it and times a frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.render.scene import Camera, Light, PlacedModel

# Step in linear luminance (white = 1) between neighbouring pixels that reads as a hard edge,
# a crease or a shadow line, and so gets sub-pixel rays like a silhouette. Lower catches the
# faint steps between the facets of a dense model too, at a quarter more render time.
CREASE_STEP = 0.06
_SUBPIXEL = np.array([[-0.25, -0.25], [0.25, -0.25], [-0.25, 0.25], [0.25, 0.25]])
# Directions of the contact-occlusion fan: straight up and four tilted 40° from vertical.
_FAN = np.array(
    [[0, 1, 0]]
    + [[np.sin(0.7) * np.cos(a), np.cos(0.7), np.sin(0.7) * np.sin(a)] for a in np.arange(4) * np.pi / 2]
)
_AREA_LIGHT = np.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]]) * 0.09  # soft-shadow offsets


@dataclass(frozen=True)
class RenderResult:
    """A render of the region (x0, y0, w, h) of the camera image."""

    x0: int
    y0: int
    rgb: np.ndarray  # (h, w, 3) float32 linear, NOT premultiplied
    alpha: np.ndarray  # (h, w) float32 coverage 0..1
    shadow: np.ndarray  # (h, w) float32 0..1: how much of the frame's light the furniture blocks
    depth: np.ndarray  # (h, w) float32 metres along the ray, inf where empty

    @property
    def empty(self) -> bool:
        return self.alpha.size == 0


class RaycastRenderer:
    """One instance per thread: a render keeps its scene on the instance while it runs.

    `scale` < 1 traces the camera rays at that fraction of the resolution and upsamples: the
    preview quality for frames where the shopper is dragging or turning an item, where speed
    matters more than crisp edges (the still frame after the drag is rendered at full scale).
    """

    name = "raycast"

    def __init__(self, shadow_reach_m: float = 0.35, scale: float = 1.0) -> None:
        if not 0.1 <= scale <= 1.0:
            raise ValueError(f"render scale must be within 0.1..1, not {scale}")
        self.shadow_reach_m = shadow_reach_m
        self.scale = scale

    def render(self, items: list[PlacedModel], camera: Camera, light: Light) -> RenderResult:
        import open3d as o3d

        intr = camera.intrinsics
        roi = self._region(items, camera, self.shadow_reach_m)
        body = self._region(items, camera, 0.0)
        if roi is None or body is None:
            z = np.zeros((0, 0), np.float32)
            return RenderResult(0, 0, np.zeros((0, 0, 3), np.float32), z, z, z)
        x0, y0, w, h = roi
        scene = o3d.t.geometry.RaycastingScene()
        colours, shine = [], []
        for item in items:
            for part, verts in zip(item.model.parts, item.world_vertices(), strict=True):
                scene.add_triangles(verts.astype(np.float32), part.triangles.astype(np.uint32))
                colours.append(part.color_for(item.variant_hex))
                shine.append((1 - part.roughness) * (0.5 + 0.5 * part.metallic))
        self._colours = np.asarray(colours, dtype=np.float32)
        self._shine = np.asarray(shine, dtype=np.float32)
        self._scene = scene
        R, _ = camera.pose.world_to_camera
        self._origin = camera.pose.camera_position
        self._cam_R = R
        self._intr = intr
        self._light = light

        # Camera rays only where the furniture can be; the wider box is floor for the shadow.
        import cv2

        bx, by, bw, bh = body
        step = 1.0 / self.scale
        u, v = np.meshgrid(
            np.arange(bx, bx + bw, step) + (step - 1) / 2, np.arange(by, by + bh, step) + (step - 1) / 2
        )
        rgb, alpha, depth, gid = self._trace(u, v)
        edge = self._edges(alpha, gid, rgb)
        if edge.any():
            ey, ex = np.nonzero(edge)
            acc_rgb = np.zeros((len(ey), 3))
            acc_a = np.zeros(len(ey))
            for du, dv in _SUBPIXEL:
                s_rgb, s_a, _, _ = self._trace(u[ey, ex] + du, v[ey, ex] + dv)
                acc_rgb += s_rgb * s_a[:, None]
                acc_a += s_a
            cover = acc_a / len(_SUBPIXEL)
            rgb[ey, ex] = np.where(
                acc_a[:, None] > 0, acc_rgb / np.maximum(acc_a, 1e-9)[:, None], rgb[ey, ex]
            )
            alpha[ey, ex] = cover
        if self.scale < 1.0:
            size = (bw, bh)
            rgb = cv2.resize(rgb.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
            alpha = cv2.resize(alpha.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
            depth = cv2.resize(
                depth.astype(np.float32), size, interpolation=cv2.INTER_NEAREST
            )  # inf stays inf
        shadow = self._floor_shadow(x0, y0, w, h)
        full_rgb = np.zeros((h, w, 3), np.float32)
        full_alpha = np.zeros((h, w), np.float32)
        full_depth = np.full((h, w), np.inf, np.float32)
        inner = (slice(by - y0, by - y0 + bh), slice(bx - x0, bx - x0 + bw))
        full_rgb[inner], full_alpha[inner], full_depth[inner] = rgb, alpha, depth
        return RenderResult(x0, y0, full_rgb, full_alpha, shadow, full_depth)

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

    def _occluded(self, origins: np.ndarray, dirs: np.ndarray) -> np.ndarray:
        return self._scene.test_occlusions(self._rays(origins, dirs), nthreads=0).numpy()

    def _trace(self, u: np.ndarray, v: np.ndarray):
        shape = u.shape
        d = self._directions(u, v).reshape(-1, 3)
        ans = self._cast(self._origin, d)
        t = ans["t_hit"]
        hit = np.isfinite(t)
        rgb = np.zeros((len(d), 3), np.float32)
        if hit.any():
            dh = d[hit]
            p = self._origin.astype(np.float32) + dh * t[hit, None]
            rgb[hit] = self._shade(p, dh, ans["primitive_normals"][hit], ans["geometry_ids"][hit])
        gid = np.where(hit, ans["geometry_ids"].astype(np.int64), -1)
        return (
            rgb.reshape(*shape, 3),
            hit.astype(np.float32).reshape(shape),
            t.reshape(shape),
            gid.reshape(shape),
        )

    def _shade(self, p: np.ndarray, d: np.ndarray, n: np.ndarray, gid: np.ndarray) -> np.ndarray:
        light = self._light
        back = np.einsum("ij,ij->i", n, d) > 0
        n[back] *= -1  # face the viewer: models are not all closed
        L = light.unit_direction.astype(np.float32)
        ndl = np.maximum(n @ L, 0)
        lit = ndl > 0
        vis = np.ones(len(p), np.float32)
        if lit.any():
            vis[lit] = ~self._occluded(p[lit] + n[lit] * 2e-3, np.broadcast_to(L, (int(lit.sum()), 3)))
        # Hemispherical ambient (sky above, floor bounce below) and a floor-proximity darkening
        # so feet and skirts sit in the room's occlusion like the real thing.
        amb = (0.75 + 0.25 * n[:, 1]) * (1 - 0.35 * np.exp(-np.maximum(p[:, 1], 0) / 0.06))
        light_rgb = amb[:, None] * np.asarray(light.ambient, np.float32)
        light_rgb += (ndl * vis)[:, None] * np.asarray(light.key, np.float32)
        out = self._colours[gid] * light_rgb
        # Highlights only on parts that have any (metal, varnish); fabric skips the work.
        shiny = self._shine[gid] > 0.05
        if shiny.any():
            h = L - d[shiny]
            h /= np.linalg.norm(h, axis=-1, keepdims=True)
            spec = (
                self._shine[gid[shiny]] * np.clip(np.einsum("ij,ij->i", n[shiny], h), 0, 1) ** 40 * vis[shiny]
            )
            out[shiny] += spec[:, None] * np.asarray(light.key, np.float32)
        return out

    @staticmethod
    def _edges(alpha: np.ndarray, gid: np.ndarray, rgb: np.ndarray) -> np.ndarray:
        """Pixels next to a silhouette, a change of part, or a sharp step in shading (a crease
        between two faces, a self-shadow's edge): the ones that stair-step without extra rays."""
        lum = rgb @ np.array([0.2126, 0.7152, 0.0722], np.float32)
        edge = np.zeros(alpha.shape, bool)
        for axis in (0, 1):
            diff = (np.diff(gid, axis=axis) != 0) | (np.abs(np.diff(lum, axis=axis)) > CREASE_STEP)
            if axis == 0:
                edge[1:] |= diff
                edge[:-1] |= diff
            else:
                edge[:, 1:] |= diff
                edge[:, :-1] |= diff
        return edge

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
            reach = 0.45
            for fd in _FAN:
                t = self._cast(p, np.broadcast_to(fd, p.shape))["t_hit"]
                contact += np.where(np.isfinite(t), np.clip(1 - t / reach, 0, 1), 0.0)
            contact /= len(_FAN)
            occl[down] = np.clip(0.55 * key + 1.1 * contact, 0, 1)
        grid = occl.reshape(u.shape).astype(np.float32)
        grid = cv2.GaussianBlur(grid, (0, 0), 1.2)
        grid[grid < 0.01] = 0  # lets the compositor crop away the floor the shadow never reaches
        return cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR)
