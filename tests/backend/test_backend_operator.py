"""The operator's side of `kiosk backend`, run as the real command in a subprocess: each setup
mistake ends in one line on stderr and a non-zero exit, never echoing the secret; the demo seed
is refused in production; and the README's production path works on a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from kiosk.backend.process import REPO
from kiosk.loopback import free_port, wait_healthy

SECRET = "s3cret-that-must-never-be-printed"
PASSWORD = "ops-password-long-enough"


def kiosk_backend(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MARAYA_") and k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "backend", *args],
        cwd=REPO,
        env={**clean, "MARAYA_DATA_DIR": str(tmp_path / "data"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_refusal(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode != 0, done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and all(w in lines[0] for w in words), lines[0]
    assert SECRET not in done.stderr + done.stdout and SECRET[:6] not in done.stderr + done.stdout


def test_missing_and_short_secrets_are_one_line_and_never_echoed(tmp_path):
    db = f"sqlite:///{tmp_path / 'm.db'}"
    assert_one_line_refusal(kiosk_backend("purge", tmp_path=tmp_path, DATABASE_URL=db), "MARAYA_SECRET_KEY")
    short = kiosk_backend("purge", tmp_path=tmp_path, DATABASE_URL=db, MARAYA_SECRET_KEY=SECRET[:12])
    assert_one_line_refusal(short, "MARAYA_SECRET_KEY", "16")


def test_unreachable_corrupt_and_foreign_databases_are_one_line(tmp_path):
    port = free_port()  # nobody listens there
    unreachable = f"postgresql+psycopg://ops:{SECRET}@127.0.0.1:{port}/maraya"
    done = kiosk_backend("purge", tmp_path=tmp_path, DATABASE_URL=unreachable, MARAYA_SECRET_KEY=SECRET)
    assert_one_line_refusal(done, "database", "refused")

    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not an SQLite file " * 200)
    done = kiosk_backend(
        "purge", tmp_path=tmp_path, DATABASE_URL=f"sqlite:///{corrupt}", MARAYA_SECRET_KEY=SECRET
    )
    assert_one_line_refusal(done, "not a database")

    done = kiosk_backend("purge", tmp_path=tmp_path, DATABASE_URL="mysql://u@h/x", MARAYA_SECRET_KEY=SECRET)
    assert_one_line_refusal(done, "DATABASE_URL")


def test_seed_demo_is_refused_outside_dev_mode(tmp_path):
    db = tmp_path / "prod.db"
    done = kiosk_backend(
        "--seed-demo", tmp_path=tmp_path, DATABASE_URL=f"sqlite:///{db}", MARAYA_SECRET_KEY=SECRET
    )
    assert_one_line_refusal(done, "--seed-demo", "--dev")
    assert "maraya-demo-admin" not in done.stdout and not db.exists()


@pytest.mark.postgres
def test_a_postgres_scheme_url_means_the_psycopg_driver(postgres_database_url, tmp_path):
    url = make_url(postgres_database_url).set(drivername="postgres").render_as_string(hide_password=False)
    assert url.startswith("postgres://")
    done = kiosk_backend(
        "create-store", "dammam-01", "--name-en", "Dammam", "--name-ar", "الدمام",
        tmp_path=tmp_path, DATABASE_URL=url, MARAYA_SECRET_KEY=SECRET,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "created store dammam-01" in done.stdout


@pytest.mark.slow
def test_the_readme_production_path_on_a_fresh_database(database_url, tmp_path):
    env = {"DATABASE_URL": database_url, "MARAYA_SECRET_KEY": SECRET}
    no_store = kiosk_backend(
        "create-kiosk", "--store", "riyadh-01", "--name", "entrance", tmp_path=tmp_path, **env
    )
    assert_one_line_refusal(no_store, "no store riyadh-01", "create-store")

    store = kiosk_backend(
        "create-store", "riyadh-01", "--name-en", "Riyadh", "--name-ar", "الرياض", tmp_path=tmp_path, **env
    )
    assert store.returncode == 0, store.stderr
    again = kiosk_backend(
        "create-store", "riyadh-01", "--name-en", "Riyadh", "--name-ar", "الرياض", tmp_path=tmp_path, **env
    )
    assert_one_line_refusal(again, "already exists")
    admin = kiosk_backend(
        "create-admin",
        "ops@example.sa",
        "--role",
        "admin",
        tmp_path=tmp_path,
        MARAYA_NEW_PASSWORD=PASSWORD,
        **env,
    )
    assert admin.returncode == 0, admin.stderr
    made = kiosk_backend(
        "create-kiosk", "--store", "riyadh-01", "--name", "entrance", tmp_path=tmp_path, **env
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]

    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MARAYA_") and k != "DATABASE_URL"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "backend", "--port", str(port)],  # production: no --dev
        cwd=REPO,
        env={**clean, "MARAYA_DATA_DIR": str(tmp_path / "data"), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    http = httpx.Client(timeout=60)  # the machine may be busy; a slow answer is not a wrong one
    try:
        wait_healthy(base, 60, alive=lambda: proc.poll() is None)
        beat = {"software_version": "1.0", "fps": 30, "camera_state": "ok", "uptime_s": 5}
        r = http.post(
            f"{base}/api/v1/kiosk/heartbeat", json=beat, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text

        # The API's map is for signed-in staff only in production.
        assert http.get(f"{base}/openapi.json").status_code == 401
        assert http.get(f"{base}/docs").status_code == 401
        assert http.get(f"{base}/redoc").status_code == 404
        login = http.post(f"{base}/api/v1/auth/login", json={"email": "ops@example.sa", "password": PASSWORD})
        assert login.status_code == 200
        # The session cookie is Secure in production, so over plain http it is sent by hand.
        cookie = {"Cookie": login.headers["set-cookie"].split(";")[0]}
        schema = http.get(f"{base}/openapi.json", headers=cookie)
        assert schema.status_code == 200 and "/api/v1/kiosk/heartbeat" in schema.json()["paths"]
        assert http.get(f"{base}/docs", headers=cookie).status_code == 200
    finally:
        http.close()
        proc.kill()
        proc.wait()
