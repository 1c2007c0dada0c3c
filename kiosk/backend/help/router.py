"""Help requests: kiosks raise them, staff see a live queue (server-sent events) and answer."""

from __future__ import annotations

import asyncio
import json
import time

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from kiosk.backend.auth.service import session_for_cookie
from kiosk.backend.deps import DB, SESSION_COOKIE, KioskDep, ReadStore, Settings, StaffDep
from kiosk.backend.help import service
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.help.schemas import HelpCreated, HelpIn, HelpOut, HelpState
from kiosk.backend.inputguard import RowId

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}/help-requests", tags=["help"])

POLL_S = 0.5  # the queue is read from the database so every app worker sees every kiosk


@kiosk_api.post("/help-requests", status_code=201)
def raise_help(body: HelpIn, kiosk: KioskDep, db: DB) -> HelpCreated:
    req = service.raise_request(db, kiosk, body)
    return HelpCreated(id=req.id, status="open")


@kiosk_api.get("/help-requests/{help_id}")
def help_state(help_id: RowId, kiosk: KioskDep, db: DB) -> HelpState:
    req = db.get(HelpRequest, help_id)
    if req is None or req.store_id != kiosk.store_id:
        raise HTTPException(404, "no such help request")
    return HelpState(id=req.id, status=req.status, acknowledged_at=req.acknowledged_at)


@staff_api.get("")
def list_help(
    store_id: str, _store: ReadStore, staff: StaffDep, db: DB, include_resolved: bool = False
) -> list[HelpOut]:
    return service.queue(db, store_id, include_resolved)


def _request(db, store_id: str, help_id: int) -> HelpRequest:
    req = db.get(HelpRequest, help_id)
    if req is None or req.store_id != store_id:
        raise HTTPException(404, "no such help request in this store")
    return req


@staff_api.post("/{help_id}/acknowledge")
def acknowledge(store_id: str, _store: ReadStore, help_id: RowId, staff: StaffDep, db: DB) -> HelpState:
    req = _request(db, store_id, help_id)
    service.acknowledge(db, req, staff.user.id)
    db.commit()
    return HelpState(id=req.id, status=req.status, acknowledged_at=req.acknowledged_at)


@staff_api.post("/{help_id}/resolve")
def resolve(store_id: str, _store: ReadStore, help_id: RowId, staff: StaffDep, db: DB) -> HelpState:
    req = _request(db, store_id, help_id)
    service.resolve(db, req, staff.user.id)
    db.commit()
    return HelpState(id=req.id, status=req.status, acknowledged_at=req.acknowledged_at)


@staff_api.get(
    "/stream", response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}}
)
def stream(
    store_id: str, _store: ReadStore, request: Request, staff: StaffDep, db: DB, settings: Settings
) -> StreamingResponse:
    """Server-sent events: a `queue` event with the whole open queue whenever it changes."""
    factory = request.app.state.sessionmaker
    cookie = request.cookies.get(SESSION_COOKIE)

    def snapshot() -> str | None:
        """The open queue, or None once the viewer's session has ended (signed out, deactivated,
        taken off this store): the stream then closes within one poll, not at its time limit."""
        with factory() as session:
            found = session_for_cookie(session, cookie)
            if found is None or not found.user.can_access(store_id):
                return None
            return json.dumps([h.model_dump(mode="json") for h in service.queue(session, store_id)])

    async def events():
        yield "retry: 2000\n\n"
        last, started, last_sent = None, time.monotonic(), time.monotonic()
        while time.monotonic() - started < settings.help_stream_max_s and not await request.is_disconnected():
            current = await run_in_threadpool(snapshot)
            if current is None:
                break
            if current != last:
                last, last_sent = current, time.monotonic()
                yield f"event: queue\ndata: {current}\n\n"
            elif time.monotonic() - last_sent > 15:
                last_sent = time.monotonic()
                yield ": keep-alive\n\n"
            await asyncio.sleep(POLL_S)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})
