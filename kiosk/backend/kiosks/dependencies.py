"""Look-ups of the kiosk routes: a kiosk of the store in the path (404 once the store's scope
check has passed) and the published recommender model (404 before any is published)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from kiosk.backend.deps import DB, KioskDep, ReadStore
from kiosk.backend.inputguard import RowId
from kiosk.backend.kiosks import service
from kiosk.backend.kiosks.models import Kiosk, ModelRelease


def valid_kiosk(kiosk_id: RowId, store: ReadStore, db: DB) -> Kiosk:
    kiosk = service.get_kiosk(db, store.id, kiosk_id)
    if kiosk is None:
        raise HTTPException(404, "no such kiosk in this store")
    return kiosk


def published_model(kiosk: KioskDep, db: DB) -> ModelRelease:
    release = service.current_model(db)
    if release is None:
        raise HTTPException(404, "no recommender model has been published")
    return release


StoreKiosk = Annotated[Kiosk, Depends(valid_kiosk)]
PublishedModel = Annotated[ModelRelease, Depends(published_model)]
