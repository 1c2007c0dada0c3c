"""Idempotent ingest of session event batches (at-least-once delivery + dedupe here =
exactly-once effect), and deletion of one shopper session's data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.backend.db import insert_ignoring_duplicates
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.kiosks.models import Kiosk
from kiosk.backend.sessions.models import IngestBatch, SessionEvent
from kiosk.backend.sessions.schemas import EventBatch


class KeyReused(Exception):
    """The Idempotency-Key was already used for a different body."""


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


def ingest(db: Session, kiosk: Kiosk, key: str, batch: EventBatch) -> Ingested:
    digest = body_digest(batch)
    find = select(IngestBatch).where(IngestBatch.kiosk_id == kiosk.id, IngestBatch.key == key)
    existing = db.scalar(find)
    if existing is not None:
        return _answer_existing(existing, digest)
    rows = []
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
                "day": event.at.astimezone(dt.UTC).date(),
                "kind": event.kind,
                "product_id": data.get("product_id"),
                "shade_sku": data.get("shade_sku"),
                "data": data,
            }
        )
    try:
        # The batch row goes first: its unique (kiosk, key) makes a concurrent twin wait for
        # this transaction and then fail, instead of both inserting events.
        db.add(IngestBatch(kiosk_id=kiosk.id, key=key, body_sha256=digest, accepted=len(rows)))
        db.flush()
        insert_ignoring_duplicates(db, SessionEvent, rows, "event_id")
        db.commit()
    except IntegrityError:
        db.rollback()
        existing = db.scalar(find)
        if existing is None:
            raise
        return _answer_existing(existing, digest)
    return Ingested(accepted=len(rows), duplicate=False)


def delete_session_data(db: Session, store_id: str, session_id: str) -> int:
    """Removes every row tied to one shopper session (events, help requests, handoffs) in the
    caller's transaction; returns how many events went."""
    removed = db.execute(
        delete(SessionEvent).where(SessionEvent.store_id == store_id, SessionEvent.session_id == session_id)
    ).rowcount
    db.execute(
        delete(HelpRequest).where(HelpRequest.store_id == store_id, HelpRequest.session_id == session_id)
    )
    db.execute(delete(Handoff).where(Handoff.store_id == store_id, Handoff.session_id == session_id))
    return removed
