"""Parsing and checking of uploaded 3D models, run in a child process with memory and CPU
limits (see mesh_upload.py) so that a hostile file cannot hang or crash the server.

Every format is identified by its content, never the file name, and every count that decides
how much memory parsing will take (GLB accessor counts, PLY header counts, OBJ face lines) is
checked against the triangle cap *before* any array is allocated.

Run as `python -m kiosk.backend.catalogue.mesh_parse IN OUT MAX_BYTES MAX_TRIANGLES MAX_DIM UP`:
prints one JSON line (the result or {"status", "error"}) and writes the normalised binary PLY
(metres, Y up, centred on the floor) to OUT.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import zipfile
from io import BytesIO

import numpy as np

MODEL_SUFFIXES = (".glb", ".gltf", ".obj", ".ply")


class MeshError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def sniff(data: bytes) -> str:
    if data[:4] == b"glTF":
        return "glb"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        raise MeshError(415, "this file is a PNG image, not a 3D model (expected GLB, glTF, OBJ or PLY)")
    if data[:3] == b"\xff\xd8\xff":
        raise MeshError(415, "this file is a JPEG image, not a 3D model (expected GLB, glTF, OBJ or PLY)")
    if data[:4] == b"PK\x03\x04":
        return "zip"
    if re.match(rb"ply\r?\n", data[:5]):
        return "ply"
    head = data[:4096].lstrip()
    if head[:1] == b"{":
        return "gltf"
    if re.search(rb"(?m)^(v|f|vn|vt|o|g|mtllib|usemtl)\s", data[:65536]) and b"\x00" not in data[:65536]:
        return "obj"
    raise MeshError(415, "unrecognised file: expected a GLB, glTF, OBJ or PLY 3D model")


def unzip_model(data: bytes, max_bytes: int, max_triangles: int) -> tuple[str, bytes]:
    """The one model file inside a ZIP, decompressed in bounded chunks: the declared sizes are
    not trusted, the bytes actually produced are counted (zip bombs stop at the cap)."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = [
            i for i in archive.infolist() if i.filename.lower().endswith(MODEL_SUFFIXES) and not i.is_dir()
        ]
    except zipfile.BadZipFile as exc:
        raise MeshError(422, f"broken ZIP archive: {exc}") from None
    if len(members) != 1:
        raise MeshError(
            422, f"the ZIP must hold exactly one .glb/.gltf/.obj/.ply file, it holds {len(members)}"
        )
    info = members[0]
    out, faces = bytearray(), 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                out += chunk
                if len(out) > max_bytes:
                    raise MeshError(413, f"the ZIP expands beyond {max_bytes} bytes (zip bomb?); refused")
                if info.filename.lower().endswith(".obj"):
                    faces += chunk.count(b"\nf ")  # a lower bound: every face is at least one triangle
                    if faces > max_triangles:
                        raise MeshError(
                            422, f"the OBJ has more than {max_triangles} triangles; simplify it first"
                        )
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise MeshError(422, f"broken ZIP archive: {exc}") from None
    return info.filename, bytes(out)


_COMPONENTS = {5120: "i1", 5121: "u1", 5122: "i2", 5123: "u2", 5125: "u4", 5126: "f4"}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


def _accessor(doc: dict, buffers: list[bytes], index: int, max_count: int, what: str) -> np.ndarray:
    try:
        acc = doc["accessors"][index]
        count, width = int(acc["count"]), _WIDTH[acc["type"]]
        dtype = np.dtype(_COMPONENTS[acc["componentType"]]).newbyteorder("<")
        view = doc["bufferViews"][acc["bufferView"]]
        buf = buffers[view.get("buffer", 0)]
    except (KeyError, IndexError, TypeError, ValueError):
        raise MeshError(422, f"glTF {what} accessor {index} is malformed") from None
    if count < 0 or count > max_count:
        raise MeshError(422, f"glTF {what} count {count} is over the limit of {max_count}")
    start = int(view.get("byteOffset", 0)) + int(acc.get("byteOffset", 0))
    stride = int(view.get("byteStride", 0)) or dtype.itemsize * width
    end = start + (count - 1) * stride + dtype.itemsize * width if count else start
    if start < 0 or end > len(buf) or end > int(view.get("byteOffset", 0)) + int(view["byteLength"]):
        raise MeshError(422, f"glTF {what} data runs past its buffer (truncated file?)")
    arr = np.ndarray((count, width), dtype=dtype, buffer=buf, offset=start, strides=(stride, dtype.itemsize))
    return np.array(arr)


