"""`kiosk backend --dev` as a child process on loopback, for the tests and benchmarks that need
a real server they can kill (SIGKILL mid-ingest, a browser session) rather than one in-process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.loopback import NotHealthy, wait_healthy

REPO = Path(__file__).resolve().parents[2]


def start_backend_process(database_url: str, data_dir: Path, port: int) -> subprocess.Popen:
    """Starts the backend and returns once it answers /healthz; its output is discarded."""
    env = {**os.environ, "MARAYA_DATA_DIR": str(data_dir)}
    cmd = [sys.executable, "-m", "kiosk.cli", "backend", "--dev", "--database-url", database_url]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", 30, alive=lambda: proc.poll() is None)
    except NotHealthy:
        proc.kill()
        raise
    return proc
