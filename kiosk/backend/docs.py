"""The API's own documentation (/docs, /openapi.json): open in dev mode, and in production only
to signed-in staff, since the schema maps every route an attacker could try."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from kiosk.backend.deps import StaffDep
from kiosk.backend.settings import BackendSettings


def public_docs_urls(settings: BackendSettings) -> dict[str, str | None]:
    """FastAPI's own (public) documentation routes: kept in dev mode, turned off otherwise."""
    return {} if settings.dev_mode else {"docs_url": None, "redoc_url": None, "openapi_url": None}


def add_staff_docs(app: FastAPI, settings: BackendSettings) -> None:
    """Outside dev mode, the same two pages behind the staff sign-in."""
    if settings.dev_mode:
        return

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(staff: StaffDep) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(staff: StaffDep) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} — API")
