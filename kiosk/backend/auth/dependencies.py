"""The staff-account look-up shared by the users API and the admin's users page (admins only;
404 for an unknown id)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from kiosk.backend.auth import service
from kiosk.backend.auth.models import User
from kiosk.backend.deps import DB, AdminDep
from kiosk.backend.inputguard import RowId


def valid_user(user_id: RowId, admin: AdminDep, db: DB) -> User:
    user = service.get_user(db, user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    return user


ValidUser = Annotated[User, Depends(valid_user)]
