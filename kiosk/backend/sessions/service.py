"""Idempotent ingest of session event batches (at-least-once delivery + dedupe here =
exactly-once effect), and deletion of one shopper session's data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.db import insert_ignoring_duplicates, unit_of_work, utcnow
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.kiosks.models import Kiosk
from kiosk.backend.sessions.models import IngestBatch, SessionEvent
from kiosk.backend.sessions.schemas import EventBatch
from kiosk.backend.stores.models import Store


class KeyReused(Exception):
    """The Idempotency-Key was already used for a different body."""


class EventsFromTheFuture(ValueError):
    """Events dated later than the server's clock plus the allowed skew: a kiosk clock that
    runs ahead must not be able to date data past its retention purge."""

    def __init__(self, indices: list[int], latest: dt.datetime):
        super().__init__(f"event time is later than the server's clock allows ({latest.isoformat()})")
        self.indices = indices


@dataclass(frozen=True)
class Ingested:
    accepted: int
    duplicate: bool


def body_digest(batch: EventBatch) -> str:
    """Hash of the batch's canonical JSON: the same events in another whitespace or key order
    are the same body."""
    canonical = json.dumps(batch.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _answer_existing(existing: IngestBatch, digest: str) -> Ingested:
    if existing.body_sha256 != digest:
        raise KeyReused()
    return Ingested(accepted=existing.accepted, duplicate=True)


def check_event_times(batch: EventBatch, now: dt.datetime, skew_s: int) -> None:
    latest = now + dt.timedelta(seconds=skew_s)
    late = [i for i, event in enumerate(batch.events) if event.at > latest]
    if late:
        raise EventsFromTheFuture(late, latest)


def ingest(db: Session, kiosk: Kiosk, key: str, batch: EventBatch, skew_s: int) -> Ingested:
    """Stores a batch once. Retention counts from `received_at`, the server's own clock, so the
    kiosk's `at` is only trusted for the dashboard and only up to `skew_s` ahead of the server."""
    now = utcnow()
    check_event_times(batch, now, skew_s)
    digest = body_digest(batch)
    find = select(IngestBatch).where(IngestBatch.kiosk_id == kiosk.id, IngestBatch.key == key)
    existing = db.scalar(find)
    if existing is not None:
        return _answer_existing(existing, digest)
    rows = []
    # Dashboard days are the store's days: an event is filed under its local date.
    zone = ZoneInfo(db.get(Store, kiosk.store_id).timezone)
    for event in batch.events:
        data = event.data.model_dump(mode="json")
        rows.append(
            {
                "event_id": str(event.event_id),
                "kiosk_id": kiosk.id,
                "store_id": kiosk.store_id,
                "session_id": str(event.session_id),
                "seq": event.seq,
                "at": event.at,
                "day": event.at.astimezone(zone).date(),
                "kind": event.kind,
                "product_id": data.get("product_id"),
                "shade_sku": data.get("shade_sku"),
                "data": data,
                "received_at": now,
            }
        )
    try:
        with unit_of_work(db):
            # The batch row goes first: its unique (kiosk, key) makes a concurrent twin wait for
            # this transaction and then fail, instead of both inserting events.
            db.add(IngestBatch(kiosk_id=kiosk.id, key=key, body_sha256=digest, accepted=len(rows)))
            db.flush()
            insert_ignoring_duplicates(db, SessionEvent, rows, "event_id")
    except IntegrityError:  # the unit rolled back: the twin's batch row is now readable
        existing = db.scalar(find)
        if existing is None:
            raise
        return _answer_existing(existing, digest)
    return Ingested(accepted=len(rows), duplicate=False)


@dataclass(frozen=True)
class Erased:
    events: int
    help_requests: int
    handoffs: int  # each with its photo, if one was shared

    @property
    def rows(self) -> int:
        return self.events + self.help_requests + self.handoffs


def delete_session_data(db: Session, store_id: str, session_id: str) -> Erased:
    """Removes every row tied to one shopper session in one store (events, the skin tone among
    them, help requests, handoffs with their photos) in the caller's transaction. Erasing an
    already erased session removes nothing, so the kiosk may retry it safely."""
    events = db.execute(
        delete(SessionEvent).where(SessionEvent.store_id == store_id, SessionEvent.session_id == session_id)
    ).rowcount
    helps = db.execute(
        delete(HelpRequest).where(HelpRequest.store_id == store_id, HelpRequest.session_id == session_id)
    ).rowcount
    handoffs = db.execute(
        delete(Handoff).where(Handoff.store_id == store_id, Handoff.session_id == session_id)
    ).rowcount
    return Erased(events=events, help_requests=helps, handoffs=handoffs)


def erase(db: Session, store_id: str, session_id: str, actor_id: int | None, entity: str) -> Erased:
    """A shopper's erasure request, from the kiosk or from staff: the rows go and the audit log
    records who asked and how much went, never which session, so the log does not become the
    one place that still ties the shopper to the store."""
    with unit_of_work(db):
        erased = delete_session_data(db, store_id, session_id)
        audit.record(db, actor_id, "session.erase", entity, store_id, rows=erased.rows)
    return erased
