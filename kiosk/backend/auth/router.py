"""Staff sign-in (JSON API; the admin pages have their own form) and user management:
create, change role and stores, reset password, end sessions, deactivate and reactivate."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse

from kiosk.backend.auth import service
from kiosk.backend.auth.dependencies import ValidUser
from kiosk.backend.auth.models import User
from kiosk.backend.auth.responses import auth_error_headers, clear_session_cookie, set_session_cookie
from kiosk.backend.auth.schemas import AccessIn, LoginIn, LoginOut, PasswordIn, UserIn, UserOut
from kiosk.backend.deps import DB, SESSION_COOKIE, AdminDep, Settings, StaffDep
from kiosk.backend.ratelimit import client_address

router = APIRouter(prefix="/api/v1", tags=["auth"])


def user_out(u: User) -> UserOut:
    return UserOut(
        id=u.id, email=u.email, role=u.role, stores=[s.id for s in u.stores], is_active=u.is_active
    )


@router.post(
    "/auth/login",
    response_model=LoginOut,
    responses={
        401: {
            "description": "wrong e-mail or password (the same for unknown, locked or deactivated accounts)"
        },
        429: {"description": "too many failures for this account or address; see Retry-After"},
    },
)
def login(body: LoginIn, request: Request, db: DB, settings: Settings) -> JSONResponse:
    try:
        signed = service.sign_in(db, settings, body.email, body.password, client_address(request))
    except service.AuthError as exc:
        raise HTTPException(exc.status, exc.message, headers=auth_error_headers(exc)) from None
    response = JSONResponse(LoginOut(user=user_out(signed.user), csrf_token=signed.csrf_token).model_dump())
    set_session_cookie(response, signed.cookie_value, settings)
    return response


@router.post("/auth/logout", status_code=204)
def logout(request: Request, staff: StaffDep, db: DB) -> Response:
    service.sign_out(db, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    clear_session_cookie(response)
    return response


@router.get("/auth/me")
def me(staff: StaffDep) -> LoginOut:
    return LoginOut(user=user_out(staff.user), csrf_token=staff.session.csrf_token)


@router.get("/users")
def list_users(admin: AdminDep, db: DB) -> list[UserOut]:
    return [user_out(u) for u in service.list_users(db)]


@router.post("/users", status_code=201, responses={409: {}})
def create_user(body: UserIn, admin: AdminDep, db: DB) -> UserOut:
    try:
        user = service.create_user(db, body.email, body.password, body.role, body.stores, admin.user.id)
    except ValueError as exc:
        raise HTTPException(409 if "already exists" in str(exc) else 422, str(exc)) from None
    return user_out(user)


def apply_change(db, change, user: User, *args) -> User:
    """Runs one user change (a service unit of work) for the signed-in admin: 409 for a change
    to one's own access, 422 for bad input (an unknown store, a short password)."""
    try:
        change(db, user, *args)
    except service.SelfChange as exc:
        raise HTTPException(409, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return user


USER_CHANGE = {404: {}, 409: {"description": "a change to your own account that would lock you out"}}


@router.post("/users/{user_id}/deactivate", responses=USER_CHANGE)
def deactivate_user(user: ValidUser, admin: AdminDep, db: DB) -> UserOut:
    """Offboarding: the account can no longer sign in and every session of it ends at once."""
    return user_out(apply_change(db, service.deactivate_user, user, admin.user.id))


@router.post("/users/{user_id}/activate", responses=USER_CHANGE)
def activate_user(user: ValidUser, admin: AdminDep, db: DB) -> UserOut:
    return user_out(apply_change(db, service.activate_user, user, admin.user.id))


@router.put("/users/{user_id}/access", responses=USER_CHANGE)
def set_access(user: ValidUser, body: AccessIn, admin: AdminDep, db: DB) -> UserOut:
    return user_out(apply_change(db, service.set_access, user, body.role, body.stores, admin.user.id))


@router.post("/users/{user_id}/password", responses=USER_CHANGE)
def reset_password(user: ValidUser, body: PasswordIn, admin: AdminDep, db: DB) -> UserOut:
    """Sets a new password and ends the user's sessions."""
    return user_out(apply_change(db, service.reset_password, user, body.password, admin.user.id))


@router.post("/users/{user_id}/revoke-sessions", responses=USER_CHANGE)
def revoke_sessions(user: ValidUser, admin: AdminDep, db: DB) -> UserOut:
    return user_out(apply_change(db, service.revoke_sessions, user, admin.user.id))
