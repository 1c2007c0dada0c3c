"""Kiosk-facing heartbeat and model download, and staff kiosk management."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from sqlalchemy import select

from kiosk.backend.db import utcnow
from kiosk.backend.deps import DB, KioskDep, ManageStore, ReadStore, Settings, StaffDep
from kiosk.backend.inputguard import RowId
from kiosk.backend.kiosks import service
from kiosk.backend.kiosks.models import Kiosk
from kiosk.backend.kiosks.schemas import Heartbeat, HeartbeatReply, KioskCreated, KioskIn, KioskOut, ModelInfo
from kiosk.backend.stores.models import Store

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}/kiosks", tags=["kiosks"])


@kiosk_api.post("/heartbeat")
def heartbeat(body: Heartbeat, kiosk: KioskDep, db: DB, settings: Settings) -> HeartbeatReply:
    kiosk.software_version = body.software_version
    kiosk.model_version = body.model_version
    kiosk.fps = body.fps
    kiosk.camera_state = body.camera_state
    kiosk.uptime_s = body.uptime_s
    kiosk.last_error = body.last_error or ""
    kiosk.last_seen_at = utcnow()
    db.commit()
    store = db.get(Store, kiosk.store_id)
    release = service.current_model(db)
    return HeartbeatReply(
        server_time=utcnow(),
        catalogue_version=store.catalogue_version,
        model_version=release.version if release else None,
        settings={
            "heartbeat_interval_s": 30,
            "faq_version": store.faq_version,
            "handoff_ttl_minutes": settings.handoff_ttl_minutes,
            "retention_days": settings.retention_days,
        },
    )


@kiosk_api.get("/model", responses={404: {"description": "no model published"}})
def model_info(kiosk: KioskDep, db: DB) -> ModelInfo:
    release = service.current_model(db)
    if release is None:
        raise HTTPException(404, "no recommender model has been published")
    return ModelInfo(
        version=release.version, sha256=release.sha256, size=release.size, url="/api/v1/kiosk/model/file"
    )


@kiosk_api.get(
    "/model/file", response_class=FileResponse, responses={404: {"description": "no model published"}}
)
def model_file(kiosk: KioskDep, db: DB, settings: Settings):
    release = service.current_model(db)
    if release is None:
        raise HTTPException(404, "no recommender model has been published")
    return FileResponse(
        settings.data_dir / "models" / release.filename, media_type="application/octet-stream"
    )


def kiosk_out(k: Kiosk, settings) -> dict:
    return dict(
        id=k.id,
        store_id=k.store_id,
        name=k.name,
        health=service.health(k, settings),
        last_seen_at=k.last_seen_at,
        software_version=k.software_version,
        model_version=k.model_version,
        fps=k.fps,
        camera_state=k.camera_state,
        uptime_s=k.uptime_s,
        last_error=k.last_error,
        revoked=k.revoked_at is not None,
    )


@staff_api.get("")
def list_kiosks(
    store_id: str, _store: ReadStore, staff: StaffDep, db: DB, settings: Settings
) -> list[KioskOut]:
    kiosks = db.scalars(select(Kiosk).where(Kiosk.store_id == store_id).order_by(Kiosk.id))
    return [KioskOut(**kiosk_out(k, settings)) for k in kiosks]


@staff_api.post("", status_code=201)
def create_kiosk(
    store_id: str, _store: ManageStore, body: KioskIn, staff: StaffDep, db: DB, settings: Settings
) -> KioskCreated:
    made = service.create_kiosk(db, store_id, body.name, staff.user.id)
    db.commit()
    return KioskCreated(**kiosk_out(made.kiosk, settings), token=made.token)


@staff_api.post("/{kiosk_id}/revoke")
def revoke_kiosk(
    store_id: str, _store: ManageStore, kiosk_id: RowId, staff: StaffDep, db: DB, settings: Settings
) -> KioskOut:
    kiosk = db.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.store_id != store_id:
        raise HTTPException(404, "no such kiosk in this store")
    service.revoke_kiosk(db, kiosk, staff.user.id)
    db.commit()
    return KioskOut(**kiosk_out(kiosk, settings))
