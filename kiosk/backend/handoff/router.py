"""Look handoff: kiosks create a short-lived look; the shopper's phone opens /h/{token} from the
QR code. The token carries 128 bits and the public routes are throttled per address; an expired
look answers 410 and its photo is dropped on that access (the purge removes the rest)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from kiosk.backend.deps import DB, KioskDep, Settings, StaffDep
from kiosk.backend.handoff import service
from kiosk.backend.handoff.dependencies import LiveLook, StoreLookCode, Token
from kiosk.backend.handoff.schemas import HandoffCreated, HandoffIn, SessionDeleted
from kiosk.backend.ratelimit import RATE_LIMITED
from kiosk.backend.sessions.service import erase
from kiosk.backend.web import lang_of, templates

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
public = APIRouter(tags=["public"], responses=RATE_LIMITED)
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}/handoffs", tags=["privacy"])


@kiosk_api.post("/handoffs", status_code=201)
def create_handoff(body: HandoffIn, kiosk: KioskDep, db: DB, settings: Settings) -> HandoffCreated:
    try:
        made = service.create(db, kiosk, body, settings.handoff_ttl_minutes)
    except service.HandoffRejected as exc:
        raise RequestValidationError(
            [{"type": "value_error", "loc": ("body", *exc.field.split(".")), "msg": str(exc), "input": None}]
        ) from None
    return HandoffCreated(code=made.handoff.code, url=f"/h/{made.token}", expires_at=made.handoff.expires_at)


@public.get("/h/{token}", response_class=HTMLResponse, responses={404: {}, 410: {}})
def handoff_page(handoff: LiveLook, token: Token, request: Request, db: DB):
    service.count_view(db, handoff)
    store = service.store_of(db, handoff)
    lang = lang_of(request)
    return templates.TemplateResponse(
        request,
        "handoff.html",
        {
            "handoff": handoff,
            "token": token,
            "store": store,
            "store_name": store.name_ar if lang == "ar" else store.name_en,
            "hours": store.hours_ar if lang == "ar" else store.hours_en,
            "total": sum(i["price"] for i in handoff.items),
        },
        headers={"Cache-Control": "no-store"},
    )


@public.get(
    "/h/{token}/snapshot.jpg", response_class=Response, responses={200: {"content": {"image/jpeg": {}}}}
)
def handoff_snapshot(handoff: LiveLook, download: bool = False) -> Response:
    """The look's photo; `?download=1` asks the phone to save it (the `download` attribute alone
    is ignored by some mobile browsers)."""
    if handoff.snapshot_jpeg is None:
        raise HTTPException(404, "no photo was shared with this look")
    headers = {"Cache-Control": "no-store"}
    if download:
        headers["Content-Disposition"] = 'attachment; filename="maraya-look.jpg"'
    return Response(handoff.snapshot_jpeg, media_type="image/jpeg", headers=headers)


@staff_api.delete("/{code}", responses=RATE_LIMITED)
def delete_by_code(handoff: StoreLookCode, staff: StaffDep, db: DB) -> SessionDeleted:
    """Erases one shopper's session (events, help requests, handoffs) given the short code on
    their look page, e.g. when the shopper asks at the till; expired codes work too. The code
    is typed by a person, so it is throttled per address like the public routes."""
    code, session_id = handoff.code, handoff.session_id
    erased = erase(db, handoff.store_id, session_id, staff.user.id, f"handoff:{code}")
    return SessionDeleted(code=code, session_id=session_id, events_deleted=erased.events)
