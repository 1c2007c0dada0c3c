"""Furniture models: load GLB/glTF, OBJ or PLY through Open3D, normalise to metres and Y up,
and keep the parts with their materials so a variant colour can be applied per part.

Conventions (the demo GLBs in assets/furniture/ follow them; see PROVENANCE.md there):
- metres, Y up, front facing +Z, footprint centred on the origin, resting on y = 0;
- a part whose mesh name starts with ``variant:`` takes the catalogue variant's colour, one
  starting with ``variant-shade:`` takes a darker shade of it (frames, legs of one colour
  family), any other part keeps its own material colour (metal feet, a glass shade).
Colours are linear RGB inside the renderer, as glTF's baseColorFactor is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vision.color import hex_to_rgb, srgb_to_linear

SUPPORTED_SUFFIXES = (".glb", ".gltf", ".obj", ".ply")
VARIANT_PREFIX = "variant:"
SHADE_PREFIX = "variant-shade:"
SHADE_FACTOR = 0.45  # linear-light factor: a darker member of the variant's colour family
# Units a model file may have been authored in, as metres per unit.
_UNIT_SCALES = {"metres": 1.0, "centimetres": 0.01, "millimetres": 0.001, "inches": 0.0254}


class ModelError(ValueError):
    """A model file is missing, unreadable, empty, or does not fit its catalogue dimensions."""


@dataclass(frozen=True)
class Part:
    name: str
    vertices: np.ndarray  # (N, 3) float64, metres, model frame
    triangles: np.ndarray  # (M, 3) int32
    color: tuple[float, float, float]  # linear RGB 0..1
    roughness: float = 0.8
    metallic: float = 0.0

    @property
    def role(self) -> str:
        if self.name.startswith(VARIANT_PREFIX):
            return "variant"
        if self.name.startswith(SHADE_PREFIX):
            return "variant-shade"
        return "fixed"

    def color_for(self, variant_hex: str | None) -> np.ndarray:
        if variant_hex is None or self.role == "fixed":
            return np.asarray(self.color, dtype=np.float64)
        base = srgb_to_linear(np.array(hex_to_rgb(variant_hex), dtype=np.float64) / 255.0)
        return base * SHADE_FACTOR if self.role == "variant-shade" else base


@dataclass(frozen=True)
class FurnitureModel:
    path: Path
    parts: tuple[Part, ...]
    notes: tuple[str, ...] = ()  # normalisations applied, in words, for logs and the CLI

    @property
    def dimensions_m(self) -> tuple[float, float, float]:
        """(width along X, depth along Z, height along Y), the catalogue's order."""
        v = np.concatenate([p.vertices for p in self.parts])
        ext = v.max(0) - v.min(0)
        return float(ext[0]), float(ext[2]), float(ext[1])


def _read_parts(path: Path) -> list[Part]:
    import open3d as o3d

    model = o3d.io.read_triangle_model(str(path), print_progress=False)
    parts = []
    for i, info in enumerate(model.meshes):
        mesh = info.mesh
        v = np.asarray(mesh.vertices, dtype=np.float64)
        t = np.asarray(mesh.triangles, dtype=np.int32)
        if len(v) == 0 or len(t) == 0:
            continue
        if not np.isfinite(v).all():
            raise ModelError(f"{path}: part {info.mesh_name or i} has non-finite vertex coordinates")
        mat = model.materials[info.material_idx] if 0 <= info.material_idx < len(model.materials) else None
        if mesh.has_vertex_colors() and (mat is None or np.allclose(mat.base_color[:3], 1.0)):
            # PLY scans carry colour per vertex, not per material: the mean stands for the part.
            color = tuple(float(c) for c in srgb_to_linear(np.asarray(mesh.vertex_colors).mean(0)))
        elif mat is not None:
            color = tuple(float(c) for c in mat.base_color[:3])
        else:
            color = (0.6, 0.6, 0.6)
        parts.append(
            Part(
                name=info.mesh_name or f"part{i}",
                vertices=v,
                triangles=t,
                color=color,
                roughness=float(mat.base_roughness) if mat is not None else 0.8,
                metallic=float(mat.base_metallic) if mat is not None else 0.0,
            )
        )
    return parts


