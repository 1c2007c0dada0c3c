"""The sync thread against the real backend (heartbeat, pulls, 401, 409, 422) and against a
failing one (5xx with backoff, a prompt stop during a long wait)."""

from __future__ import annotations

import json
import random
import time
import uuid

from faultserver import FaultServer
from syncbackend import wait_until
from syncsim import heartbeat_info

from kiosk.events import parse_data
from kiosk.sync.backoff import Backoff
from kiosk.sync.client import BackendClient
from kiosk.sync.link import SyncLink
from kiosk.sync.options import SyncOptions
from kiosk.sync.outbox import Batch, Outbox


def _link(tmp_path, url, token, on_document=None, timeout_s: float = 10.0):
    fast = SyncOptions(
        timeout_s=timeout_s, idle_poll_s=0.05, linger_s=0.0, backoff=Backoff(0.05, 0.4, random.Random(0))
    )
    return SyncLink(tmp_path / "kiosk", url, token, heartbeat_info, on_document=on_document, options=fast)


def _stored(backend, event_ids) -> set[str]:
    rows = backend.query("SELECT event_id FROM session_events")
    return {r[0] for r in rows} & set(event_ids)


def test_heartbeat_and_pulls_reach_the_backend(live_backend, tmp_path):
    kiosk_id, token = live_backend.new_kiosk("heartbeat-test")
    changed: list[str] = []
    link = _link(tmp_path, live_backend.url, token, on_document=lambda name, path: changed.append(name))
    link.start()
    try:
        wait_until(lambda: link.status().online and len(changed) == 2, 20, "heartbeat and first pulls")
        status = link.status()
        assert status.remote_settings.get("heartbeat_interval_s") and status.last_contact
    finally:
        link.stop()
    assert sorted(changed) == ["catalogue", "faq"]
    assert (tmp_path / "kiosk" / "catalogue.json").is_file() and (tmp_path / "kiosk" / "faq.json").is_file()
    [(version, fps, camera)] = live_backend.query(
        "SELECT software_version, fps, camera_state FROM kiosks WHERE id = :k", k=kiosk_id
    )
    assert (version, fps, camera) == ("0.1.0-test", 29.5, "ok")


def test_revoked_token_stops_sending_and_keeps_every_event(live_backend, tmp_path):
    from kiosk.backend.db import make_engine, make_sessionmaker, session_scope
    from kiosk.backend.kiosks.models import Kiosk
    from kiosk.backend.kiosks.service import revoke_kiosk

    kiosk_id, token = live_backend.new_kiosk("revoke-test")
    link = _link(tmp_path, live_backend.url, token)
    link.start()
    try:
        sid = str(uuid.uuid4())
        before = link.record(sid, parse_data("consent_given", {})).event_id
        wait_until(lambda: link.status().backlog == 0, 20, "the first event to go")
        engine = make_engine(live_backend.database_url)
        with session_scope(make_sessionmaker(engine)) as db:
            revoke_kiosk(db, db.get(Kiosk, kiosk_id), None)
        engine.dispose()
        after = [
            link.record(sid, parse_data("session_started", {"mode": "makeup"})).event_id for _ in range(3)
        ]
        wait_until(lambda: link.status().unauthorized, 20, "the revocation to be noticed")
        time.sleep(0.5)  # many idle polls: nothing may be sent or dropped meanwhile
        status = link.status()
        assert status.backlog == 3 and "token" in status.last_error and status.online is False
        assert _stored(live_backend, [before, *after]) == {before}
        _, new_token = live_backend.new_kiosk("revoke-test-replacement")
        link.worker.set_token(new_token)
        wait_until(lambda: link.status().backlog == 0, 20, "the kept events to go with the new token")
        assert not link.status().unauthorized
    finally:
        link.stop()
    assert _stored(live_backend, after) == set(after)


