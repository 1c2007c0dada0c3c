"""Help requests: kiosks raise them, staff see a live queue (server-sent events) and answer."""

from __future__ import annotations

import asyncio
import json
import time

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from kiosk.backend.auth.service import session_for_cookie
from kiosk.backend.deps import DB, SESSION_COOKIE, KioskDep, ReadStore, Settings, StaffDep
from kiosk.backend.help import service
from kiosk.backend.help.dependencies import KioskHelpRequest, StoreHelpRequest
from kiosk.backend.help.schemas import HelpCreated, HelpIn, HelpOut, HelpState

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}/help-requests", tags=["help"])

POLL_S = 0.5  # the queue is read from the database so every app worker sees every kiosk


@kiosk_api.post("/help-requests", status_code=201)
def raise_help(body: HelpIn, kiosk: KioskDep, db: DB) -> HelpCreated:
    req = service.raise_request(db, kiosk, body)
    return HelpCreated(id=req.id, status="open")


@kiosk_api.get("/help-requests/{help_id}")
def help_state(req: KioskHelpRequest) -> HelpState:
    return service.state_of(req)


@staff_api.get("")
def list_help(store: ReadStore, db: DB, include_resolved: bool = False) -> list[HelpOut]:
    return service.queue(db, store.id, include_resolved)


@staff_api.post("/{help_id}/acknowledge")
def acknowledge(req: StoreHelpRequest, staff: StaffDep, db: DB) -> HelpState:
    service.acknowledge(db, req, staff.user.id)
    return service.state_of(req)


@staff_api.post("/{help_id}/resolve")
def resolve(req: StoreHelpRequest, staff: StaffDep, db: DB) -> HelpState:
    service.resolve(db, req, staff.user.id)
    return service.state_of(req)


@staff_api.get(
    "/stream", response_class=StreamingResponse, responses={200: {"content": {"text/event-stream": {}}}}
)
def stream(store: ReadStore, request: Request, settings: Settings) -> StreamingResponse:
    """Server-sent events: a `queue` event with the whole open queue whenever it changes."""
    factory = request.app.state.sessionmaker
    cookie = request.cookies.get(SESSION_COOKIE)
    store_id = store.id

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
