"""The heartbeat's software version is pyproject.toml's, with no hand copy to fall behind."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kiosk.version import SOFTWARE_VERSION, UNKNOWN, software_version

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_pyprojects():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"] == SOFTWARE_VERSION


def test_a_checkout_that_was_never_installed_reads_its_pyproject(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "maraya"\nversion = "9.8.7"\n')
    assert software_version("no-such-distribution", pyproject) == "9.8.7"


def test_with_neither_it_says_unknown(tmp_path):
    assert software_version("no-such-distribution", tmp_path / "missing.toml") == UNKNOWN
    (tmp_path / "bad.toml").write_text("[project\n")
    assert software_version("no-such-distribution", tmp_path / "bad.toml") == UNKNOWN
