from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from kiosk.backend.deps import DB, KioskDep, ManageStore, ReadStore, StaffDep
from kiosk.backend.etag import etag_matches
from kiosk.backend.faq import service
from kiosk.backend.faq.models import FaqEntry
from kiosk.backend.faq.schemas import FaqIn, FaqOut, KioskFaq, StoreInfo
from kiosk.backend.inputguard import RowId
from kiosk.backend.stores.models import Store

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}", tags=["faq"])


@kiosk_api.get("/faq", responses={304: {"description": "unchanged since If-None-Match"}})
def kiosk_faq(request: Request, kiosk: KioskDep, db: DB):
    store = db.get(Store, kiosk.store_id)
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
def list_faq(store_id: str, _store: ReadStore, staff: StaffDep, db: DB) -> list[FaqOut]:
    return [service.faq_out(e) for e in service.entries(db, store_id)]


@staff_api.post("/faq", status_code=201)
def add_faq(store_id: str, _store: ManageStore, body: FaqIn, staff: StaffDep, db: DB) -> FaqOut:
    entry = service.save_entry(db, store_id, body, staff.user.id)
    db.commit()
    return service.faq_out(entry)


def _entry(db, store_id: str, faq_id: int) -> FaqEntry:
    entry = db.get(FaqEntry, faq_id)
    if entry is None or entry.store_id != store_id:
        raise HTTPException(404, "no such FAQ entry in this store")
    return entry


@staff_api.put("/faq/{faq_id}")
def edit_faq(
    store_id: str, _store: ManageStore, faq_id: RowId, body: FaqIn, staff: StaffDep, db: DB
) -> FaqOut:
    entry = service.save_entry(db, store_id, body, staff.user.id, _entry(db, store_id, faq_id))
    db.commit()
    return service.faq_out(entry)


@staff_api.delete("/faq/{faq_id}", status_code=204)
def delete_faq(store_id: str, _store: ManageStore, faq_id: RowId, staff: StaffDep, db: DB) -> Response:
    service.delete_entry(db, _entry(db, store_id, faq_id), staff.user.id)
    db.commit()
    return Response(status_code=204)


@staff_api.put("/info")
def edit_store_info(store_id: str, store: ManageStore, body: StoreInfo, staff: StaffDep, db: DB) -> StoreInfo:
    service.save_store_info(db, store, body, staff.user.id)
    db.commit()
    return service.store_info(store)
