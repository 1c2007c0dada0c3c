"""Shared by tests in every folder: database URLs (a real SQLite file in WAL mode and a real
PostgreSQL) and one headless Debian Chromium for the browser tests.

PostgreSQL comes from TEST_DATABASE_URL when set (the server must let that role CREATE
DATABASE); otherwise a throwaway cluster (kiosk.backend.throwaway_pg) is started on a free
loopback port and stopped at the end of the session. Without PostgreSQL binaries the
PostgreSQL cases are skipped, except under CI=true, where that is a failure. Each test gets
its own fresh database (`postgres_database_url`).

Playwright's sync API allows one instance per thread, so every browser test shares the
session's `browser`; it skips cleanly without Debian's chromium, except under CI=true.

The deep-skin portraits and the brand shade ranges live outside the repo in ../shared/data
(absent in a fresh clone): every test that reads them goes through `require_shared`, which skips
there and fails under CI=true, as a missing PostgreSQL or Chromium does.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from kiosk.app.chromium import CHROMIUM, HEADLESS_ARGS
from kiosk.backend.throwaway_pg import PostgresUnavailable, ThrowawayPostgres, create_database, drop_database


def _ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(what: str):
    """A missing outside dependency: a skip on a developer's machine, a failure under CI=true."""
    if _ci():
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(f"{what} is not available")


def _no_postgres(reason: str):
    _unavailable(f"PostgreSQL ({reason})")


def _require_shared(path: Path) -> Path:
    if not path.exists():
        _unavailable(f"{path} (../shared/data, absent in a fresh clone)")
    return path


@pytest.fixture(scope="session")
def require_shared():
    """`require_shared(path)` gives back a path under ../shared/data, or skips (fails under CI=true)."""
    return _require_shared


@pytest.fixture(scope="session")
def postgres_server_url():
    """URL of a PostgreSQL server's maintenance database (for creating test databases)."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    try:
        cluster = ThrowawayPostgres()
        url = cluster.start()
    except PostgresUnavailable as exc:
        if "cluster" in locals():
            cluster.stop()
        _no_postgres(str(exc))
    yield url
    cluster.stop()


@pytest.fixture
def postgres_database_url(postgres_server_url):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = create_database(postgres_server_url, name)
    yield url
    drop_database(postgres_server_url, name)


@pytest.fixture
def sqlite_database_url(tmp_path):
    """A real SQLite file (the backend switches it to WAL when it connects)."""
    return f"sqlite:///{tmp_path / 'maraya.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request):
    """Runs the test once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_database_url")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"Debian's chromium ({CHROMIUM})")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=list(HEADLESS_ARGS))
        yield b
        b.close()
