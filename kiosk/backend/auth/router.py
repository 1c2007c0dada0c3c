"""Staff sign-in (JSON API; the admin pages have their own form) and user management."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from kiosk.backend.auth import service
from kiosk.backend.auth.models import User
from kiosk.backend.auth.schemas import LoginIn, LoginOut, UserIn, UserOut
from kiosk.backend.deps import DB, SESSION_COOKIE, AdminDep, Settings, StaffDep

router = APIRouter(prefix="/api/v1", tags=["auth"])


def user_out(u: User) -> UserOut:
    return UserOut(id=u.id, email=u.email, role=u.role, stores=[s.id for s in u.stores])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, value: str, settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_ttl_hours * 3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )


@router.post(
    "/auth/login", responses={401: {}, 423: {"description": "locked"}, 429: {"description": "rate limited"}}
)
def login(body: LoginIn, request: Request, db: DB, settings: Settings):
    try:
        signed = service.sign_in(db, settings, body.email, body.password, client_address(request))
    except service.AuthError as exc:
        raise HTTPException(exc.status, exc.message) from None
    response = JSONResponse(LoginOut(user=user_out(signed.user), csrf_token=signed.csrf_token).model_dump())
    set_session_cookie(response, signed.cookie_value, settings)
    return response


@router.post("/auth/logout", status_code=204)
def logout(request: Request, staff: StaffDep, db: DB) -> Response:
    service.sign_out(db, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/auth/me")
def me(staff: StaffDep) -> LoginOut:
    return LoginOut(user=user_out(staff.user), csrf_token=staff.session.csrf_token)


@router.get("/users")
def list_users(admin: AdminDep, db: DB) -> list[UserOut]:
    return [user_out(u) for u in db.scalars(select(User).order_by(User.id))]


@router.post("/users", status_code=201, responses={409: {}})
def create_user(body: UserIn, admin: AdminDep, db: DB) -> UserOut:
    try:
        user = service.create_user(db, body.email, body.password, body.role, body.stores, admin.user.id)
    except ValueError as exc:
        db.rollback()
        raise HTTPException(409 if "already exists" in str(exc) else 422, str(exc)) from None
    db.commit()
    return user_out(user)
