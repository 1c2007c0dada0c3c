"""Help-request look-ups: staff reach their store's requests, a kiosk only its store's (404 for
anything else, so neither learns another store's ids)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from kiosk.backend.deps import DB, KioskDep, ReadStore
from kiosk.backend.help import service
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.inputguard import RowId


def valid_help_request(help_id: RowId, store: ReadStore, db: DB) -> HelpRequest:
    req = service.get_request(db, store.id, help_id)
    if req is None:
        raise HTTPException(404, "no such help request in this store")
    return req


def kiosk_help_request(help_id: RowId, kiosk: KioskDep, db: DB) -> HelpRequest:
    req = service.get_request(db, kiosk.store_id, help_id)
    if req is None:
        raise HTTPException(404, "no such help request")
    return req


StoreHelpRequest = Annotated[HelpRequest, Depends(valid_help_request)]
KioskHelpRequest = Annotated[HelpRequest, Depends(kiosk_help_request)]
