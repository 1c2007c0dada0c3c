from __future__ import annotations

from fastapi import APIRouter, HTTPException

from kiosk.backend import audit
from kiosk.backend.deps import DB, AdminDep, StaffDep
from kiosk.backend.stores import service
from kiosk.backend.stores.models import Store
from kiosk.backend.stores.schemas import StoreIn, StoreOut

router = APIRouter(prefix="/api/v1", tags=["stores"])


def store_out(s: Store) -> StoreOut:
    return StoreOut(
        id=s.id,
        name_en=s.name_en,
        name_ar=s.name_ar,
        currency=s.currency,
        timezone=s.timezone,
        catalogue_version=s.catalogue_version,
        faq_version=s.faq_version,
    )


@router.get("/stores")
def list_stores(staff: StaffDep, db: DB) -> list[StoreOut]:
    return [store_out(s) for s in service.visible_stores(db, staff.user)]


@router.post("/stores", status_code=201, responses={409: {}})
def create_store(body: StoreIn, admin: AdminDep, db: DB) -> StoreOut:
    try:
        store = service.create_store(db, body, admin.user.id)
    except service.StoreExists as exc:
        raise HTTPException(409, str(exc)) from None
    return store_out(store)


@router.get("/audit")
def audit_log(admin: AdminDep, db: DB, limit: int = 100) -> list[audit.AuditRow]:
    return audit.recent(db, limit)
