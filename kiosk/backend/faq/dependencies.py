"""The FAQ entry look-up the API and the admin's FAQ page share (404 once the store's scope
check has passed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from kiosk.backend.deps import DB, ReadStore
from kiosk.backend.faq import service
from kiosk.backend.faq.models import FaqEntry
from kiosk.backend.inputguard import RowId


def valid_faq(faq_id: RowId, store: ReadStore, db: DB) -> FaqEntry:
    entry = service.get_entry(db, store.id, faq_id)
    if entry is None:
        raise HTTPException(404, "no such FAQ entry in this store")
    return entry


StoreFaq = Annotated[FaqEntry, Depends(valid_faq)]