def _gltf_mesh(doc: dict, buffers: list[bytes], max_triangles: int) -> tuple[np.ndarray, np.ndarray]:
    verts, faces, base = [], [], 0
    prims = [p for m in doc.get("meshes", []) for p in m.get("primitives", [])]
    if not prims:
        raise MeshError(422, "the glTF has no meshes")
    budget = max_triangles
    for prim in prims:
        if prim.get("mode", 4) != 4:
            raise MeshError(422, "only triangle meshes are accepted (glTF primitive mode 4)")
        if "POSITION" not in prim.get("attributes", {}):
            raise MeshError(422, "a glTF primitive has no POSITION attribute")
        pos = _accessor(doc, buffers, prim["attributes"]["POSITION"], 3 * max_triangles, "POSITION")
        if "indices" in prim:
            idx = _accessor(doc, buffers, prim["indices"], 3 * budget, "indices").reshape(-1).astype(np.int64)
        else:
            idx = np.arange(len(pos) - len(pos) % 3, dtype=np.int64)
        if len(idx) % 3 or (len(idx) and (idx.min() < 0 or idx.max() >= len(pos))):
            raise MeshError(422, "glTF indices are not whole triangles inside the vertex list")
        budget -= len(idx) // 3
        verts.append(pos[:, :3].astype(np.float64))
        faces.append(idx.reshape(-1, 3) + base)
        base += len(pos)
    return np.concatenate(verts), np.concatenate(faces)


def parse_glb(data: bytes, max_triangles: int) -> tuple[np.ndarray, np.ndarray]:
    if len(data) < 20:
        raise MeshError(422, "truncated GLB: shorter than its 12-byte header and first chunk")
    _, version, length = struct.unpack_from("<4sII", data)
    if version != 2:
        raise MeshError(422, f"GLB version {version} is not supported (need 2)")
    if length != len(data):
        raise MeshError(422, f"truncated GLB: the header says {length} bytes, the file has {len(data)}")
    offset, doc, binary = 12, None, b""
    while offset + 8 <= len(data):
        chunk_len, chunk_type = struct.unpack_from("<II", data, offset)
        body = data[offset + 8 : offset + 8 + chunk_len]
        if len(body) != chunk_len:
            raise MeshError(422, "truncated GLB: a chunk runs past the end of the file")
        if chunk_type == 0x4E4F534A:  # JSON
            try:
                doc = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise MeshError(422, "GLB JSON chunk is not valid JSON") from None
        elif chunk_type == 0x004E4942:  # BIN
            binary = body
        offset += 8 + chunk_len
    if not isinstance(doc, dict):
        raise MeshError(422, "GLB has no JSON chunk")
    return _gltf_mesh(doc, [binary], max_triangles)


def parse_gltf(data: bytes, max_triangles: int) -> tuple[np.ndarray, np.ndarray]:
    import base64

    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise MeshError(422, "the .gltf file is not valid JSON") from None
    buffers = []
    for buf in doc.get("buffers", []):
        uri = buf.get("uri", "")
        if not uri.startswith("data:"):
            raise MeshError(
                422, "glTF with external buffer files: upload a .glb (or embed the buffers) instead"
            )
        try:
            buffers.append(base64.b64decode(uri.split(",", 1)[1], validate=True))
        except (ValueError, IndexError):
            raise MeshError(422, "a glTF embedded buffer is not valid base64") from None
    return _gltf_mesh(doc, buffers, max_triangles)


def parse_obj(data: bytes, max_triangles: int) -> tuple[np.ndarray, np.ndarray]:
    # Count before building anything: a face line is at least one triangle.
    face_lines = data.count(b"\nf ") + data.startswith(b"f ")
    if face_lines > max_triangles:
        raise MeshError(422, f"the OBJ has more than {max_triangles} triangles; simplify it first")
    verts: list[list[float]] = []
    faces: list[tuple[int, int, int]] = []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == "v":
                verts.append([float(x) for x in parts[1:4]])
            elif parts[0] == "f":
                idx = [int(p.split("/")[0]) for p in parts[1:]]
                idx = [i - 1 if i > 0 else len(verts) + i for i in idx]
                faces.extend((idx[0], idx[k], idx[k + 1]) for k in range(1, len(idx) - 1))
                if len(faces) > max_triangles:
                    raise MeshError(
                        422, f"the OBJ has more than {max_triangles} triangles; simplify it first"
                    )
        except ValueError:
            raise MeshError(422, f"OBJ line {number} is malformed: {line[:60]!r}") from None
    if any(len(v) != 3 for v in verts):
        raise MeshError(422, "an OBJ vertex has fewer than three coordinates")
    v = np.asarray(verts, dtype=np.float64).reshape(-1, 3)
    f = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    if len(f) and (f.min() < 0 or f.max() >= len(v)):
        raise MeshError(422, "an OBJ face refers to a vertex that does not exist")
    return v, f


