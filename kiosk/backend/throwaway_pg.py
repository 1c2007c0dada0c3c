"""A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's binaries
(/usr/lib/postgresql/*/bin): a temp directory, a free loopback port, trust auth on 127.0.0.1
only, and — when running as root, which initdb refuses — run as the `postgres` user."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kiosk.loopback import free_port


class PostgresUnavailable(RuntimeError):
    pass


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class ThrowawayPostgres:
    def __init__(self) -> None:
        bin_dir = postgres_bin()
        if bin_dir is None:
            raise PostgresUnavailable(
                "no initdb under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
            )
        self.bin = bin_dir
        self.as_root = os.geteuid() == 0
        self.dir = Path(tempfile.mkdtemp(prefix="maraya-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        try:
            proc = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(str(exc)) from exc
        if proc.returncode != 0:
            raise PostgresUnavailable(f"{Path(args[0]).name} failed:\n{proc.stdout}\n{proc.stderr}")

    def start(self) -> str:
        """Starts the cluster; returns the URL of its `postgres` maintenance database."""
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"
        )
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """Creates a database on the server; returns its URL."""
    import sqlalchemy as sa

    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
