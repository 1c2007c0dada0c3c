"""A minimal glTF 2.0 binary (GLB) writer: one node and one mesh per part, one material each.

Open3D reads GLB (with materials) but cannot write several materials into one file, and the
furniture needs per-part materials (legs darker than cushions), so the project writes its own.
The node and mesh names carry the part's colour role (see model.py) because Open3D keeps mesh
names but drops material names when it reads a file.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class GlbPart:
    name: str
    vertices: np.ndarray  # (N, 3) metres, Y up
    triangles: np.ndarray  # (M, 3) vertex indices
    rgba: tuple[float, float, float, float]  # sRGB base colour factor, 0..1
    roughness: float = 0.8
    metallic: float = 0.0


def _pad(data: bytes, fill: bytes) -> bytes:
    return data + fill * (-len(data) % 4)


def write_glb(path: Path, parts: list[GlbPart]) -> None:
    blob = bytearray()
    views, accessors, meshes, nodes, materials = [], [], [], [], []
    for i, part in enumerate(parts):
        v = np.ascontiguousarray(part.vertices, dtype=np.float32)
        t = np.ascontiguousarray(part.triangles, dtype=np.uint32)
        for array, target in ((v, 34962), (t.reshape(-1), 34963)):
            views.append({"buffer": 0, "byteOffset": len(blob), "byteLength": array.nbytes, "target": target})
            blob += _pad(array.tobytes(), b"\0")
        accessors.append(
            {
                "bufferView": 2 * i,
                "componentType": 5126,
                "count": len(v),
                "type": "VEC3",
                "min": v.min(0).tolist(),
                "max": v.max(0).tolist(),
            }
        )
        accessors.append({"bufferView": 2 * i + 1, "componentType": 5125, "count": t.size, "type": "SCALAR"})
        materials.append(
            {
                "name": part.name,
                "pbrMetallicRoughness": {
                    "baseColorFactor": [float(c) for c in part.rgba],
                    "metallicFactor": float(part.metallic),
                    "roughnessFactor": float(part.roughness),
                },
            }
        )
        meshes.append(
            {
                "name": part.name,
                "primitives": [{"attributes": {"POSITION": 2 * i}, "indices": 2 * i + 1, "material": i}],
            }
        )
        nodes.append({"name": part.name, "mesh": i})
    doc = {
        "asset": {"version": "2.0", "generator": "maraya vision.render.glb"},
        "scene": 0,
        "scenes": [{"nodes": list(range(len(nodes)))}],
        "nodes": nodes,
        "meshes": meshes,
        "materials": materials,
        "accessors": accessors,
        "bufferViews": views,
        "buffers": [{"byteLength": len(blob)}],
    }
    json_chunk = _pad(json.dumps(doc, separators=(",", ":")).encode(), b" ")
    bin_chunk = bytes(blob)
    total = 12 + 8 + len(json_chunk) + 8 + len(bin_chunk)
    out = struct.pack("<III", 0x46546C67, 2, total)
    out += struct.pack("<II", len(json_chunk), 0x4E4F534A) + json_chunk
    out += struct.pack("<II", len(bin_chunk), 0x004E4942) + bin_chunk
    Path(path).write_bytes(out)
