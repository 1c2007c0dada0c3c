"""Servers on loopback: a free port to start one on, a uvicorn server on its own thread, and
waiting until it answers GET /healthz (the backend, or the kiosk's local UI). The demo, the soak
run, the benchmarks and the tests all start their servers this way."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    import uvicorn


def free_port() -> int:
    """A loopback port nobody is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_in_thread(server: uvicorn.Server, name: str, timeout_s: float = 10.0) -> threading.Thread:
    """Runs `server` on a daemon thread and returns that thread once the server listens; the
    caller stops it with `server.should_exit = True` and joins the thread."""
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            config = server.config
            raise NotHealthy(f"{name} did not start listening on {config.host}:{config.port}")
        time.sleep(0.05)
    return thread


class NotHealthy(RuntimeError):
    """The server stopped, or did not answer /healthz in time; the message says which."""


def wait_healthy(base_url: str, timeout_s: float = 30.0, alive: Callable[[], bool] = lambda: True) -> None:
    """Returns once `base_url`/healthz answers 200. `alive` says whether the server's process
    or thread still runs, so a server that died is reported at once, not after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not alive():
            raise NotHealthy(f"{base_url} stopped before it answered /healthz")
        if time.monotonic() > deadline:
            raise NotHealthy(f"{base_url} did not answer /healthz within {timeout_s:.0f} s")
        time.sleep(0.1)
