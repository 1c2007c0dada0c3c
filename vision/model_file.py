"""Reading a model file that ships in models/, checked against the sha256 its provenance records.

A model that was altered or truncated must fail loudly at load, naming the file and how to get
it back, never half-work: a corrupt landmark model would otherwise paint makeup in odd places.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class ModelFileError(RuntimeError):
    """A model file is missing or is not the file we ship."""


def read_checked(path: Path, sha256: str, what: str, restore: str, error: type[ModelFileError]) -> bytes:
    """The bytes of `path` if their sha256 is `sha256`; else `error` naming `what` (e.g. "face
    model") and `restore`, how to get the real file back."""
    if not path.is_file():
        raise error(f"{what} missing: {path}. It ships in the repo (see models/PROVENANCE.md); {restore}.")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise error(
            f"{what} altered or corrupt: {path} has sha256 {digest}, expected {sha256} (models/PROVENANCE.md)"
        )
    return data
