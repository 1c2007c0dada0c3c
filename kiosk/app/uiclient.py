"""A scripted stand-in for the shopper's page over the real WebSocket (soak runs, benchmarks):
sends commands, reads every frame and state message on its own thread. It presents the kiosk's
secret (KioskSettings.ui_token) as the page does, as a WebSocket subprotocol."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from kiosk.app.framehub import unpack
from kiosk.app.localguard import ws_subprotocols


class UIClient:
    def __init__(self, ui_url: str, token: str) -> None:
        ws_url = ui_url.replace("http://", "ws://").rstrip("/") + "/ws"
        self._ws = connect(
            ws_url, compression=None, max_size=8 * 1024 * 1024, subprotocols=ws_subprotocols(token)
        )
        self._lock = threading.Lock()
        self.frames = 0
        self.last_seq = -1
        self.config: dict[str, Any] | None = None  # the command schema and the page's rules
        self.state: dict[str, Any] | None = None
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._read, name="ui-client", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for message in self._ws:
                if isinstance(message, bytes):
                    seq = unpack(message)[0]
                    self._ws.send(json.dumps({"ack": seq}))
                    with self._lock:
                        self.frames += 1
                        self.last_seq = seq
                else:
                    msg = json.loads(message)
                    with self._lock:
                        if msg["type"] == "state":
                            self.state = msg["state"]
                        elif msg["type"] == "config":
                            self.config = msg["config"]
                        else:
                            self.errors.append(msg.get("message", ""))
        except ConnectionClosed:
            pass

    def send(self, cmd: dict[str, Any]) -> None:
        self._ws.send(json.dumps(cmd))

    def wait_for(self, predicate, timeout_s: float = 10.0) -> dict[str, Any]:
        """Wait until the kiosk's state satisfies `predicate`; returns that state."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self.state
            if state is not None and predicate(state):
                return state
            time.sleep(0.02)
        raise TimeoutError(f"kiosk state never matched; last: {self.state and self.state.get('phase')}")

    def close(self) -> None:
        self._ws.close()
        self._thread.join(timeout=5)
