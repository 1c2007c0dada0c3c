"""Runs mesh_parse in a child process with an address-space cap, a CPU-time cap and a wall
clock timeout, then stores the normalised model under data_dir/uploads/<sha256>.ply."""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.catalogue.models import Product
from kiosk.backend.catalogue.schemas import ModelUploadResult
from kiosk.backend.catalogue.service import bump_catalogue_version
from kiosk.backend.db import unit_of_work
from kiosk.backend.settings import BackendSettings

WORKER_MEMORY_BYTES = 1536 * 1024 * 1024
_NAME = re.compile(r"^[0-9a-f]{64}\.ply$")


class UploadRejected(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class StoredMesh:
    format: str
    triangles: int
    vertices: int
    dimensions_m: tuple[float, float, float]
    sha256: str
    name: str


def _limits(cpu_s: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))

    return apply


def validate_and_store(data: bytes, settings: BackendSettings, up_axis: str, dims) -> StoredMesh:
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=uploads) as tmp:
        src, out = Path(tmp) / "upload.bin", Path(tmp) / "model.ply"
        src.write_bytes(data)
        args = [
            sys.executable,
            "-m",
            "kiosk.backend.catalogue.mesh_parse",
            str(src),
            str(out),
            str(settings.upload_max_bytes),
            str(settings.upload_max_triangles),
            str(settings.upload_max_dimension_m),
            up_axis,
            json.dumps(list(dims) if dims else None),
        ]
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:
            proc = subprocess.run(
                args,
                capture_output=True,
                timeout=settings.upload_parse_timeout_s,
                env=env,
                preexec_fn=_limits(int(settings.upload_parse_timeout_s) + 1),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise UploadRejected(
                422, f"the model took longer than {settings.upload_parse_timeout_s:g} s to check"
            ) from None
        lines = proc.stdout.decode(errors="replace").strip().splitlines()
        if proc.returncode != 0 or not lines:
            raise UploadRejected(422, "the model could not be parsed within the memory and time allowed")
        result = json.loads(lines[-1])
        if result["status"] != 200:
            raise UploadRejected(result["status"], result["error"])
        blob = out.read_bytes()
    sha = hashlib.sha256(blob).hexdigest()
    name = f"{sha}.ply"
    (uploads / name).write_bytes(blob)
    return StoredMesh(
        format=result["format"],
        triangles=result["triangles"],
        vertices=result["vertices"],
        dimensions_m=tuple(result["dimensions_m"]),
        sha256=sha,
        name=name,
    )


def stored_path(data_dir: Path, name: str) -> Path | None:
    if not _NAME.match(name):
        return None
    path = data_dir / "uploads" / name
    return path if path.is_file() else None


def attach_to_product(db: Session, product: Product, mesh: StoredMesh, actor_id: int) -> ModelUploadResult:
    with unit_of_work(db):
        product.model_path = f"uploads/{mesh.name}"
        product.model_sha256 = mesh.sha256
        product.model_triangles = mesh.triangles
        product.dimensions_m = list(mesh.dimensions_m)
        product.changed_in = bump_catalogue_version(db, product.store_id)
        audit.record(
            db,
            actor_id,
            "product.model",
            f"product:{product.product_id}",
            product.store_id,
            sha256=mesh.sha256,
            triangles=mesh.triangles,
        )
    return ModelUploadResult(
        product_id=product.product_id,
        format=mesh.format,
        triangles=mesh.triangles,
        vertices=mesh.vertices,
        dimensions_m=mesh.dimensions_m,
        sha256=mesh.sha256,
        model=product.model_path,
    )
