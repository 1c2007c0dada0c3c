"""Look handoff: kiosks create a short-lived code; the shopper's phone opens /h/{code}."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from kiosk.backend import audit
from kiosk.backend.db import utcnow
from kiosk.backend.deps import DB, KioskDep, ManageStore, Settings, StaffDep
from kiosk.backend.handoff import service
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.handoff.schemas import HandoffCreated, HandoffIn, SessionDeleted
from kiosk.backend.sessions.service import delete_session_data
from kiosk.backend.stores.models import Store
from kiosk.backend.web import lang_of, templates

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
public = APIRouter(tags=["public"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}/handoffs", tags=["privacy"])


@kiosk_api.post("/handoffs", status_code=201)
def create_handoff(body: HandoffIn, kiosk: KioskDep, db: DB, settings: Settings) -> HandoffCreated:
    try:
        handoff = service.create(db, kiosk, body, settings.handoff_ttl_minutes)
    except service.HandoffRejected as exc:
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("body", *exc.field.split(".")), "msg": str(exc), "input": None}]
        ) from None
    return HandoffCreated(code=handoff.code, url=f"/h/{handoff.code}", expires_at=handoff.expires_at)


def _live(db, code: str) -> Handoff:
    handoff = db.get(Handoff, service.normalise_code(code))
    if handoff is None:
        raise HTTPException(404, "no such look")
    if handoff.expires_at < utcnow():
        raise HTTPException(410, "this look link has expired")
    return handoff


@public.get("/h/{code}", response_class=HTMLResponse, responses={404: {}, 410: {}})
def handoff_page(code: str, request: Request, db: DB):
    handoff = _live(db, code)
    store = db.get(Store, handoff.store_id)
    handoff.views += 1
    db.commit()
    return templates.TemplateResponse(
        request,
        "handoff.html",
        {
            "handoff": handoff,
            "store": store,
            "lang": lang_of(request),
            "total": sum(i["price"] for i in handoff.items),
        },
        headers={"Cache-Control": "no-store"},
    )


@public.get(
    "/h/{code}/snapshot.jpg", response_class=Response, responses={200: {"content": {"image/jpeg": {}}}}
)
def handoff_snapshot(code: str, db: DB) -> Response:
    handoff = _live(db, code)
    if handoff.snapshot_jpeg is None:
        raise HTTPException(404, "no photo was shared with this look")
    return Response(handoff.snapshot_jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@staff_api.delete("/{code}")
def delete_by_code(store_id: str, _store: ManageStore, code: str, staff: StaffDep, db: DB) -> SessionDeleted:
    """Erases one shopper's session (events, help requests, handoffs) given their look code,
    e.g. when the shopper asks at the till; expired codes work too."""
    handoff = db.get(Handoff, service.normalise_code(code))
    if handoff is None or handoff.store_id != store_id:
        raise HTTPException(404, "no such look code in this store")
    session_id = handoff.session_id
    removed = delete_session_data(db, store_id, session_id)
    audit.record(db, staff.user.id, "session.delete", f"handoff:{handoff.code}", store_id, events=removed)
    db.commit()
    return SessionDeleted(code=handoff.code, session_id=session_id, events_deleted=removed)
