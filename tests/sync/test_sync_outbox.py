"""The outbox on a real SQLite file: durability, stable batch keys, validation, forgetting."""

from __future__ import annotations

import base64
import datetime as dt
import sqlite3
import threading
import uuid

import pytest

from kiosk.events import EventError, parse_data
from kiosk.sync.outbox import Outbox


def _sid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def path(tmp_path):
    return tmp_path / "kiosk" / "outbox.sqlite3"


def test_record_assigns_ids_sequence_and_utc_time(path):
    a, b = _sid(), _sid()
    with Outbox(path) as box:
        e1 = box.record(a, parse_data("session_started", {"mode": "makeup"}))
        box.record(b, parse_data("consent_declined", {}))
        e2 = box.record(
            a, parse_data("product_tried", {"product_id": "lip-1", "shade_sku": "L-01", "dwell_ms": 1200})
        )
    assert uuid.UUID(e1.event_id).version == 4 and e1.event_id != e2.event_id
    assert (e1.seq, e2.seq) == (1, 2)
    at = dt.datetime.fromisoformat(e1.at)
    assert e1.at.endswith("Z") and at.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.UTC) - at).total_seconds()) < 5


def test_outbox_uses_wal_and_full_sync(path):
    Outbox(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    box = Outbox(path)
    assert box._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    box.close()


def test_events_survive_reopen_without_close(path):
    sid = _sid()
    box = Outbox(path)
    recorded = [box.record(sid, parse_data("consent_given", {})).event_id for _ in range(3)]
    # No close(): the next process opens the file as a crashed one would have left it.
    again = Outbox(path)
    batch = again.pending()
    assert [e.event_id for e in batch.events] == recorded
    # The session's sequence carries on after the reopen instead of restarting.
    assert again.record(sid, parse_data("session_ended", {"reason": "done", "duration_ms": 10})).seq == 4
    again.close()
    box.close()


def test_batch_key_is_stable_across_restarts_until_acknowledged(path):
    sid = _sid()
    with Outbox(path) as box:
        for i in range(5):
            box.record(sid, parse_data("added_to_basket", {"product_id": f"p{i}", "shade_sku": None}))
        first = box.pending(limit=3)
        # Recorded after the batch was formed: must not change the batch (its key names a body).
        box.record(sid, parse_data("consent_given", {}))
        assert box.pending(limit=3) == first
    with Outbox(path) as box:
        again = box.pending(limit=3)
        assert again.batch_id == first.batch_id and again.events == first.events
        assert box.mark_sent(first.batch_id) == 3
        second = box.pending(limit=10)
        assert second.batch_id != first.batch_id
        assert [e.seq for e in second.events] == [4, 5, 6]
        box.mark_sent(second.batch_id)
        assert box.pending() is None and box.backlog() == 0


@pytest.mark.parametrize(
    ("kind", "data", "fault"),
    [
        ("selfie", {}, "unknown event kind"),
        ("consent_given", {"note": "hi"}, "not part of this event"),
        ("session_started", {}, "missing field 'mode'"),
        ("session_started", {"mode": "dance"}, "'mode'"),
        ("product_tried", {"product_id": "p", "dwell_ms": True}, "'dwell_ms'"),
        ("product_tried", {"product_id": "p", "dwell_ms": -1}, "'dwell_ms'"),
        ("product_tried", {"product_id": {"nested": 1}, "dwell_ms": 1}, "'product_id'"),
        ("product_tried", {"product_id": ["a"], "dwell_ms": 1}, "'product_id'"),
        ("product_tried", {"product_id": b"\xff\xd8\xff\xe0", "dwell_ms": 1}, "'product_id'"),
        ("product_tried", {"product_id": "red lipstick please", "dwell_ms": 1}, "'product_id'"),
        ("skin_tone", {"mst": 11, "undertone": "warm"}, "'mst'"),
        (
            "assistant_question",
            {"intent": "I want a red one", "answered": True, "escalated": False, "lang": "en"},
            "intent",
        ),
        ("help_requested", {"help_request_id": "abc", "reason": "shopper"}, "help_request_id"),
    ],
)
def test_invalid_events_are_refused_and_nothing_is_written(path, kind, data, fault):
    with Outbox(path) as box:
        with pytest.raises(EventError, match=fault):
            box.record(_sid(), parse_data(kind, data))
        assert box.backlog() == 0 and box.pending() is None


def test_image_data_cannot_enter_any_field(path):
    jpeg_b64 = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4).decode()
    with Outbox(path) as box:
        for kind, data in [
            ("product_tried", {"product_id": jpeg_b64, "dwell_ms": 1}),
            ("product_tried", {"product_id": f"data:image/jpeg;base64,{jpeg_b64[:40]}", "dwell_ms": 1}),
            ("recommendation_shown", {"product_id": "p", "position": 0, "model_version": jpeg_b64}),
            ("handoff", {"code": "ABC", "items": 1, "snapshot": jpeg_b64}),
        ]:
            with pytest.raises(EventError):
                box.record(_sid(), parse_data(kind, data))
        with pytest.raises(EventError, match="UUID"):
            box.record("not-a-session", parse_data("consent_given", {}))
        assert box.backlog() == 0


