""" "Forget me now" (PDPL): a shopper who made no handoff holds no code to ask for deletion with,
so the summary screen offers it. The kiosk drops what it has not sent and has the backend erase
what it has, through the outbox, so a dropped network or a restart cannot lose the request."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from test_app_e2e import put_on, start_makeup

from kiosk.backend.demo import seed_demo
from kiosk.backend.process import start_backend_process
from kiosk.events import parse_data
from kiosk.loopback import free_port
from kiosk.sync.backoff import Backoff
from kiosk.sync.client import HeartbeatInfo
from kiosk.sync.link import SyncLink
from kiosk.sync.options import SyncOptions
from kiosk.sync.outbox import Outbox


def backend_rows(database_url: str, session_id: str) -> dict[str, int]:
    """What the backend's database holds of one session, table by table."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as db:
            return {
                table: db.execute(
                    text(f"SELECT COUNT(*) FROM {table} WHERE session_id = :s"), {"s": session_id}
                ).scalar_one()
                for table in ("session_events", "help_requests", "handoffs")
            }
    finally:
        engine.dispose()


def wait_until(predicate, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.browser
@pytest.mark.slow
def test_forget_me_on_the_summary_screen_erases_the_session_at_the_backend(page, kiosk, backend):
    start_makeup(page)
    session_id = kiosk.runtime.machine.session.id
    put_on(page, "SAH-LIP-01")
    page.click("#basket-btn")
    page.wait_for_function("document.getElementById('basket-count').textContent === '1'")
    kiosk.flush_events()
    assert backend_rows(backend.database_url, session_id)["session_events"] >= 3  # consent, start, basket

    page.click("#summary-btn")
    page.wait_for_selector("body[data-phase=summary]")
    assert page.inner_text("#forget-btn") == "حذف بياناتي الآن"
    page.click("#forget-btn")
    page.wait_for_selector("body[data-phase=attract] #forgotten-note:not([hidden])")
    note = page.inner_text("#forgotten-note")  # in both languages: the shopper's may not be the default
    assert "تم الحذف" in note and "nothing of this visit is left on this kiosk" in note
    assert kiosk.runtime.machine.session is None

    link = kiosk.runtime.link
    wait_until(lambda: link.status().erasures == 0, 20, "the erasure to reach the backend")
    assert sum(backend_rows(backend.database_url, session_id).values()) == 0
    erasures = [s for s in kiosk.recorder.snapshot() if s.path.endswith(f"/sessions/{session_id}/erase")]
    assert len(erasures) == 1
    # The next shopper starts clean, without the last one's confirmation.
    page.click("#start-btn")
    page.wait_for_selector("body[data-phase=consent]")
    assert page.is_hidden("#forgotten-note")


def test_forget_me_survives_a_dead_backend_and_a_kiosk_restart(tmp_path):
    data_dir, backend_dir = tmp_path / "kiosk", tmp_path / "backend"
    database_url = f"sqlite:///{tmp_path / 'backend.sqlite3'}"
    token = seed_demo(database_url, backend_dir).kiosk_token
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def link() -> SyncLink:
        made = SyncLink(
            data_dir,
            url,
            token,
            lambda: HeartbeatInfo("test", "", 0.0, "none", 0.0),
            options=SyncOptions(timeout_s=2.0, idle_poll_s=0.1, backoff=Backoff(base_s=0.05, cap_s=0.5)),
        )
        made.start()
        return made

    server = start_backend_process(database_url, backend_dir, port)
    kiosk = link()
    try:
        session_id = str(uuid.uuid4())
        kiosk.record(session_id, parse_data("consent_given", {}))
        kiosk.record(session_id, parse_data("session_started", {"mode": "makeup"}))
        wait_until(lambda: kiosk.status().backlog == 0, 20, "the events to reach the backend")
        assert backend_rows(database_url, session_id)["session_events"] == 2

        server.kill()
        server.wait(10)
        basket = {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01"}
        kiosk.record(session_id, parse_data("added_to_basket", basket))
        assert kiosk.forget_session(session_id) == 1  # the unsent event never leaves the kiosk
        kiosk.stop()  # the kiosk restarts while the backend is still down
        assert Outbox(data_dir / "outbox.sqlite3").erasures() == [session_id]

        kiosk = link()
        time.sleep(1.0)
        assert kiosk.status().erasures == 1 and kiosk.status().online is False
        server = start_backend_process(database_url, backend_dir, port)  # the backend comes back
        wait_until(lambda: kiosk.status().erasures == 0, 30, "the erasure to be delivered")
        assert sum(backend_rows(database_url, session_id).values()) == 0
        assert kiosk.status().backlog == 0
    finally:
        kiosk.stop()
        server.kill()
        server.wait(10)


def test_the_erasure_request_is_written_with_the_forgetting_and_kept_until_confirmed(tmp_path: Path):
    path = tmp_path / "outbox.sqlite3"
    gone, kept = str(uuid.uuid4()), str(uuid.uuid4())
    with Outbox(path) as box:
        box.record(gone, parse_data("consent_given", {}))
        box.record(kept, parse_data("consent_given", {}))
        assert box.forget_session(gone) == 1
        assert box.forget_session(gone) == 0  # asking twice is one request
        assert box.erasures() == [gone]
    with Outbox(path) as box:  # a restart keeps it
        assert box.erasures() == [gone]
        assert [e.session_id for e in box.pending().events] == [kept]
        box.erased(gone)
    with Outbox(path) as box:
        assert box.erasures() == []
