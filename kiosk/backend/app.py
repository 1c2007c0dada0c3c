"""The composition root: `create_app(settings)` wires database, middleware and every domain's
router. Nothing here runs at import time, so tests and kiosk-side helpers can build as many
apps (on as many databases) as they like in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.backend import retention
from kiosk.backend.admin import pages, users
from kiosk.backend.analytics import router as analytics
from kiosk.backend.auth import router as auth
from kiosk.backend.catalogue import router as catalogue
from kiosk.backend.db import make_engine, make_sessionmaker, migrate
from kiosk.backend.deps import NotSignedIn
from kiosk.backend.docs import add_staff_docs, public_docs_urls
from kiosk.backend.faq import router as faq
from kiosk.backend.handoff import router as handoff
from kiosk.backend.help import router as help_requests
from kiosk.backend.inputguard import InputGuard
from kiosk.backend.kiosks import router as kiosks
from kiosk.backend.ratelimit import RATE_LIMITED, Buckets, Limiters, Rate, throttle_kiosk
from kiosk.backend.security import BodyLimit, SecurityHeaders
from kiosk.backend.sessions import router as sessions
from kiosk.backend.settings import BackendSettings
from kiosk.backend.shadegap import router as shadegap
from kiosk.backend.stores import router as stores
from kiosk.backend.web import STATIC_DIR

log = logging.getLogger("maraya.backend")


async def _purge_on_schedule(app: FastAPI) -> None:
    settings: BackendSettings = app.state.settings
    while True:
        await asyncio.sleep(settings.purge_interval_s)
        try:
            result = await run_in_threadpool(retention.purge, app.state.sessionmaker, settings)
            log.info("retention purge: %s", result)
        except Exception:  # a failed purge must not stop the schedule; it is retried next round
            log.exception("retention purge failed")


def create_app(settings: BackendSettings, *, run_migrations: bool = True) -> FastAPI:
    if run_migrations:
        migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    (settings.data_dir / "models").mkdir(parents=True, exist_ok=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        task = asyncio.create_task(_purge_on_schedule(app)) if settings.purge_interval_s > 0 else None
        yield
        if task:
            task.cancel()
        engine.dispose()

    app = FastAPI(
        title="Maraya backend",
        version="1.0",
        description="Catalogue, kiosks, session sync, staff admin and dashboard for Maraya kiosks.",
        lifespan=lifespan,
        **public_docs_urls(settings),
    )
    add_staff_docs(app, settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.limiters = Limiters(
        kiosk=Buckets(Rate(settings.kiosk_rate_per_s, settings.kiosk_burst)),
        public=Buckets(Rate(settings.public_rate_per_s, settings.public_burst)),
    )

    @app.get("/healthz", tags=["health"], responses={503: {"description": "database unreachable"}})
    def healthz() -> dict[str, str]:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return {"status": "ok"}

    for module in (sessions, kiosks, catalogue, faq, help_requests, handoff):
        app.include_router(module.kiosk_api, dependencies=[Depends(throttle_kiosk)], responses=RATE_LIMITED)
    for module in (sessions, kiosks, catalogue, faq, help_requests, handoff, analytics, shadegap):
        app.include_router(module.staff_api)
    app.include_router(auth.router)
    app.include_router(stores.router)
    app.include_router(handoff.public)
    app.include_router(pages.router)
    app.include_router(shadegap.page)
    app.include_router(users.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        # A 422 raised by hand keeps the documented shape of FastAPI's own validation errors,
        # so clients parse one error format.
        if exc.status_code == 422 and isinstance(exc.detail, str):
            return JSONResponse(
                {"detail": [{"type": "value_error", "loc": ["body"], "msg": exc.detail, "input": None}]},
                status_code=422,
            )
        return await http_exception_handler(request, exc)

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn):
        if request.url.path.startswith("/admin"):
            return RedirectResponse("/admin/login", status_code=303)
        return JSONResponse({"detail": exc.detail}, status_code=401)

    app.add_middleware(InputGuard)  # inside BodyLimit: it reads bodies that are already capped
    app.add_middleware(
        BodyLimit,
        limits={
            "/api/v1/kiosk/events": 256 * 1024,
            "/api/v1/kiosk/handoffs": 512 * 1024,
            "/api/v1/stores/*/catalogue/import": 5 * 1024 * 1024,
            "/admin/*/import": 5 * 1024 * 1024,
            "/api/v1/stores/*/products/*/model": settings.upload_max_bytes + 64 * 1024,
        },
        default=1024 * 1024,
    )
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "If-None-Match",
                "X-CSRF-Token",
            ],
            allow_credentials=True,
        )
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)
    return app
