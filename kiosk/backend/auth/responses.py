"""What a sign-in answer carries, the same for the JSON API (auth/router.py) and the admin's form
(admin/pages.py): the session cookie, set and cleared with one set of flags, and Retry-After on a
throttled attempt. It lives here rather than in the router because page modules never import
router modules (tests/backend/test_backend_style.py)."""

from __future__ import annotations

from fastapi import Response

from kiosk.backend.auth.service import AuthError
from kiosk.backend.deps import SESSION_COOKIE
from kiosk.backend.settings import BackendSettings


def set_session_cookie(response: Response, value: str, settings: BackendSettings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_ttl_hours * 3600,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def auth_error_headers(exc: AuthError) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after_s)} if exc.retry_after_s else {}