_PLY_TYPES = {
    "char": "i1",
    "int8": "i1",
    "uchar": "u1",
    "uint8": "u1",
    "short": "i2",
    "int16": "i2",
    "ushort": "u2",
    "uint16": "u2",
    "int": "i4",
    "int32": "i4",
    "uint": "u4",
    "uint32": "u4",
    "float": "f4",
    "float32": "f4",
    "double": "f8",
    "float64": "f8",
}


def parse_ply(data: bytes, max_triangles: int) -> tuple[np.ndarray, np.ndarray]:
    end = data.find(b"end_header")
    if end < 0 or end > 65536:
        raise MeshError(422, "PLY header has no end_header line")
    body_start = data.index(b"\n", end) + 1
    header = data[:end].decode("ascii", "replace").splitlines()
    fmt, elements = None, []
    for line in header:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "format":
            fmt = parts[1]
        elif parts[0] == "element":
            elements.append({"name": parts[1], "count": int(parts[2]), "props": []})
        elif parts[0] == "property" and elements:
            elements[-1]["props"].append(parts[1:])
    counts = {e["name"]: e["count"] for e in elements}
    if counts.get("face", 0) > max_triangles:
        raise MeshError(
            422, f"the PLY declares {counts['face']} faces, over the limit of {max_triangles} triangles"
        )
    if counts.get("vertex", 0) > 3 * max_triangles:
        raise MeshError(422, f"the PLY declares {counts['vertex']} vertices, over the limit")
    if fmt not in ("ascii", "binary_little_endian", "binary_big_endian"):
        raise MeshError(422, f"PLY format {fmt!r} is not supported")
    if [e["name"] for e in elements[:2]] != ["vertex", "face"]:
        raise MeshError(422, "PLY must list the vertex element, then the face element")
    vprops = elements[0]["props"]
    if any(p[0] == "list" for p in vprops):
        raise MeshError(422, "PLY vertex properties must be scalars")
    names = [p[1] for p in vprops]
    if not {"x", "y", "z"} <= set(names):
        raise MeshError(422, "PLY vertices need x, y and z")
    nv, nf = counts["vertex"], counts["face"]
    if fmt == "ascii":
        tokens = data[body_start:].split()
        need = nv * len(names)
        if len(tokens) < need:
            raise MeshError(422, "truncated PLY: fewer vertex values than the header declares")
        table = np.array(tokens[:need], dtype=np.float64).reshape(nv, len(names))
        v = table[:, [names.index(a) for a in "xyz"]]
        faces, pos = [], need
        for _ in range(nf):
            if pos >= len(tokens):
                raise MeshError(422, "truncated PLY: fewer faces than the header declares")
            n = int(tokens[pos])
            idx = [int(t) for t in tokens[pos + 1 : pos + 1 + n]]
            faces.extend((idx[0], idx[k], idx[k + 1]) for k in range(1, n - 1))
            pos += 1 + n
            if len(faces) > max_triangles:
                raise MeshError(422, f"the PLY has more than {max_triangles} triangles")
        f = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    else:
        order = "<" if fmt == "binary_little_endian" else ">"
        vdtype = np.dtype([(p[1], order + _PLY_TYPES[p[0]]) for p in vprops])
        vend = body_start + nv * vdtype.itemsize
        if vend > len(data):
            raise MeshError(422, "truncated PLY: the vertex data is shorter than the header declares")
        table = np.frombuffer(data, dtype=vdtype, count=nv, offset=body_start)
        v = np.stack([table[a].astype(np.float64) for a in "xyz"], axis=1)
        fprop = elements[1]["props"][0]
        if fprop[0] != "list":
            raise MeshError(422, "PLY faces need a vertex index list")
        ctype, itype = np.dtype(order + _PLY_TYPES[fprop[1]]), np.dtype(order + _PLY_TYPES[fprop[2]])
        fdtype = np.dtype([("n", ctype), ("i", itype, (3,))])  # the common all-triangles layout
        if vend + nf * fdtype.itemsize > len(data):
            raise MeshError(422, "truncated PLY: the face data is shorter than the header declares")
        ftable = np.frombuffer(data, dtype=fdtype, count=nf, offset=vend)
        if nf and not np.all(ftable["n"] == 3):
            raise MeshError(422, "binary PLY faces must be triangles")
        f = ftable["i"].astype(np.int64)
    if len(f) and (f.min() < 0 or f.max() >= len(v)):
        raise MeshError(422, "a PLY face refers to a vertex that does not exist")
    return v, f


