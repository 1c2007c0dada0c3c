"""Fixtures of the sync tests: the real backend, shared per module or owned by one test."""

from __future__ import annotations

import pytest
from syncbackend import make_backend


@pytest.fixture(scope="module")
def live_backend(tmp_path_factory):
    """One running backend shared by a module's tests (each test uses its own kiosk)."""
    backend = make_backend(tmp_path_factory.mktemp("backend"))
    backend.start()
    yield backend
    backend.kill()


@pytest.fixture
def own_backend(tmp_path, database_url):
    """A backend this test may stop and restart, on SQLite and on PostgreSQL (tests/conftest.py)."""
    backend = make_backend(tmp_path / "backend", database_url)
    backend.start()
    yield backend
    backend.kill()
