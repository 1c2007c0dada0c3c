"""The local UI server (127.0.0.1 only): the shopper page, its catalogue, and one WebSocket.

Every route sits behind `localguard.LocalGuard` (Host, Origin and the per-launch secret):
loopback alone would let any local web page watch the camera and drive the kiosk.

On `/ws` the kiosk sends binary messages (one JPEG frame each, see `framehub`) and text
messages: first the page's config (the command schema and the rules the page follows, see
`machine.page_config`), then the state machine's snapshot as JSON whenever it changes. The page
sends commands back as JSON (kiosk/app/commands.py), and `{"ack": seq}` for every frame it
receives. Frames and state go out on separate tasks so a large frame in flight never delays a
state change.

Why acks: TCP and the browser buffer megabytes on loopback, so without them a page that
stalls for a moment would be fed a backlog of stale frames afterwards. With at most
MAX_IN_FLIGHT frames unacknowledged, a slow page skips frames and always gets the newest.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from kiosk.app.commands import CommandError, parse_command
from kiosk.app.localguard import WS_PROTOCOL, LocalGuard
from kiosk.app.machine import page_config
from kiosk.sync.client import MAX_SNAPSHOT_BYTES

if TYPE_CHECKING:
    from kiosk.app.runtime import KioskRuntime

log = logging.getLogger(__name__)

UI_DIR = Path(__file__).resolve().parent.parent / "ui"
MAX_IN_FLIGHT = 2
FONT_DIRS = (Path("/usr/share/fonts"),)
# Debian fonts-noto-core ships these; the page falls back to system fonts without them.
FONT_FILES = {
    "arabic-regular.ttf": "NotoSansArabic-Regular.ttf",
    "arabic-bold.ttf": "NotoSansArabic-Bold.ttf",
}


def find_font(filename: str) -> Path | None:
    for root in FONT_DIRS:
        if root.is_dir():
            for path in root.rglob(filename):
                return path
    return None


def error_message(code: str, detail: str) -> str:
    """A failed command's answer: the page shows the shopper the message for `code` in their
    language; `detail` is for the developer's console only."""
    return json.dumps({"type": "error", "code": code, "message": detail})


def create_app(runtime: KioskRuntime) -> FastAPI:
    app = FastAPI(title="Maraya kiosk UI", docs_url=None, redoc_url=None, openapi_url=None)
    settings = runtime.settings
    app.add_middleware(LocalGuard, port=settings.ui_port, token=settings.ui_token.get_secret_value())
    app.mount("/static", StaticFiles(directory=UI_DIR), name="static")
    fonts = {name: find_font(real) for name, real in FONT_FILES.items()}
    config_message = json.dumps({"type": "config", "config": page_config()}, ensure_ascii=False)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(UI_DIR / "index.html", headers={"Cache-Control": "no-store"})

    @app.get("/fonts/{name}", include_in_schema=False)
    def font(name: str) -> FileResponse:
        path = fonts.get(name)
        if path is None:
            raise HTTPException(404, "font not installed (Debian package fonts-noto-core)")
        return FileResponse(path, media_type="font/ttf", headers={"Cache-Control": "max-age=86400"})

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        ready = runtime.pipeline.ready
        broken = dict(runtime.pipeline.broken)
        status = "broken" if broken else "ok" if ready else "starting"
        body = {"status": status, "camera": runtime.grabber.status.state, "broken": broken}
        return JSONResponse(body, status_code=200 if status == "ok" else 503)

    @app.get("/api/catalogue")
    def catalogue() -> dict:
        return runtime.catalogue_view()

    @app.get("/api/state")
    def state() -> dict:
        return runtime.machine.snapshot()

    @app.get("/api/stats")
    def stats() -> dict:
        return runtime.stats()

    @app.get("/api/handoff/qr.png")
    def handoff_qr() -> Response:
        png = runtime.handoff_qr_png()
        if png is None:
            raise HTTPException(404, "no handoff in this session")
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})

    @app.get("/api/photo.jpg")
    def photo(round: int) -> Response:
        """The photo the summary screen shows before it is sent: the settled pick of `round`
        (the session's photo_round, bumped by every retake) only."""
        jpeg = runtime.pipeline.snapshot_jpeg(MAX_SNAPSHOT_BYTES, held_round=round)
        if jpeg is None:
            raise HTTPException(404, "no photo picked yet")
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    if settings.debug_endpoints:

        @app.get("/api/debug/frames")
        def debug_frames() -> dict:
            frames = list(runtime.pipeline.debug or ())
            return {"frames": [f.__dict__ for f in frames], "tracker_calls": runtime.pipeline.tracker_calls}

    @app.websocket("/ws")
    async def ws(socket: WebSocket) -> None:
        await socket.accept(subprotocol=WS_PROTOCOL)  # LocalGuard let in only clients that offer it
        await socket.send_text(config_message)  # before any state: the page renders by its rules
        stop = asyncio.Event()
        changed = asyncio.Event()
        loop = asyncio.get_running_loop()
        unsubscribe = runtime.machine_listener(lambda: loop.call_soon_threadsafe(changed.set))
        credit = asyncio.Event()
        counts = {"sent": 0, "acked": 0}

        async def send_frames() -> None:
            async for packet in runtime.hub.frames(stop):
                while counts["sent"] - counts["acked"] >= MAX_IN_FLIGHT:
                    credit.clear()
                    await credit.wait()
                    packet = runtime.hub.latest or packet  # frames that came meanwhile are skipped
                counts["sent"] += 1
                await socket.send_bytes(packet.data)
                runtime.hub.mark_sent(packet)

        async def send_state() -> None:
            last = -1
            while not stop.is_set():
                snapshot = runtime.machine.snapshot()
                if snapshot["version"] != last:
                    last = snapshot["version"]
                    await socket.send_text(
                        json.dumps({"type": "state", "state": snapshot}, ensure_ascii=False)
                    )
                changed.clear()
                # Also wake once a second so a lost notification can never freeze the page.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), timeout=1.0)

        async def receive() -> None:
            while True:
                text = await socket.receive_text()
                try:
                    message = json.loads(text)
                    if isinstance(message, dict) and "ack" in message:
                        counts["acked"] = min(counts["sent"], counts["acked"] + 1)
                        credit.set()
                        continue
                    await asyncio.to_thread(runtime.command, parse_command(message))
                except CommandError as exc:
                    await socket.send_text(error_message(exc.code, str(exc)))
                except json.JSONDecodeError as exc:
                    await socket.send_text(error_message("bad_input", str(exc)))
                except Exception as exc:  # a bug in one command must not cut the shopper's stream
                    log.exception("command %s failed", text[:200])
                    await socket.send_text(error_message("internal", type(exc).__name__))

        tasks = [asyncio.create_task(t()) for t in (send_frames, send_state, receive)]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.set()
            changed.set()
            unsubscribe()
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(
                    asyncio.CancelledError, WebSocketDisconnect, RuntimeError, Exception
                ):
                    await t

    return app
