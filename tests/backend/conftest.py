"""A seeded backend app on SQLite or PostgreSQL, driven in-process with Starlette's TestClient.

Seeding (migrations, 18 products, argon2) takes seconds, so it runs once per session into a
template (a SQLite file / a PostgreSQL template database) that each test copies."""

from __future__ import annotations

import shutil
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette nudges towards httpx2, which is not installed
    from fastapi.testclient import TestClient

from kiosk.backend.app import create_app
from kiosk.backend.demo import DemoSeed, seed_demo
from kiosk.backend.process import start_backend_process
from kiosk.backend.settings import load_settings
from kiosk.backend.throwaway_pg import create_database, drop_database
from kiosk.loopback import free_port


@dataclass
class Backend:
    client: TestClient
    seed: DemoSeed
    settings: object
    database_url: str

    @property
    def kiosk_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.seed.kiosk_token}"}

    def sign_in(
        self, email: str | None = None, password: str | None = None, client: TestClient | None = None
    ) -> str:
        """Signs the client in (cookie) and returns the CSRF token to send with changes."""
        client = client or self.client
        r = client.post(
            "/api/v1/auth/login",
            json={"email": email or self.seed.admin_email, "password": password or self.seed.admin_password},
        )
        assert r.status_code == 200, r.text
        return r.json()["csrf_token"]

    def new_client(self) -> TestClient:
        return TestClient(self.client.app)


@dataclass
class Template:
    database_url: str
    data_dir: Path
    seed: DemoSeed


def settings_for(database_url: str, data_dir: Path, **overrides):
    defaults = dict(cookie_secure=False, purge_interval_s=0, help_stream_max_s=1)
    return load_settings(
        dev_mode=True, database_url=database_url, data_dir=data_dir, **{**defaults, **overrides}
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Template:
    root = tmp_path_factory.mktemp("sqlite-template")
    url = f"sqlite:///{root / 'template.db'}"
    return Template(url, root / "data", seed_demo(url, root / "data"))


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url, tmp_path_factory) -> Template:
    root = tmp_path_factory.mktemp("pg-template")
    url = create_database(postgres_server_url, f"tmpl_{uuid.uuid4().hex[:12]}")
    return Template(url, root / "data", seed_demo(url, root / "data"))


def copy_template(kind: str, request, tmp_path: Path) -> tuple[str, Path, DemoSeed]:
    data_dir = tmp_path / "data"
    if kind == "sqlite":
        tmpl: Template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "maraya.db"
        shutil.copyfile(tmpl.database_url.removeprefix("sqlite:///"), target)
        url = f"sqlite:///{target}"
    else:
        tmpl = request.getfixturevalue("postgres_template")
        server = request.getfixturevalue("postgres_server_url")
        name = f"t_{uuid.uuid4().hex[:16]}"
        url = create_database(server, name, sa.engine.make_url(tmpl.database_url).database)
        request.addfinalizer(lambda: drop_database(server, name))  # FORCE closes the app's pool too
    shutil.copytree(tmpl.data_dir, data_dir)
    return url, data_dir, tmpl.seed


def make_backend(kind: str, request, tmp_path: Path, **overrides) -> Backend:
    url, data_dir, seed = copy_template(kind, request, tmp_path)
    settings = settings_for(url, data_dir, **overrides)
    return Backend(TestClient(create_app(settings)), seed, settings, url)


@pytest.fixture
def server(request, tmp_path) -> Iterator[tuple[str, DemoSeed]]:
    """The real `kiosk backend` process on loopback, on a copy of the seeded SQLite database:
    its URL and the demo seed (for the browser tests)."""
    url, data_dir, seed = copy_template("sqlite", request, tmp_path)
    port = free_port()
    proc = start_backend_process(url, data_dir, port)
    yield f"http://127.0.0.1:{port}", seed
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path):
    """The seeded app, once on SQLite and once on PostgreSQL."""
    b = make_backend(request.param, request, tmp_path)
    with b.client:
        yield b


@pytest.fixture
def backend_factory(request, tmp_path):
    """make(kind, **settings_overrides) -> a seeded Backend whose client is not yet started."""
    return lambda kind, **overrides: make_backend(kind, request, tmp_path, **overrides)


@pytest.fixture
def sqlite_backend(request, tmp_path):
    b = make_backend("sqlite", request, tmp_path)
    with b.client:
        yield b


@dataclass
class SeededDatabase:
    database_url: str
    data_dir: Path
    seed: DemoSeed


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded_database(request, tmp_path) -> SeededDatabase:
    """A seeded database (and data directory) for tests that run the server out of process."""
    return SeededDatabase(*copy_template(request.param, request, tmp_path))
