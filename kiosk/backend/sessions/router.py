from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException

from kiosk.backend.deps import DB, KioskDep
from kiosk.backend.sessions import service
from kiosk.backend.sessions.schemas import EventBatch, IngestResult

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])

IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", min_length=8, max_length=64, pattern=r"^[A-Za-z0-9\-_]+$")
]


@kiosk_api.post("/events", responses={409: {"description": "Idempotency-Key reused with a different body"}})
def ingest_events(
    batch: EventBatch, kiosk: KioskDep, db: DB, idempotency_key: IdempotencyKey
) -> IngestResult:
    try:
        result = service.ingest(db, kiosk, idempotency_key, batch)
    except service.KeyReused:
        raise HTTPException(409, "this Idempotency-Key was already used for a different batch") from None
    return IngestResult(accepted=result.accepted, duplicate=result.duplicate)