def _log_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(np.log(np.maximum(a, 1e-9) / np.maximum(b, 1e-9))).sum())


def _choose_frame(
    ext: np.ndarray, expected: tuple[float, float, float] | None, suffix: str
) -> tuple[bool, str]:
    """Return (z_up, unit name). With catalogue dimensions both are chosen by best fit;
    without them glTF is trusted (the spec says metres, Y up) and others are judged by size."""
    if expected is None:
        if suffix in (".glb", ".gltf"):
            return False, "metres"
        big = float(ext.max())
        return False, "millimetres" if big > 500 else "centimetres" if big > 20 else "metres"
    w, d, h = expected
    want_foot = np.sort([w, d])
    best = None
    for z_up in (False, True):
        height = ext[2] if z_up else ext[1]
        foot = np.sort([ext[0], ext[1]] if z_up else [ext[0], ext[2]])
        for unit, scale in _UNIT_SCALES.items():
            err = _log_error(np.array([*foot, height]) * scale, np.array([*want_foot, h]))
            if best is None or err < best[0]:
                best = (err, z_up, unit)
    assert best is not None
    return best[1], best[2]


def load_model(
    path: str | Path, expected_dims_m: tuple[float, float, float] | None = None, tolerance: float = 0.15
) -> FurnitureModel:
    """Load a model and normalise it to the conventions above.

    With the catalogue's `expected_dims_m` (width, depth, height) the unit and up axis are
    inferred from the fit, and a model still more than `tolerance` off after that raises,
    because a sofa shown at the wrong size is worse than no sofa.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"model file not found: {path}")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ModelError(f"{path}: unsupported model format {path.suffix!r}; use one of {SUPPORTED_SUFFIXES}")
    parts = _read_parts(path)
    if not parts:
        raise ModelError(
            f"{path}: no triangles could be read; the file is corrupt or not a {path.suffix} model"
        )
    v_all = np.concatenate([p.vertices for p in parts])
    ext = v_all.max(0) - v_all.min(0)
    if ext.max() <= 0:
        raise ModelError(f"{path}: the model has zero size")
    z_up, unit = _choose_frame(ext, expected_dims_m, path.suffix.lower())
    scale = _UNIT_SCALES[unit]
    notes = []
    if unit != "metres":
        notes.append(f"model was in {unit}; scaled by {scale:g} to metres")
    # Z up -> Y up: rotate -90° about X, so a Blender-style front (-Y) ends up facing +Z.
    rot = np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]], dtype=np.float64) if z_up else np.eye(3)
    if z_up:
        notes.append("model was Z-up; rotated to Y-up")
    v_all = v_all @ rot.T * scale
    lo, hi = v_all.min(0), v_all.max(0)
    offset = np.array([(lo[0] + hi[0]) / 2, lo[1], (lo[2] + hi[2]) / 2])
    parts = [
        Part(p.name, p.vertices @ rot.T * scale - offset, p.triangles, p.color, p.roughness, p.metallic)
        for p in parts
    ]
    model = FurnitureModel(path=path, parts=tuple(parts), notes=tuple(notes))
    if expected_dims_m is not None:
        got = np.array(model.dimensions_m)
        want = np.array(expected_dims_m, dtype=np.float64)
        # Thin items (a rug) are judged on their footprint; their thickness is cosmetic.
        check = want > 0.05
        rel = np.abs(got[check] / want[check] - 1)
        if rel.size and rel.max() > tolerance:
            raise ModelError(
                f"{path}: model measures {got.round(3).tolist()} m (w, d, h) but the catalogue says "
                f"{want.tolist()} m; off by {math.ceil(rel.max() * 100)}%"
            )
    return model
