"""What the wheel ships: the product, not the tooling that pyproject.toml excludes, and nothing
shipped imports an excluded module (which would fail on a kiosk installed from the wheel)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from hatchling.builders.wheel import WheelBuilder

ROOT = Path(__file__).resolve().parents[2]


def _excluded() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["hatch"]["build"]["targets"]["wheel"]["exclude"]


def _shipped() -> list[str]:
    return [f.distribution_path for f in WheelBuilder(str(ROOT)).recurse_included_files()]


def _module(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _imports(path: str) -> set[str]:
    """Absolute names of the modules a file imports (relative imports resolved)."""
    package = _module(path) if path.endswith("__init__.py") else _module(path).rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_tooling_is_left_out_and_the_product_is_in():
    shipped = set(_shipped())
    excluded = _excluded()
    assert excluded and all((ROOT / path).is_file() for path in excluded)  # the list names real files
    assert shipped.isdisjoint(excluded)
    for product in ("kiosk/cli.py", "kiosk/events.py", "kiosk/version.py", "kiosk/backend/API.md"):
        assert product in shipped
    assert not [p for p in shipped if p.startswith(("tests/", "bench/", "tools/"))]


def test_nothing_shipped_imports_excluded_tooling():
    tooling = {_module(path) for path in _excluded()}
    offenders = {path: sorted(_imports(path) & tooling) for path in _shipped() if path.endswith(".py")}
    assert {path: names for path, names in offenders.items() if names} == {}