def test_help_ids_from_the_app_are_sent_as_integers(path):
    with Outbox(path) as box:
        event = box.record(
            _sid(), parse_data("help_requested", {"help_request_id": "42", "reason": "shopper"})
        )
    assert event.data == {"help_request_id": 42, "reason": "shopper"}


def test_forget_session_removes_its_unsent_events_and_rekeys_the_rest(path):
    gone, kept = _sid(), _sid()
    with Outbox(path) as box:
        box.record(gone, parse_data("consent_given", {}))
        box.record(kept, parse_data("consent_given", {}))
        box.record(gone, parse_data("skin_tone", {"mst": 5, "undertone": "warm"}))
        in_flight = box.pending()
        assert len(in_flight.events) == 3
        assert box.forget_session(gone) == 2
        after = box.pending()
        assert after.batch_id != in_flight.batch_id  # the old key named a body that no longer exists
        assert [e.session_id for e in after.events] == [kept]
        # A new session under the forgotten id would start over, nothing of the old one remains.
        assert box.record(gone, parse_data("consent_given", {})).seq == 1


def test_rejected_events_are_quarantined_and_the_rest_flow(path):
    sid = _sid()
    with Outbox(path) as box:
        events = [box.record(sid, parse_data("consent_given", {})) for _ in range(4)]
        batch = box.pending()
        box.reject_events(batch.batch_id, [events[1].event_id], "422 events.1: bad")
        retry = box.pending()
        assert retry.batch_id != batch.batch_id
        assert [e.event_id for e in retry.events] == [events[i].event_id for i in (0, 2, 3)]
        assert box.backlog() == 3
        [q] = box.quarantined()
        assert q.event_id == events[1].event_id and "bad" in q.reason


def test_unnamed_rejection_sends_each_event_alone_until_the_bad_one_is_found(path):
    sid = _sid()
    with Outbox(path) as box:
        events = [box.record(sid, parse_data("consent_given", {})) for _ in range(3)]
        batch = box.pending()
        box.reject_events(batch.batch_id, [], "413 too large")
        singles = []
        while (b := box.pending()) is not None:
            assert len(b.events) == 1
            singles.append(b.events[0].event_id)
            if b.events[0].event_id == events[1].event_id:
                box.reject_events(b.batch_id, [], "422 still bad alone")
            else:
                box.mark_sent(b.batch_id)
        assert singles == [e.event_id for e in events]
        assert [q.event_id for q in box.quarantined()] == [events[1].event_id]


def test_quarantined_batch_stops_blocking_the_queue(path):
    with Outbox(path) as box:
        box.record(_sid(), parse_data("consent_given", {}))
        stuck = box.pending()
        box.record(_sid(), parse_data("consent_declined", {}))
        box.quarantine_batch(stuck.batch_id, "409 key reused")
        nxt = box.pending()
        assert nxt.batch_id != stuck.batch_id and [e.kind for e in nxt.events] == ["consent_declined"]
        assert box.backlog() == 1
        assert [(q.batch_id, q.reason) for q in box.quarantined()] == [(stuck.batch_id, "409 key reused")]


def test_concurrent_recording_keeps_each_session_sequence_gapless(path):
    sessions = [_sid() for _ in range(4)]
    with Outbox(path) as box:

        def work(sid: str) -> None:
            for _ in range(50):
                box.record(sid, parse_data("consent_given", {}))

        threads = [threading.Thread(target=work, args=(s,)) for s in sessions for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seqs: dict[str, list[int]] = {s: [] for s in sessions}
        while (b := box.pending(limit=500)) is not None:
            for e in b.events:
                seqs[e.session_id].append(e.seq)
            box.mark_sent(b.batch_id)
    assert all(sorted(v) == list(range(1, 101)) for v in seqs.values())


def test_session_counters_are_dropped_a_day_after_their_last_event_went(path):
    old, recent = _sid(), _sid()
    with Outbox(path) as box:
        box.record(old, parse_data("consent_given", {}))
        box.record(recent, parse_data("consent_given", {}))
        box.mark_sent(box.pending().batch_id)
        box._db.execute(
            "UPDATE sessions SET last_at = '2000-01-01T00:00:00.000Z' WHERE session_id = ?", (old,)
        )
        box.record(_sid(), parse_data("consent_given", {}))
        box.mark_sent(box.pending().batch_id)
        left = {r[0] for r in box._db.execute("SELECT session_id FROM sessions")}
    assert old not in left and recent in left