def test_key_reused_for_another_body_is_quarantined_and_the_rest_flow(live_backend, tmp_path):
    _, token = live_backend.new_kiosk("conflict-test")
    sid = str(uuid.uuid4())
    link = _link(tmp_path, live_backend.url, token)
    stuck = [link.record(sid, parse_data("consent_given", {})).event_id for _ in range(2)]
    batch = link.outbox.pending()
    # Something else already used this batch's key for a different body (e.g. an outbox
    # restored from an old backup): the backend must answer 409, forever.
    with Outbox(tmp_path / "other.sqlite3") as other:
        foreign = other.record(str(uuid.uuid4()), parse_data("consent_declined", {}))
    client = BackendClient(live_backend.url, token)
    client.send_events(Batch(batch.batch_id, (foreign,)))
    client.close()
    link.start()
    try:
        later = link.record(
            sid, parse_data("session_ended", {"reason": "done", "duration_ms": 1000})
        ).event_id
        wait_until(lambda: link.status().backlog == 0, 20, "the events after the conflict to go")
        status = link.status()
        assert status.quarantined == 1 and "409" in status.last_error
    finally:
        link.stop()
    with Outbox(tmp_path / "kiosk" / "outbox.sqlite3") as box:
        [q] = box.quarantined()
    assert q.batch_id == batch.batch_id and "409" in q.reason
    assert _stored(live_backend, [*stuck, later]) == {later}


def test_an_event_the_backend_refuses_is_quarantined_with_its_reason(live_backend, tmp_path):
    _, token = live_backend.new_kiosk("reject-test")
    sid = str(uuid.uuid4())
    link = _link(tmp_path, live_backend.url, token)
    ids = [link.record(sid, parse_data("session_started", {"mode": "makeup"})).event_id for _ in range(3)]
    # An older kiosk build recorded a value this backend no longer accepts.
    link.outbox._db.execute(
        "UPDATE events SET data = ? WHERE event_id = ?", (json.dumps({"mode": "dance"}), ids[1])
    )
    link.start()
    try:
        wait_until(lambda: link.status().backlog == 0, 20, "the good events to go")
        assert link.status().quarantined == 1
    finally:
        link.stop()
    with Outbox(tmp_path / "kiosk" / "outbox.sqlite3") as box:
        [q] = box.quarantined()
    assert q.event_id == ids[1] and "mode" in q.reason and "422" in q.reason
    assert _stored(live_backend, ids) == {ids[0], ids[2]}


def test_server_errors_back_off_then_recover(tmp_path):
    with FaultServer() as server:
        server.routes["/api/v1/kiosk/events"] = (503, {}, b'{"detail":"overloaded"}')
        server.routes["/api/v1/kiosk/heartbeat"] = (200, {}, json.dumps({"settings": {}}).encode())
        link = _link(tmp_path, server.url, "t")
        link.record(str(uuid.uuid4()), parse_data("consent_given", {}))
        link.start()
        try:
            wait_until(lambda: link.worker.backoff.failures >= 4, 20, "several backed-off retries")
            status = link.status()
            assert status.online is False and "503" in status.last_error and status.backlog == 1
            attempts = sum(hit.endswith("/events") for hit in server.hits)
            # Retries are spaced by the backoff, not fired at the 50 ms poll rate.
            assert attempts <= link.worker.backoff.failures + 1
            server.routes["/api/v1/kiosk/events"] = (200, {}, b'{"accepted":1,"duplicate":false}')
            wait_until(
                lambda: link.status().backlog == 0 and link.worker.backoff.failures == 0, 20, "recovery"
            )
            assert link.status().online
        finally:
            link.stop()


def test_stop_is_prompt_even_during_a_long_backoff(tmp_path):
    with FaultServer() as server:  # 404 on every path: never a success
        link = SyncLink(
            tmp_path / "kiosk",
            server.url,
            "t",
            heartbeat_info,
            options=SyncOptions(backoff=Backoff(20.0, 20.0, random.Random(5))),
        )
        link.record(str(uuid.uuid4()), parse_data("consent_given", {}))
        link.start()
        wait_until(lambda: link.worker.backoff.failures >= 1, 20, "the first failure")
        start = time.monotonic()
        link.stop()
        assert time.monotonic() - start < 2.0
        assert not link.worker._thread.is_alive()


def test_recording_never_waits_for_the_network(tmp_path):
    import socket

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        link = _link(tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}", "t", timeout_s=3.0)
        link.start()
        try:
            sid = str(uuid.uuid4())
            link.record(sid, parse_data("consent_given", {}))
            time.sleep(0.2)  # the sync thread is now stuck in a request
            start = time.monotonic()
            for _ in range(20):
                link.record(sid, parse_data("consent_given", {}))
            assert time.monotonic() - start < 2.0  # bounded by fsyncs, not by the read timeout
            assert link.status().backlog == 21
        finally:
            link.stop()
