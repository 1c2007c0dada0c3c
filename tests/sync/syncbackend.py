"""The real backend for the sync tests: seeded with kiosk.backend.demo.seed_demo, served by
uvicorn in its own process on a loopback port, stoppable and restartable mid-test.
(A module of its own, not conftest.py: test modules import from it, and every test folder
has a conftest.py of the same name.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from kiosk.loopback import free_port

REPO = Path(__file__).resolve().parents[2]
SERVE = Path(__file__).resolve().parent / "serve_backend.py"


def wait_until(predicate, timeout_s: float, what: str, every_s: float = 0.05):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


@dataclass
class Backend:
    database_url: str
    data_dir: Path
    port: int
    token: str
    store_id: str
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.data_dir / "backend.log", "ab")  # noqa: SIM115 (the child process keeps it)
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVE), self.database_url, str(self.data_dir), str(self.port)],
            cwd=REPO,
            stdout=log,
            stderr=log,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        log.close()

        def healthy() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"backend exited: {(self.data_dir / 'backend.log').read_text()[-2000:]}")
            try:
                return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, 60, "the backend's /healthz")

    def kill(self) -> None:
        """SIGKILL: the harshest stop, no chance to finish what it was doing."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def query(self, sql: str, **params) -> list[tuple]:
        """Reads (or pokes) the backend's database directly, whichever database it runs on."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url)
        try:
            with engine.begin() as db:
                result = db.execute(text(sql), params)
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def new_kiosk(self, name: str) -> tuple[int, str]:
        """Another kiosk of the demo store (id, token): each test counts only its own events."""
        from kiosk.backend.db import make_engine, make_sessionmaker, session_scope
        from kiosk.backend.kiosks.service import create_kiosk

        engine = make_engine(self.database_url)
        try:
            with session_scope(make_sessionmaker(engine)) as db:
                made = create_kiosk(db, self.store_id, name, None)
                return made.kiosk.id, made.token
        finally:
            engine.dispose()

    def kiosk_id(self, token: str) -> int:
        from kiosk.backend.auth.service import sha256_hex

        [(kiosk_id,)] = self.query("SELECT id FROM kiosks WHERE token_hash = :h", h=sha256_hex(token))
        return kiosk_id


def make_backend(tmp: Path, database_url: str | None = None) -> Backend:
    from kiosk.backend.demo import seed_demo

    tmp.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{tmp / 'backend.sqlite3'}"
    seed = seed_demo(database_url, tmp)
    return Backend(
        database_url=database_url,
        data_dir=tmp,
        port=free_port(),
        token=seed.kiosk_token,
        store_id=seed.store_id,
    )
