"""3D model uploads: valid GLB/OBJ/PLY are normalised to metres and Y-up; hostile files are
refused with a clear 4xx within a bounded time (the parser runs in a capped child process)."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile

import numpy as np
import pytest

SOFA = "fur-test-sofa"
FURNITURE = {
    "id": SOFA,
    "kind": "furniture",
    "brand": "Test",
    "name_en": "Sofa",
    "name_ar": "كنبة",
    "price_sar": 2500,
    "aisle": "F1",
    "tags": ["sofa"],
    "variants": [{"sku": "SOFA-GRY", "name_en": "Grey", "name_ar": "رمادي", "hex": "#888888", "stock": 2}],
    "style": ["modern"],
}
TIME_BOUND_S = 15


def box(size=(2.0, 0.9, 0.8)) -> tuple[np.ndarray, np.ndarray]:
    w, h, d = size
    v = np.array([[x, y, z] for x in (0, w) for y in (0, h) for z in (0, d)], dtype=np.float32)
    f = np.array(
        [
            [0, 1, 3],
            [0, 3, 2],
            [4, 6, 7],
            [4, 7, 5],
            [0, 4, 5],
            [0, 5, 1],
            [2, 3, 7],
            [2, 7, 6],
            [0, 2, 6],
            [0, 6, 4],
            [1, 5, 7],
            [1, 7, 3],
        ],
        dtype=np.uint32,
    )
    return v, f


def glb(v: np.ndarray, f: np.ndarray) -> bytes:
    binary = v.astype("<f4").tobytes() + f.astype("<u4").tobytes()
    doc = {
        "asset": {"version": "2.0"},
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": v.nbytes},
            {"buffer": 0, "byteOffset": v.nbytes, "byteLength": f.nbytes},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": len(v), "type": "VEC3"},
            {"bufferView": 1, "componentType": 5125, "count": f.size, "type": "SCALAR"},
        ],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
    }
    js = json.dumps(doc).encode()
    js += b" " * (-len(js) % 4)
    binary += b"\0" * (-len(binary) % 4)
    body = struct.pack("<II", len(js), 0x4E4F534A) + js + struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def obj(v, f) -> bytes:
    lines = [f"v {x} {y} {z}" for x, y, z in v] + [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in f]
    return ("\n".join(lines) + "\n").encode()


def ply_ascii(v, f) -> bytes:
    head = f"ply\nformat ascii 1.0\nelement vertex {len(v)}\n"
    head += "property float x\nproperty float y\nproperty float z\n"
    head += f"element face {len(f)}\nproperty list uchar int vertex_indices\nend_header\n"
    return (
        head + "".join(f"{x} {y} {z}\n" for x, y, z in v) + "".join(f"3 {a} {b} {c}\n" for a, b, c in f)
    ).encode()


@pytest.fixture
def staff(sqlite_backend):
    csrf = sqlite_backend.sign_in()
    h = {"X-CSRF-Token": csrf}
    assert (
        sqlite_backend.client.post("/api/v1/stores/riyadh-01/products", json=FURNITURE, headers=h).status_code
        == 201
    )
    return sqlite_backend, h


def upload(staff, name: str, data: bytes, **form):
    backend, h = staff
    start = time.monotonic()
    r = backend.client.post(
        f"/api/v1/stores/riyadh-01/products/{SOFA}/model", files={"file": (name, data)}, data=form, headers=h
    )
    assert time.monotonic() - start < TIME_BOUND_S
    return r


@pytest.mark.parametrize(
    ("name", "make"),
    [("sofa.glb", glb), ("sofa.obj", obj), ("sofa.ply", ply_ascii)],
)
def test_valid_models_are_normalised_and_served_to_kiosks(staff, name, make):
    v, f = box()
    r = upload(staff, name, make(v, f))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["triangles"] == 12 and body["dimensions_m"] == pytest.approx([2.0, 0.8, 0.9])
    backend, _ = staff
    cat = backend.client.get("/api/v1/kiosk/catalogue", headers=backend.kiosk_headers).json()
    product = next(p for p in cat["products"] if p["id"] == SOFA)
    assert product["model"] == body["model"] and product["dimensions_m"] == body["dimensions_m"]
    blob = backend.client.get(
        f"/api/v1/kiosk/assets/{body['model'].split('/')[-1]}", headers=backend.kiosk_headers
    )
    assert blob.status_code == 200 and blob.content.startswith(b"ply\nformat binary_little_endian")


def test_centimetre_obj_in_a_zip_with_z_up_becomes_metres_y_up(staff):
    v, f = box((200.0, 80.0, 90.0))  # a Z-up file in centimetres: 2 m wide, 0.8 m deep, 0.9 m tall
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sofa/sofa.obj", obj(v, f))
        zf.writestr("sofa/readme.txt", "CC-BY")
    r = upload(staff, "sofa.zip", archive.getvalue(), up_axis="z")
    assert r.status_code == 200, r.text
    assert r.json()["dimensions_m"] == pytest.approx([2.0, 0.8, 0.9])


def test_truncated_glb(staff):
    data = glb(*box())
    r = upload(staff, "sofa.glb", data[: len(data) // 2])
    assert r.status_code == 422 and "truncated GLB" in str(r.json()["detail"])


def test_png_renamed_glb(staff):
    png = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 200
    r = upload(staff, "sofa.glb", png)
    assert r.status_code == 415 and "PNG image" in str(r.json()["detail"])


def test_nan_vertices(staff):
    v, f = box()
    v[3] = [np.nan, 0, np.inf]
    for name, data in (("sofa.glb", glb(v, f)), ("sofa.obj", obj(v, f))):
        r = upload(staff, name, data)
        assert r.status_code == 422 and "NaN or infinite" in str(r.json()["detail"]), (name, r.text)


def test_zip_bomb(staff):
    archive = io.BytesIO()
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("bomb.ply", "w", force_zip64=True) as f,
    ):
        f.write(b"ply\nformat ascii 1.0\n")
        zeros = b"\0" * (1 << 20)
        for _ in range(200):  # 200 MB that compresses to ~200 KB
            f.write(zeros)
    assert len(archive.getvalue()) < 1_000_000
    r = upload(staff, "model.zip", archive.getvalue())
    assert r.status_code == 413 and "zip bomb" in str(r.json()["detail"])


def test_fifty_million_triangle_obj_is_refused_by_count_before_parsing(staff):
    # 50 M faces (400 MB of text) compressed to ~0.6 MB: refused after counting ~500 k face
    # lines in the decompressed stream, without decompressing the rest or building arrays.
    archive = io.BytesIO()
    chunk = b"f 1 2 3\n" * 131072
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("huge.obj", "w", force_zip64=True) as f,
    ):
        f.write(b"v 0 0 0\nv 1 0 0\nv 0 1 0\n")
        for _ in range(382):
            f.write(chunk)
    r = upload(staff, "huge.zip", archive.getvalue())
    assert r.status_code == 422 and "more than 500000 triangles" in str(r.json()["detail"])


def test_fifty_million_face_ply_header_is_refused_before_reading(staff):
    head = b"ply\nformat binary_little_endian 1.0\nelement vertex 3\n"
    head += b"property float x\nproperty float y\nproperty float z\n"
    head += b"element face 50000000\nproperty list uchar uint vertex_indices\nend_header\n"
    r = upload(staff, "huge.ply", head + b"\0" * 64)
    assert r.status_code == 422 and "50000000 faces" in str(r.json()["detail"])


def test_oversized_upload_and_non_furniture(staff):
    backend, h = staff
    r = upload(staff, "big.glb", b"glTF" + b"\0" * (backend.settings.upload_max_bytes + 10))
    assert r.status_code == 413
    r = backend.client.post(
        "/api/v1/stores/riyadh-01/products/lip-sahra-velvet/model",
        files={"file": ("a.glb", glb(*box()))},
        headers=h,
    )
    assert r.status_code == 422 and "furniture" in str(r.json()["detail"])
