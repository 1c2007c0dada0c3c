"""Kiosk-facing heartbeat and model download, and staff kiosk management."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from kiosk.backend.db import utcnow
from kiosk.backend.deps import DB, KioskDep, KioskStore, ManageStore, ReadStore, Settings, StaffDep
from kiosk.backend.kiosks import service
from kiosk.backend.kiosks.dependencies import PublishedModel, StoreKiosk
from kiosk.backend.kiosks.schemas import Heartbeat, HeartbeatReply, KioskCreated, KioskIn, KioskOut, ModelInfo

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}/kiosks", tags=["kiosks"])

NO_MODEL = {404: {"description": "no model published"}}


@kiosk_api.post("/heartbeat")
def heartbeat(
    body: Heartbeat, kiosk: KioskDep, store: KioskStore, db: DB, settings: Settings
) -> HeartbeatReply:
    service.record_heartbeat(db, kiosk, body)
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


@kiosk_api.get("/model", responses=NO_MODEL)
def model_info(release: PublishedModel) -> ModelInfo:
    return ModelInfo(
        version=release.version, sha256=release.sha256, size=release.size, url="/api/v1/kiosk/model/file"
    )


@kiosk_api.get("/model/file", response_class=FileResponse, responses=NO_MODEL)
def model_file(release: PublishedModel, settings: Settings):
    return FileResponse(
        settings.data_dir / "models" / release.filename, media_type="application/octet-stream"
    )


@staff_api.get("")
def list_kiosks(store: ReadStore, db: DB, settings: Settings) -> list[KioskOut]:
    return [service.kiosk_out(k, settings) for k in service.list_kiosks(db, store.id)]


@staff_api.post("", status_code=201)
def create_kiosk(
    store: ManageStore, body: KioskIn, staff: StaffDep, db: DB, settings: Settings
) -> KioskCreated:
    made = service.create_kiosk(db, store.id, body.name, staff.user.id)
    return KioskCreated(**service.kiosk_out(made.kiosk, settings).model_dump(), token=made.token)


@staff_api.post("/{kiosk_id}/revoke")
def revoke_kiosk(
    _store: ManageStore, kiosk: StoreKiosk, staff: StaffDep, db: DB, settings: Settings
) -> KioskOut:
    service.revoke_kiosk(db, kiosk, staff.user.id)
    return service.kiosk_out(kiosk, settings)
