"""Stores: opening one (the one way both the API and `kiosk backend create-store` make one) and
the stores a staff member may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.auth.models import User
from kiosk.backend.db import unit_of_work
from kiosk.backend.stores.models import Store
from kiosk.backend.stores.schemas import StoreIn


class StoreExists(ValueError):
    pass


def create_store(db: Session, body: StoreIn, actor_id: int | None) -> Store:
    with unit_of_work(db):
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


def visible_stores(db: Session, user: User) -> list[Store]:
    """The stores in the user's scope, by id: the API's list, the admin's menu and start page."""
    return [s for s in db.scalars(select(Store).order_by(Store.id)) if user.can_access(s.id)]
