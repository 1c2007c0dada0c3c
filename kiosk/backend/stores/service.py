"""Opening a store: the one way both the API and `kiosk backend create-store` make one."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.stores.models import Store
from kiosk.backend.stores.schemas import StoreIn


class StoreExists(ValueError):
    pass


def create_store(db: Session, body: StoreIn, actor_id: int | None) -> Store:
    if db.get(Store, body.id) is not None:
        raise StoreExists(f"store {body.id} already exists")
    store = Store(**body.model_dump())
    db.add(store)
    try:
        db.flush()
    except IntegrityError:  # opened concurrently: the primary key decides
        raise StoreExists(f"store {body.id} already exists") from None
    audit.record(db, actor_id, "store.create", f"store:{body.id}", body.id)
    return store
