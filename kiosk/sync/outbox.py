"""The kiosk's local outbox: every session event is committed here first, then sent.

A SQLite file in WAL mode with synchronous=FULL, so a commit is on disk when `record()`
returns and survives the process being SIGKILLed or the power going. The session's state
(its next sequence number) and the event are written in one transaction, so a crash can
neither skip nor repeat a `seq`.

Events are sent in batches. A batch is formed once and persisted with its id, which is also
the `Idempotency-Key` sent to the backend; a retry (after a timeout, a crash, a restart)
re-sends the same events under the same key, so the backend answers "duplicate" instead of
storing them twice. Only `mark_sent()`, called after the backend acknowledged, removes them.

A shopper who asks to be forgotten (`forget_session`) leaves an erasure request here, in the
same transaction that drops their unsent events, so that the sync thread deletes what already
reached the backend even after a dropped network or a restart.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.events import EventData, EventError
from kiosk.sync.events import Event, canonical_uuid

MAX_BATCH = 500  # API.md's per-request limit
# Session rows only hold counters; they are dropped once idle this long with nothing unsent.
SESSION_KEEP = dt.timedelta(hours=24)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    next_seq   INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    last_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    batch_id    TEXT PRIMARY KEY,            -- also the Idempotency-Key
    created_at  TEXT NOT NULL,
    quarantined TEXT                         -- why the backend refused it; NULL while sendable
);
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL UNIQUE,
    session_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL,
    batch_id    TEXT REFERENCES batches(batch_id),
    solo        INTEGER NOT NULL DEFAULT 0,  -- send alone: its batch was refused without naming it
    quarantined TEXT                         -- why the backend refused this event
);
CREATE TABLE IF NOT EXISTS erasures (
    session_id   TEXT PRIMARY KEY,           -- the backend erases its events, help requests, handoffs
    requested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_batch ON events(batch_id);
CREATE INDEX IF NOT EXISTS events_session ON events(session_id);
"""


def utc_stamp(now: dt.datetime | None = None) -> str:
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Batch:
    batch_id: str  # the Idempotency-Key: the same for every attempt, across restarts
    events: tuple[Event, ...]

    def body(self) -> dict[str, Any]:
        return {"events": [e.wire() for e in self.events]}


@dataclass(frozen=True)
class Quarantined:
    batch_id: str | None
    event_id: str | None
    reason: str


