"""The kiosk's FAQ pull (ETag) and staff FAQ and store-information management."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kiosk.backend.deps import DB, KioskStore, ManageStore, ReadStore, StaffDep
from kiosk.backend.etag import etag_matches
from kiosk.backend.faq import service
from kiosk.backend.faq.dependencies import StoreFaq
from kiosk.backend.faq.schemas import FaqIn, FaqOut, KioskFaq, StoreInfo

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}", tags=["faq"])


@kiosk_api.get(
    "/faq", response_model=KioskFaq, responses={304: {"description": "unchanged since If-None-Match"}}
)
def kiosk_faq(request: Request, store: KioskStore, db: DB) -> Response:
    etag = f'"{store.faq_version}"'
    if etag_matches(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    body = KioskFaq(
        version=store.faq_version,
        entries=[service.faq_out(e) for e in service.entries(db, store.id)],
        store=service.store_info(store),
    )
    return Response(body.model_dump_json(), media_type="application/json", headers={"ETag": etag})


@staff_api.get("/faq")
def list_faq(store: ReadStore, db: DB) -> list[FaqOut]:
    return [service.faq_out(e) for e in service.entries(db, store.id)]


@staff_api.post("/faq", status_code=201)
def add_faq(store: ManageStore, body: FaqIn, staff: StaffDep, db: DB) -> FaqOut:
    return service.faq_out(service.save_entry(db, store.id, body, staff.user.id))


@staff_api.put("/faq/{faq_id}")
def edit_faq(store: ManageStore, entry: StoreFaq, body: FaqIn, staff: StaffDep, db: DB) -> FaqOut:
    return service.faq_out(service.save_entry(db, store.id, body, staff.user.id, entry))


@staff_api.delete("/faq/{faq_id}", status_code=204)
def delete_faq(_store: ManageStore, entry: StoreFaq, staff: StaffDep, db: DB) -> Response:
    service.delete_entry(db, entry, staff.user.id)
    return Response(status_code=204)


@staff_api.put("/info")
def edit_store_info(store: ManageStore, body: StoreInfo, staff: StaffDep, db: DB) -> StoreInfo:
    service.save_store_info(db, store, body, staff.user.id)
    return service.store_info(store)
