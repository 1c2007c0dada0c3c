"""Kiosk sync: outbox append latency (validated, session state + event in one fsynced
transaction) against a plain SQLite insert with the same durability, and the drain rate of a
backlog to the real backend under uvicorn on loopback against a bare authenticated round trip."""

from __future__ import annotations

import json
import random
import socket
import sqlite3
import tempfile
import threading
import time
import uuid
from pathlib import Path

import uvicorn

from bench.stats import p50_p95, report

SESSIONS_OFFLINE = 300  # 2,400 events of backlog


def _plain_insert(path: Path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, body TEXT)")
    body = json.dumps({"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01", "dwell_ms": 5200})

    def insert() -> None:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO events (event_id, body) VALUES (?, ?)", (str(uuid.uuid4()), body))
        db.execute("COMMIT")

    return insert


def _start_backend(tmp: Path):
    from kiosk.backend.app import create_app
    from kiosk.backend.demo import seed_demo
    from kiosk.backend.settings import load_settings

    url = f"sqlite:///{tmp / 'backend.sqlite3'}"
    seed = seed_demo(url, tmp)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = load_settings(
        database_url=url, data_dir=tmp, dev_mode=True, purge_interval_s=0, cookie_secure=False
    )
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}", seed.kiosk_token


def main() -> None:
    from kiosk.events import parse_data
    from kiosk.sync.client import BackendClient, HeartbeatInfo
    from kiosk.sync.outbox import Outbox

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        plain = _plain_insert(tmp / "plain.sqlite3")
        box = Outbox(tmp / "outbox.sqlite3")
        sid = str(uuid.uuid4())
        data = {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01", "dwell_ms": 5200}
        baseline, appends = [], []
        for _ in range(300):  # interleaved so that disk noise hits both alike
            start = time.perf_counter()
            plain()
            baseline.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            box.record(sid, parse_data("product_tried", data))
            appends.append((time.perf_counter() - start) * 1000)
        report("plain SQLite insert (WAL, synchronous=FULL)", baseline)
        report("outbox.record (validate + session + event)", appends, baseline)
        print(f"outbox appends per second (p50): {1000 / p50_p95(appends)[0]:.0f}")
        box.mark_sent(box.pending(500).batch_id)

        rng = random.Random(0)
        for _ in range(SESSIONS_OFFLINE):
            session = str(uuid.uuid4())
            box.record(session, parse_data("consent_given", {}))
            box.record(session, parse_data("session_started", {"mode": "makeup"}))
            for _ in range(5):
                box.record(
                    session, parse_data("product_tried", {**data, "dwell_ms": rng.randint(500, 20_000)})
                )
            box.record(
                session,
                parse_data("session_ended", {"reason": "done", "duration_ms": rng.randint(10_000, 600_000)}),
            )
        backlog = box.backlog()
        server, thread, url, token = _start_backend(tmp / "backend")
        client = BackendClient(url, token)
        beat = HeartbeatInfo("bench", "", 30.0, "ok", 1.0)
        round_trips = []
        for _ in range(30):
            start = time.perf_counter()
            client.heartbeat(beat)
            round_trips.append((time.perf_counter() - start) * 1000)
        batches = []
        drain_start = time.perf_counter()
        while (batch := box.pending(200)) is not None:
            start = time.perf_counter()
            client.send_events(batch)
            box.mark_sent(batch.batch_id)
            batches.append((time.perf_counter() - start) * 1000)
        drain_s = time.perf_counter() - drain_start
        report("heartbeat round trip (baseline)", round_trips)
        report("send + acknowledge one batch of 200", batches, round_trips)
        print(f"drain: {backlog} events in {drain_s:.2f} s = {backlog / drain_s:.0f} events/s")
        client.close()
        box.close()
        server.should_exit = True
        thread.join(10)


if __name__ == "__main__":
    main()
