"""Request-scoped dependencies: the database session, the kiosk behind a bearer token (and its
store), the signed-in staff member (with CSRF checking on every state-changing request) and the
store a staff member asked for. The look-ups of each domain's own rows (`valid_*`) chain on these,
in each domain's `dependencies.py`."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.backend.auth.models import StaffSession, User
from kiosk.backend.auth.service import session_for_cookie, sha256_hex
from kiosk.backend.kiosks.models import Kiosk
from kiosk.backend.settings import BackendSettings
from kiosk.backend.stores.models import Store

SESSION_COOKIE = "maraya_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as db:
        yield db


def get_settings(request: Request) -> BackendSettings:
    return request.app.state.settings


DB = Annotated[Session, Depends(get_db)]
Settings = Annotated[BackendSettings, Depends(get_settings)]


def current_kiosk(request: Request, db: DB) -> Kiosk:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "kiosk token required", headers={"WWW-Authenticate": "Bearer"})
    kiosk = db.scalar(select(Kiosk).where(Kiosk.token_hash == sha256_hex(token.strip())))
    if kiosk is None or kiosk.revoked_at is not None:
        raise HTTPException(401, "unknown or revoked kiosk token", headers={"WWW-Authenticate": "Bearer"})
    return kiosk


KioskDep = Annotated[Kiosk, Depends(current_kiosk)]


def kiosk_store(kiosk: KioskDep, db: DB) -> Store:
    return db.get(Store, kiosk.store_id)


KioskStore = Annotated[Store, Depends(kiosk_store)]


@dataclass
class Staff:
    user: User
    session: StaffSession


class NotSignedIn(HTTPException):
    """Raised for a missing staff session; the admin pages turn it into a redirect to sign-in."""

    def __init__(self) -> None:
        super().__init__(401, "sign in first")


async def current_staff(request: Request, db: DB) -> Staff:
    found = session_for_cookie(db, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise NotSignedIn()
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            sent = str((await request.form()).get("csrf_token", ""))
        if not sent or not hmac.compare_digest(sent, found.csrf_token):
            raise HTTPException(403, "missing or wrong CSRF token")
    return Staff(user=found.user, session=found)


StaffDep = Annotated[Staff, Depends(current_staff)]


def require_admin(staff: StaffDep) -> Staff:
    if staff.user.role != "admin":
        raise HTTPException(403, "admins only")
    return staff


AdminDep = Annotated[Staff, Depends(require_admin)]


def store_for(db: Session, staff: Staff, store_id: str, *, manage: bool = False) -> Store:
    """The store a staff member asked for, if their role and scope allow it: 403 for a store
    outside their scope (or a change a plain staff role may not make), 404 for none at all."""
    if not staff.user.can_access(store_id):
        raise HTTPException(403, "this store is outside your scope")
    if manage and staff.user.role == "staff":
        raise HTTPException(403, "managers and admins only")
    store = db.get(Store, store_id)
    if store is None:
        raise HTTPException(404, f"no store {store_id}")
    return store


# As dependencies (not calls inside handlers) the scope check runs before the request body is
# validated, so someone outside the store gets 403 whatever they send, never a 422 about it.
def store_reader(store_id: str, staff: StaffDep, db: DB) -> Store:
    return store_for(db, staff, store_id)


def store_manager(store_id: str, staff: StaffDep, db: DB) -> Store:
    return store_for(db, staff, store_id, manage=True)


ReadStore = Annotated[Store, Depends(store_reader)]
ManageStore = Annotated[Store, Depends(store_manager)]
