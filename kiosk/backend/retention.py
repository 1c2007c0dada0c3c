"""Retention: shopper-session data older than the configured days is deleted, by the
`kiosk backend purge` command and on a schedule inside the server.

Age is measured on the server's clock (`received_at`), never only on the time a kiosk wrote
into the event: a kiosk whose clock says 2099 must not keep data for ever. An event whose own
`at` is already past the cutoff goes too, so a kiosk's clock can only make data go sooner."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from kiosk.backend import audit
from kiosk.backend.auth.models import LoginAttempt
from kiosk.backend.auth.service import end_expired_sessions
from kiosk.backend.db import session_scope, utcnow
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.sessions.models import IngestBatch, SessionEvent
from kiosk.backend.settings import BackendSettings


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    events: int
    batches: int
    help_requests: int
    handoffs: int


def purge(
    factory: sessionmaker[Session], settings: BackendSettings, now: dt.datetime | None = None
) -> PurgeResult:
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=settings.retention_days)
    with session_scope(factory) as db:
        events = db.execute(
            delete(SessionEvent).where((SessionEvent.received_at < cutoff) | (SessionEvent.at < cutoff))
        ).rowcount
        batches = db.execute(delete(IngestBatch).where(IngestBatch.created_at < cutoff)).rowcount
        helps = db.execute(delete(HelpRequest).where(HelpRequest.created_at < cutoff)).rowcount
        # Expired looks go at once, photo and all: their only use was the shopper's link.
        handoffs = db.execute(
            delete(Handoff).where((Handoff.expires_at < now) | (Handoff.created_at < cutoff))
        ).rowcount
        db.execute(delete(LoginAttempt).where(LoginAttempt.at < now - dt.timedelta(days=1)))
        end_expired_sessions(db, now)
        result = PurgeResult(cutoff, events, batches, helps, handoffs)
        audit.record(
            db,
            None,
            "retention.purge",
            "sessions",
            None,
            cutoff=cutoff.isoformat(),
            events=events,
            help_requests=helps,
            handoffs=handoffs,
        )
    return result
