"""The store's FAQ and the store information kiosks answer from; every change bumps the store's
FAQ version (the kiosks' ETag) and is one unit of work."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.db import unit_of_work
from kiosk.backend.faq.models import FaqEntry
from kiosk.backend.faq.schemas import FaqIn, FaqOut, StoreInfo
from kiosk.backend.stores.models import Store

STORE_INFO_FIELDS = tuple(StoreInfo.model_fields)


def bump_faq_version(db: Session, store_id: str) -> None:
    db.execute(update(Store).where(Store.id == store_id).values(faq_version=Store.faq_version + 1))


def entries(db: Session, store_id: str) -> list[FaqEntry]:
    return list(
        db.scalars(
            select(FaqEntry).where(FaqEntry.store_id == store_id).order_by(FaqEntry.position, FaqEntry.id)
        )
    )


def get_entry(db: Session, store_id: str, faq_id: int) -> FaqEntry | None:
    """The entry, or None when there is none or it belongs to another store."""
    entry = db.get(FaqEntry, faq_id)
    return entry if entry is not None and entry.store_id == store_id else None


def faq_out(e: FaqEntry) -> FaqOut:
    return FaqOut(
        id=e.id,
        question_en=e.question_en,
        question_ar=e.question_ar,
        answer_en=e.answer_en,
        answer_ar=e.answer_ar,
        tags=list(e.tags),
    )


def store_info(store: Store) -> StoreInfo:
    return StoreInfo(**{f: getattr(store, f) for f in STORE_INFO_FIELDS})


def save_entry(
    db: Session, store_id: str, data: FaqIn, actor_id: int | None, entry: FaqEntry | None = None
) -> FaqEntry:
    with unit_of_work(db):
        if entry is None:
            count = len(entries(db, store_id))
            entry = FaqEntry(store_id=store_id, position=count)
            db.add(entry)
        for name, value in data.model_dump().items():
            setattr(entry, name, value)
        bump_faq_version(db, store_id)
        db.flush()
        audit.record(db, actor_id, "faq.save", f"faq:{entry.id}", store_id)
    return entry


def delete_entry(db: Session, entry: FaqEntry, actor_id: int | None) -> None:
    with unit_of_work(db):
        db.delete(entry)
        bump_faq_version(db, entry.store_id)
        audit.record(db, actor_id, "faq.delete", f"faq:{entry.id}", entry.store_id)


def save_store_info(db: Session, store: Store, info: StoreInfo, actor_id: int | None) -> None:
    with unit_of_work(db):
        for name, value in info.model_dump().items():
            setattr(store, name, value)
        bump_faq_version(db, store.id)
        audit.record(db, actor_id, "store.info", f"store:{store.id}", store.id)
