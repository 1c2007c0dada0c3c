from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException
from fastapi.exceptions import RequestValidationError

from kiosk.backend.deps import DB, KioskDep, ManageStore, Settings, StaffDep
from kiosk.backend.sessions import service
from kiosk.backend.sessions.schemas import EventBatch, IngestResult, SessionErased

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}/sessions", tags=["privacy"])

IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")
]


@kiosk_api.post("/events", responses={409: {"description": "Idempotency-Key reused with a different body"}})
def ingest_events(
    batch: EventBatch, kiosk: KioskDep, db: DB, settings: Settings, idempotency_key: IdempotencyKey
) -> IngestResult:
    try:
        result = service.ingest(db, kiosk, idempotency_key, batch, settings.event_clock_skew_s)
    except service.KeyReused:
        raise HTTPException(409, "this Idempotency-Key was already used for a different batch") from None
    except service.EventsFromTheFuture as exc:
        raise RequestValidationError(
            [
                {"type": "value_error", "loc": ("body", "events", i, "at"), "msg": str(exc), "input": None}
                for i in exc.indices
            ]
        ) from None
    return IngestResult(accepted=result.accepted, duplicate=result.duplicate)


@kiosk_api.post("/sessions/{session_id}/erase")
def erase_session(session_id: uuid.UUID, kiosk: KioskDep, db: DB) -> SessionErased:
    """The shopper's "delete my data" at the kiosk: every row of this session in the kiosk's
    store. Idempotent (a repeat answers 0), so the kiosk retries it like any other call."""
    erased = service.erase(db, kiosk.store_id, str(session_id), None, f"kiosk:{kiosk.id}")
    return SessionErased(erased=erased.rows)


@staff_api.delete("/{session_id}")
def erase_session_by_staff(
    store: ManageStore, session_id: uuid.UUID, staff: StaffDep, db: DB
) -> SessionErased:
    """A manager or admin erases a shopper session by its id (e.g. from a written request)."""
    erased = service.erase(db, store.id, str(session_id), staff.user.id, "session")
    return SessionErased(erased=erased.rows)
