"""Database URLs for tests in every folder: a real SQLite file (WAL) and a real PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL when set (the server must let that role CREATE
DATABASE); otherwise a throwaway cluster (kiosk.backend.throwaway_pg) is started on a free
loopback port and stopped at the end of the session. Without PostgreSQL binaries the
PostgreSQL cases are skipped, except under CI=true, where that is a failure. Each test gets
its own fresh database (`postgres_database_url`).
"""

from __future__ import annotations

import os
import uuid

import pytest

from kiosk.backend.throwaway_pg import PostgresUnavailable, ThrowawayPostgres, create_database, drop_database


def _no_postgres(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


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
