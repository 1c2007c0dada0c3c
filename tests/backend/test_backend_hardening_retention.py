"""Retention on the server's clock: a kiosk cannot date events past the purge (2099, 9999),
and the purge ages data by when the server received it, not by what the kiosk wrote."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update

from kiosk.backend.db import make_engine, make_sessionmaker
from kiosk.backend.retention import purge
from kiosk.backend.sessions.models import SessionEvent


def event(at: str) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "session_id": str(uuid.uuid4()),
        "seq": 0,
        "at": at,
        "kind": "consent_given",
        "data": {},
    }


def send(b, events: list[dict]):
    return b.client.post(
        "/api/v1/kiosk/events",
        json={"events": events},
        headers={**b.kiosk_headers, "Idempotency-Key": str(uuid.uuid4())},
    )


def test_events_dated_beyond_the_allowed_clock_skew_are_refused_by_field(backend):
    now = dt.datetime.now(dt.UTC)
    ok = event((now + dt.timedelta(seconds=backend.settings.event_clock_skew_s - 60)).isoformat())
    batch = [ok, event("2099-01-01T00:00:00Z"), event("9999-12-31T23:59:59Z")]
    r = send(backend, batch)
    assert r.status_code == 422
    assert sorted(tuple(e["loc"]) for e in r.json()["detail"]) == [
        ("body", "events", 1, "at"),
        ("body", "events", 2, "at"),
    ]
    assert send(backend, [ok]).status_code == 200  # a clock a few minutes fast is tolerated


def test_the_purge_ages_events_by_the_servers_receive_time(backend):
    now = dt.datetime.now(dt.UTC)
    claims_recent, is_recent = event(now.isoformat()), event(now.isoformat())
    assert send(backend, [claims_recent, is_recent]).status_code == 200
    engine = make_engine(backend.database_url)
    with engine.begin() as conn:
        received = conn.execute(
            select(SessionEvent.received_at).where(SessionEvent.event_id == is_recent["event_id"])
        ).scalar_one()
        assert abs((received - now).total_seconds()) < 60
        # A row stored long ago, whose kiosk claimed a far-future time before this fix: it
        # must go with the rest of that old data.
        conn.execute(
            update(SessionEvent)
            .where(SessionEvent.event_id == claims_recent["event_id"])
            .values(
                at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
                received_at=now - dt.timedelta(days=backend.settings.retention_days + 1),
            )
        )
    result = purge(make_sessionmaker(engine), backend.settings)
    with engine.connect() as conn:
        left = set(conn.execute(select(SessionEvent.event_id)).scalars())
    engine.dispose()
    assert result.events == 1 and left == {is_recent["event_id"]}
