"""Who may talk to the kiosk's local UI server: loopback is not a trust boundary.

Any page open in any browser on the kiosk machine can reach 127.0.0.1:<port>, and a page of
another port on localhost is even same-site. So, as Jupyter does, one ASGI middleware in front
of every route checks:
- `Host` is one of the kiosk's own loopback names with its port (a DNS-rebound name is refused,
  so a foreign site can never read a response);
- on the WebSocket handshake, `Origin` (browsers always send it) is the kiosk's own page;
- on `/ws` and every route not in OPEN_PATHS, the per-launch secret. The page gets it once
  from its launch URL; on the WebSocket it travels as a subprotocol (a browser cannot set
  headers there, and a URL would end up in history), on HTTP as `Authorization: Bearer`, a
  header that also forces a CORS preflight the server never answers.
What stays open without the secret is the page itself, its static files and fonts, and
/healthz: nothing that carries frames, state, the QR or takes a command.
"""

from __future__ import annotations

import hmac
import logging

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

WS_PROTOCOL = "maraya"  # the subprotocol the server selects
WS_TOKEN_PREFIX = "maraya.token."  # offered alongside it: "maraya.token.<secret>"
OPEN_PATHS = frozenset({"/", "/healthz"})
OPEN_PREFIXES = ("/static/", "/fonts/")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def auth_header(token: str) -> dict[str, str]:
    """The header a client sends on the kiosk's HTTP routes."""
    return {"Authorization": f"Bearer {token}"}


def ws_subprotocols(token: str) -> list[str]:
    """What a client offers on the handshake to the kiosk's WebSocket."""
    return [WS_PROTOCOL, WS_TOKEN_PREFIX + token]


class LocalGuard:
    def __init__(self, app: ASGIApp, *, port: int, token: str) -> None:
        if not token:
            raise ValueError("the local UI needs a secret (KioskSettings.ui_token)")
        self.app = app
        self.hosts = frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)
        self.origins = frozenset(f"http://{host}" for host in self.hosts)
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = scope["path"]
        if headers.get("host", "").lower() not in self.hosts:
            await self._refuse(scope, receive, send, 403, "unknown host", path)
            return
        if kind == "websocket":
            origin = headers.get("origin")
            # No Origin: not a browser, so the same-origin rules this check backs do not apply.
            if origin is not None and origin.lower() not in self.origins:
                await self._refuse(scope, receive, send, 403, "foreign origin", path)
                return
            offered = scope.get("subprotocols") or []
            token = next((p[len(WS_TOKEN_PREFIX) :] for p in offered if p.startswith(WS_TOKEN_PREFIX)), "")
            if WS_PROTOCOL not in offered or not self._valid(token):
                await self._refuse(scope, receive, send, 401, "missing or wrong secret", path)
                return
        elif path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES):
            scheme, _, token = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not self._valid(token.strip()):
                await self._refuse(scope, receive, send, 401, "missing or wrong secret", path)
                return
        await self.app(scope, receive, send)

    def _valid(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self._token)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, why: str, path: str) -> None:
        # The path only: what was presented (a token, a guess at one) is never logged.
        log.info("local UI refused %s %s: %s", scope["type"], path[:100], why)
        if scope["type"] == "websocket":
            await receive()  # websocket.connect; closing before accepting answers HTTP 403
            await send({"type": "websocket.close", "code": 1008})
            return
        await PlainTextResponse(why, status_code=status)(scope, receive, send)
