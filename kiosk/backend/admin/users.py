"""The admin's staff page: add accounts, change role and stores, reset a password, end
sessions, deactivate (offboarding) and reactivate. Admins only; it calls the same service
functions as the JSON API, so both write the same audit entries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kiosk.backend.admin.pages import render
from kiosk.backend.auth import service
from kiosk.backend.auth.dependencies import ValidUser
from kiosk.backend.auth.models import ROLES, User
from kiosk.backend.deps import DB, AdminDep, Staff
from kiosk.backend.stores.service import visible_stores

router = APIRouter(prefix="/admin/users", include_in_schema=False)


def _store_ids(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def _page(request: Request, admin: Staff, db, status: int = 200, error: str = "", done: bool = False):
    users = service.list_users(db, order_by=User.email)
    store = next(iter(visible_stores(db, admin.user)), None)  # an admin's: the first of all stores
    return render(
        request,
        "users.html",
        admin,
        status=status,
        store=store,
        users=users,
        roles=ROLES,
        error=error,
        done=done,
    )


def _after(request: Request, admin: Staff, db, change, *args) -> HTMLResponse | RedirectResponse:
    """Runs a change (a service unit of work); on a refused one (own account, unknown store, short
    password) the page is shown again with the reason, otherwise Post/Redirect/Get."""
    try:
        change(*args)
    except ValueError as exc:
        status = 409 if isinstance(exc, service.SelfChange) or "already exists" in str(exc) else 422
        return _page(request, admin, db, status=status, error=str(exc))
    return RedirectResponse("/admin/users?done=1", status_code=303)


@router.get("", response_class=HTMLResponse)
def users_page(request: Request, admin: AdminDep, db: DB, done: bool = False):
    return _page(request, admin, db, done=done)


@router.post("", response_class=HTMLResponse)
def user_create(
    request: Request,
    admin: AdminDep,
    db: DB,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    role: Annotated[str, Form()],
    stores: Annotated[str, Form(max_length=2000)] = "",
):
    return _after(
        request, admin, db, service.create_user, db, email, password, role, _store_ids(stores), admin.user.id
    )


@router.post("/{user_id}/access", response_class=HTMLResponse)
def user_access(
    user: ValidUser,
    request: Request,
    admin: AdminDep,
    db: DB,
    role: Annotated[str, Form()],
    stores: Annotated[str, Form(max_length=2000)] = "",
):
    return _after(request, admin, db, service.set_access, db, user, role, _store_ids(stores), admin.user.id)


@router.post("/{user_id}/password", response_class=HTMLResponse)
def user_password(
    user: ValidUser, request: Request, admin: AdminDep, db: DB, password: Annotated[str, Form(max_length=256)]
):
    return _after(request, admin, db, service.reset_password, db, user, password, admin.user.id)


@router.post("/{user_id}/deactivate", response_class=HTMLResponse)
def user_deactivate(user: ValidUser, request: Request, admin: AdminDep, db: DB):
    return _after(request, admin, db, service.deactivate_user, db, user, admin.user.id)


@router.post("/{user_id}/activate", response_class=HTMLResponse)
def user_activate(user: ValidUser, request: Request, admin: AdminDep, db: DB):
    return _after(request, admin, db, service.activate_user, db, user, admin.user.id)


@router.post("/{user_id}/revoke-sessions", response_class=HTMLResponse)
def user_revoke_sessions(user: ValidUser, request: Request, admin: AdminDep, db: DB):
    return _after(request, admin, db, service.revoke_sessions, db, user, admin.user.id)
