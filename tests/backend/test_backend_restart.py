"""The real `kiosk backend` command under uvicorn on a loopback port, killed (SIGKILL) in the
middle of a stream of ingest batches from concurrent kiosks and started again: every batch it
acknowledged is in the database, and re-sending everything counts each event exactly once."""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from kiosk.backend.db import make_engine
from kiosk.backend.process import start_backend_process
from kiosk.backend.sessions.models import SessionEvent
from kiosk.loopback import free_port


def batch(n: int = 20) -> tuple[str, dict]:
    session = str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC).isoformat()
    events = [
        {
            "event_id": str(uuid.uuid4()),
            "session_id": session,
            "seq": i,
            "at": now,
            "kind": "consent_given",
            "data": {},
        }
        for i in range(n)
    ]
    return str(uuid.uuid4()), {"events": events}


def stored_ids(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        ids = set(conn.execute(select(SessionEvent.event_id)).scalars())
    engine.dispose()
    return ids


@pytest.mark.slow
def test_kill_mid_ingest_loses_nothing_acknowledged(seeded_database):
    db = seeded_database
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/kiosk/events"
    headers = {"Authorization": f"Bearer {db.seed.kiosk_token}"}
    proc = start_backend_process(db.database_url, db.data_dir, port)
    sent: list[tuple[str, dict]] = []
    acked: list[tuple[str, dict]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk() -> None:
        with httpx.Client(timeout=5) as client:
            while not stop.is_set():
                key, body = batch()
                with lock:
                    sent.append((key, body))
                try:
                    r = client.post(url, json=body, headers={**headers, "Idempotency-Key": key})
                except httpx.HTTPError:
                    continue  # the server is gone: this batch was never acknowledged
                if r.status_code == 200:
                    with lock:
                        acked.append((key, body))

    threads = [threading.Thread(target=kiosk) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)  # no shutdown hooks, no flushing: a crash
        proc.wait(timeout=10)
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
    assert len(acked) >= 5, "too few batches were acknowledged before the kill to test anything"

    proc = start_backend_process(db.database_url, db.data_dir, port)
    try:
        stored = stored_ids(db.database_url)
        acked_ids = {e["event_id"] for _, body in acked for e in body["events"]}
        assert acked_ids <= stored, f"{len(acked_ids - stored)} acknowledged events were lost"
        # The kiosks' outboxes re-send everything not acknowledged (and some that were).
        with httpx.Client(timeout=10) as client:
            for key, body in sent:
                r = client.post(url, json=body, headers={**headers, "Idempotency-Key": key})
                assert r.status_code == 200, r.text
        all_ids = {e["event_id"] for _, body in sent for e in body["events"]}
        assert stored_ids(db.database_url) == all_ids
        engine = make_engine(db.database_url)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(SessionEvent)).scalar_one() == len(all_ids)
        engine.dispose()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
