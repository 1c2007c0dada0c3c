"""Runs the real backend (kiosk.backend.app.create_app) under uvicorn on a loopback port, as
its own process so that the sync tests can stop it (SIGKILL) and start it again.

usage: python tests/sync/serve_backend.py DATABASE_URL DATA_DIR PORT
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from kiosk.backend.app import create_app
from kiosk.backend.settings import load_settings


def main(database_url: str, data_dir: str, port: str) -> None:
    settings = load_settings(
        database_url=database_url,
        data_dir=Path(data_dir),
        dev_mode=True,
        purge_interval_s=0,
        cookie_secure=False,
    )
    uvicorn.run(create_app(settings), host="127.0.0.1", port=int(port), log_level="warning")


if __name__ == "__main__":
    main(*sys.argv[1:])