class Outbox:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection guarded by a lock: the UI thread records while the sync thread drains.
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # fsync the WAL on every commit
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self):
        return _Transaction(self._db)

    # -- writing ----------------------------------------------------------------------------
    def record(self, session_id: str, data: EventData) -> Event:
        """Commits one event (durable on return). `data` was checked against the schema when it
        was made (kiosk/events.py), so what is written here is what the backend accepts."""
        session_id = canonical_uuid(session_id, "session_id")
        if not isinstance(data, EventData):
            raise EventError(f"an event is one of kiosk/events.py's models, got {type(data).__name__}")
        kind, clean = data.kind, data.wire()
        at = utc_stamp()
        event_id = str(uuid.uuid4())
        with self._lock, self._tx() as db:
            row = db.execute("SELECT next_seq FROM sessions WHERE session_id = ?", (session_id,)).fetchone()
            seq = row[0] if row else 1
            db.execute(
                "INSERT INTO sessions (session_id, next_seq, started_at, last_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (session_id) DO UPDATE SET "
                "next_seq = excluded.next_seq, last_at = excluded.last_at",
                (session_id, seq + 1, at, at),
            )
            db.execute(
                "INSERT INTO events (event_id, session_id, seq, at, kind, data) VALUES (?, ?, ?, ?, ?, ?)",
                (event_id, session_id, seq, at, kind, json.dumps(clean, separators=(",", ":"))),
            )
        return Event(event_id=event_id, session_id=session_id, seq=seq, at=at, kind=kind, data=clean)

    def forget_session(self, session_id: str) -> int:
        """Deletes a session's unsent events and its state (the shopper asked), and queues the
        erasure of what was already sent; returns how many events went. A not-yet-acknowledged
        batch holding some of them is dissolved so that the rest of it goes again under a new
        key (the old key would now name a different body)."""
        session_id = canonical_uuid(session_id, "session_id")
        with self._lock, self._tx() as db:
            touched = [
                r[0]
                for r in db.execute(
                    "SELECT DISTINCT batch_id FROM events WHERE session_id = ? AND batch_id IS NOT NULL",
                    (session_id,),
                )
            ]
            for batch_id in touched:
                db.execute("UPDATE events SET batch_id = NULL WHERE batch_id = ?", (batch_id,))
                db.execute("DELETE FROM batches WHERE batch_id = ?", (batch_id,))
            removed = db.execute("DELETE FROM events WHERE session_id = ?", (session_id,)).rowcount
            db.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))
            db.execute(
                "INSERT INTO erasures (session_id, requested_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (session_id, utc_stamp()),
            )
        return removed

    def erasures(self) -> list[str]:
        """Sessions whose erasure the backend has not confirmed yet, oldest request first."""
        with self._lock:
            rows = self._db.execute("SELECT session_id FROM erasures ORDER BY requested_at, rowid")
            return [r[0] for r in rows]

    def erased(self, session_id: str) -> None:
        """The backend confirmed the erasure: the request is done."""
        with self._lock, self._tx() as db:
            db.execute("DELETE FROM erasures WHERE session_id = ?", (session_id,))

    # -- sending ------------------------------------------------------------------------------
    def pending(self, limit: int = 200) -> Batch | None:
        """The next batch to send: the oldest unacknowledged one if any (same key, same events),
        else a new one formed from unbatched events. None when nothing is waiting."""
        limit = max(1, min(limit, MAX_BATCH))
        with self._lock, self._tx() as db:
            row = db.execute(
                "SELECT batch_id FROM batches WHERE quarantined IS NULL ORDER BY rowid LIMIT 1"
            ).fetchone()
            if row is None:
                first = db.execute(
                    "SELECT id, solo FROM events WHERE batch_id IS NULL AND quarantined IS NULL "
                    "ORDER BY id LIMIT 1"
                ).fetchone()
                if first is None:
                    return None
                batch_id = str(uuid.uuid4())
                db.execute(
                    "INSERT INTO batches (batch_id, created_at) VALUES (?, ?)", (batch_id, utc_stamp())
                )
                if first[1]:
                    db.execute("UPDATE events SET batch_id = ? WHERE id = ?", (batch_id, first[0]))
                else:
                    db.execute(
                        "UPDATE events SET batch_id = ? WHERE id IN (SELECT id FROM events "
                        "WHERE batch_id IS NULL AND quarantined IS NULL AND solo = 0 ORDER BY id LIMIT ?)",
                        (batch_id, limit),
                    )
            else:
                batch_id = row[0]
            events = tuple(
                Event(event_id=r[0], session_id=r[1], seq=r[2], at=r[3], kind=r[4], data=json.loads(r[5]))
                for r in db.execute(
                    "SELECT event_id, session_id, seq, at, kind, data FROM events "
                    "WHERE batch_id = ? ORDER BY id",
                    (batch_id,),
                )
            )
        return Batch(batch_id=batch_id, events=events)

    def mark_sent(self, batch_id: str) -> int:
        """The backend acknowledged this batch: its events leave the outbox. Returns how many."""
        cutoff = utc_stamp(dt.datetime.now(dt.UTC) - SESSION_KEEP)
        with self._lock, self._tx() as db:
            removed = db.execute("DELETE FROM events WHERE batch_id = ?", (batch_id,)).rowcount
            db.execute("DELETE FROM batches WHERE batch_id = ?", (batch_id,))
            db.execute(
                "DELETE FROM sessions WHERE last_at < ? AND NOT EXISTS "
                "(SELECT 1 FROM events e WHERE e.session_id = sessions.session_id)",
                (cutoff,),
            )
        return removed

    def quarantine_batch(self, batch_id: str, reason: str) -> None:
        """Parks a batch the backend will never take as it is (409: key reused with another
        body). Its events stay on disk for a person to look at; the rest keep flowing."""
        with self._lock, self._tx() as db:
            db.execute("UPDATE batches SET quarantined = ? WHERE batch_id = ?", (reason[:500], batch_id))

    def reject_events(self, batch_id: str, event_ids: list[str], reason: str) -> None:
        """The backend refused the batch (422). The events it named are quarantined with the
        reason; when it named none, every event of the batch goes again alone so that the bad
        one is found. Either way the batch is dissolved: the backend stored nothing of it."""
        with self._lock, self._tx() as db:
            if event_ids:
                db.executemany(
                    "UPDATE events SET quarantined = ?, batch_id = NULL WHERE batch_id = ? AND event_id = ?",
                    [(reason[:500], batch_id, e) for e in event_ids],
                )
            else:
                alone = (
                    db.execute("SELECT COUNT(*) FROM events WHERE batch_id = ?", (batch_id,)).fetchone()[0]
                    == 1
                )
                if alone:
                    db.execute(
                        "UPDATE events SET quarantined = ? WHERE batch_id = ?", (reason[:500], batch_id)
                    )
                db.execute("UPDATE events SET solo = 1 WHERE batch_id = ?", (batch_id,))
            db.execute("UPDATE events SET batch_id = NULL WHERE batch_id = ?", (batch_id,))
            db.execute("DELETE FROM batches WHERE batch_id = ?", (batch_id,))

    # -- looking ------------------------------------------------------------------------------
    def backlog(self) -> int:
        """Events still to send (quarantined ones are not counted: they will not go by themselves)."""
        with self._lock:
            return self._db.execute(
                "SELECT COUNT(*) FROM events e WHERE e.quarantined IS NULL AND (e.batch_id IS NULL OR "
                "e.batch_id IN (SELECT batch_id FROM batches WHERE quarantined IS NULL))"
            ).fetchone()[0]

    def quarantined(self) -> list[Quarantined]:
        with self._lock:
            batches = self._db.execute(
                "SELECT batch_id, quarantined FROM batches WHERE quarantined IS NOT NULL ORDER BY rowid"
            ).fetchall()
            events = self._db.execute(
                "SELECT event_id, quarantined FROM events WHERE quarantined IS NOT NULL ORDER BY id"
            ).fetchall()
        return [Quarantined(batch_id=b, event_id=None, reason=r) for b, r in batches] + [
            Quarantined(batch_id=None, event_id=e, reason=r) for e, r in events
        ]


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception. IMMEDIATE takes the write lock
    up front so a read-then-write (seq, batch forming) cannot interleave with another writer."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._db.execute("COMMIT")
        else:
            self._db.execute("ROLLBACK")
