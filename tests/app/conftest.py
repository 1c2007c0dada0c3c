"""A running backend (seeded SQLite on loopback) and a running kiosk on the demo clip, shared by
the kiosk's end-to-end tests; every request the kiosk sends to the backend is recorded. Tests
reach the kiosk as its page does: with the per-launch secret (kiosk/app/localguard.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from kiosk.app.commands import parse_command
from kiosk.app.demo import DemoBackend, start_demo_backend
from kiosk.app.localguard import auth_header
from kiosk.app.runtime import KioskRuntime
from kiosk.app.settings import DEMO_CLIP, KioskSettings
from kiosk.loopback import free_port, serve_in_thread, wait_healthy
from kiosk.sync.options import SyncOptions


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    body: bytes


class RecordingTransport(httpx.HTTPTransport):
    """A real HTTP transport that keeps a copy of every request the kiosk makes."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        with self._lock:
            self.sent.append(Sent(request.method, request.url.path, body))
        return super().handle_request(request)

    def snapshot(self) -> list[Sent]:
        with self._lock:
            return list(self.sent)


@dataclass
class Kiosk:
    runtime: KioskRuntime
    url: str
    recorder: RecordingTransport

    @property
    def token(self) -> str:
        return self.runtime.settings.ui_token.get_secret_value()

    @property
    def launch_url(self) -> str:
        """What `kiosk run` prints and the store's Chromium opens."""
        return self.runtime.settings.ui_launch_url

    def api(self, path: str) -> httpx.Response:
        """GET one of the kiosk's /api routes with the secret."""
        return httpx.get(self.url + path, headers=auth_header(self.token))

    def reset(self) -> None:
        """Back to the attract screen, as a shopper walking away would leave it."""
        if self.runtime.machine.session is not None:
            self.command({"cmd": "end"})

    def command(self, cmd: dict) -> None:
        """A command as the page sends it (JSON), parsed and handled as the server does."""
        self.runtime.command(parse_command(cmd))

    def flush_events(self, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while self.runtime.link.status().backlog:
            if time.monotonic() > deadline:
                raise AssertionError(f"outbox not drained: {self.runtime.link.status()}")
            self.runtime.link.worker.wake()
            time.sleep(0.1)


@pytest.fixture(scope="session")
def backend(tmp_path_factory) -> Iterator[DemoBackend]:
    server = start_demo_backend(tmp_path_factory.mktemp("backend"), port=free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def kiosk(backend: DemoBackend, tmp_path_factory) -> Iterator[Kiosk]:
    settings = KioskSettings(
        source=str(DEMO_CLIP),
        backend_url=backend.url,
        kiosk_token=backend.kiosk_token,
        data_dir=tmp_path_factory.mktemp("kiosk"),
        speech_dir=tmp_path_factory.mktemp("speech"),  # replies kept as WAV files, not played
        ui_port=free_port(),
        debug_endpoints=True,
        idle_timeout_s=300,
        face_gone_s=120,
    )
    recorder = RecordingTransport()
    runtime = KioskRuntime(settings, SyncOptions(transport=recorder, heartbeat_s=5.0)).start()
    server = serve_in_thread(runtime.ui_server(), "ui-server")
    url = f"http://127.0.0.1:{settings.ui_port}"
    wait_healthy(url, 30)
    yield Kiosk(runtime, url, recorder)
    runtime.stop()
    server.join(timeout=5)


@pytest.fixture
def page(browser, kiosk: Kiosk):
    kiosk.reset()
    pg = browser.new_page(viewport={"width": 1280, "height": 800})
    pg.goto(kiosk.launch_url)
    pg.wait_for_function("window.__maraya && window.__maraya.state && window.__maraya.stats.drawn > 2")
    yield pg
    pg.close()
    kiosk.reset()
