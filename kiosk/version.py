"""The software version the kiosk reports in its heartbeat: pyproject.toml's, never a hand copy.

Installed (wheel or editable), the package metadata has it. Run from a bare source checkout that
was never installed, the pyproject.toml beside the package does; failing both, a version that
says so rather than a made-up number."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DISTRIBUTION = "maraya"
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
UNKNOWN = "0+unknown"


def software_version(distribution: str = DISTRIBUTION, pyproject: Path = PYPROJECT) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        pass
    try:
        return str(tomllib.loads(pyproject.read_text())["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return UNKNOWN


SOFTWARE_VERSION = software_version()
