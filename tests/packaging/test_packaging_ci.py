"""Data from ../shared (absent in a fresh clone) is optional on a developer's machine and required
under CI=true, like PostgreSQL and Chromium: one helper, tests/conftest.py's `require_shared`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
SHARED_PATHS = re.compile(r"\b(SHARED_\w+|LONDON\w*)\b|\"shared\"")


def test_missing_shared_data_skips_but_fails_under_ci(require_shared, monkeypatch, tmp_path):
    assert require_shared(tmp_path) == tmp_path
    missing = tmp_path / "faces"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI=true"):
        require_shared(missing)
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="absent in a fresh clone"):
        require_shared(missing)


def test_every_test_reading_shared_data_goes_through_the_helper():
    readers = [p for p in TESTS.rglob("*.py") if p != Path(__file__) and SHARED_PATHS.search(p.read_text())]
    assert readers, "the scan should find the deep-skin and shade-range tests"
    assert [str(p.relative_to(TESTS)) for p in readers if "require_shared" not in p.read_text()] == []