def normalise(v: np.ndarray, f: np.ndarray, up: str, max_dim: float, target_dims) -> tuple[np.ndarray, dict]:
    """To metres, Y up, centred on x/z and standing on y=0. Units: scaled to the product's
    dimensions when staff gave them, else inferred (extents above max_dim are taken as cm or mm)."""
    if len(f) == 0 or len(v) < 3:
        raise MeshError(422, "the model has no triangles")
    if not np.all(np.isfinite(v)):
        bad = int((~np.isfinite(v)).any(axis=1).sum())
        raise MeshError(422, f"the model has {bad} vertices with NaN or infinite coordinates")
    if up == "z":
        v = v[:, [0, 2, 1]] * np.array([1.0, 1.0, -1.0])
    used = v[np.unique(f)]
    lo, hi = used.min(axis=0), used.max(axis=0)
    extent = hi - lo
    if extent.max() <= 0:
        raise MeshError(422, "the model is flat or a single point")
    if target_dims:
        w, d, h = target_dims
        scale = max(w, d, h) / extent.max()
    else:
        scale = 1.0
        for factor in (1.0, 0.01, 0.001):  # metres, centimetres, millimetres
            scale = factor
            if extent.max() * factor <= max_dim:
                break
    v = (v - np.array([(lo[0] + hi[0]) / 2, lo[1], (lo[2] + hi[2]) / 2])) * scale
    dims = extent * scale
    if dims.max() > max_dim or dims.max() < 0.01:
        raise MeshError(422, f"the model measures {dims.max():.3g} m across; expected 0.01..{max_dim} m")
    return v, {"dimensions_m": [round(float(dims[0]), 4), round(float(dims[2]), 4), round(float(dims[1]), 4)]}


def write_ply(path: str, v: np.ndarray, f: np.ndarray) -> None:
    header = (
        "ply\nformat binary_little_endian 1.0\n"
        f"element vertex {len(v)}\nproperty float x\nproperty float y\nproperty float z\n"
        f"element face {len(f)}\nproperty list uchar uint vertex_indices\nend_header\n"
    )
    faces = np.empty(len(f), dtype=[("n", "u1"), ("i", "<u4", (3,))])
    faces["n"] = 3
    faces["i"] = f
    with open(path, "wb") as out:
        out.write(header.encode())
        out.write(v.astype("<f4").tobytes())
        out.write(faces.tobytes())


PARSERS = {"glb": parse_glb, "gltf": parse_gltf, "obj": parse_obj, "ply": parse_ply}


def process(
    data: bytes, out_path: str, max_bytes: int, max_triangles: int, max_dim: float, up: str, dims
) -> dict:
    fmt = sniff(data)
    if fmt == "zip":
        _, data = unzip_model(data, max_bytes, max_triangles)
        fmt = sniff(data)
        if fmt == "zip":
            raise MeshError(422, "a ZIP inside a ZIP is not accepted")
    v, f = PARSERS[fmt](data, max_triangles)
    if len(f) > max_triangles:
        raise MeshError(422, f"the model has {len(f)} triangles, over the limit of {max_triangles}")
    v, info = normalise(v, f, up, max_dim, dims)
    write_ply(out_path, v, f)
    return {"status": 200, "format": fmt, "triangles": len(f), "vertices": len(v), **info}


def main(argv: list[str]) -> int:
    in_path, out_path, max_bytes, max_tri, max_dim, up, dims = argv
    with open(in_path, "rb") as fh:
        data = fh.read()
    try:
        result = process(data, out_path, int(max_bytes), int(max_tri), float(max_dim), up, json.loads(dims))
    except MeshError as exc:
        result = {"status": exc.status, "error": exc.message}
    except MemoryError:
        result = {"status": 422, "error": "the model needs more memory to parse than is allowed"}
    except (ValueError, IndexError, KeyError, TypeError, struct.error) as exc:
        result = {"status": 422, "error": f"the model file is malformed: {exc}"[:300]}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
