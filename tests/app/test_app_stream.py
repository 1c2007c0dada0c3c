"""The frame stream: a page that stops reading makes the kiosk drop frames for it, never queue
them, and never slows the pipeline; JPEG frames go out without per-message compression."""

from __future__ import annotations

import time

import httpx
import pytest
from websockets.sync.client import connect

from kiosk.app.framehub import unpack
from kiosk.app.localguard import ws_subprotocols

pytestmark = pytest.mark.slow


def test_a_stalled_page_never_stalls_the_pipeline_and_gets_the_newest_frame(kiosk):
    pipeline = kiosk.runtime.pipeline
    url = kiosk.url.replace("http://", "ws://") + "/ws"
    with connect(url, compression=None, max_queue=1, subprotocols=ws_subprotocols(kiosk.token)) as ws:
        produced_before = pipeline.frames_out
        time.sleep(4.0)  # the page is frozen: reads nothing
        produced = pipeline.frames_out - produced_before
        assert produced > 40  # the demo clip kept playing at its own rate
        received = []
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            message = ws.recv(timeout=2)
            if isinstance(message, bytes):
                received.append(unpack(message)[0])
                ws.send(f'{{"ack": {received[-1]}}}')
        # Far fewer frames than were made reached the page: the stale ones were dropped…
        assert len(received) < produced
        # …and once it reads again it is at most a few frames behind the newest.
        assert pipeline.frames_out - 1 - received[-1] <= 5
    assert httpx.get(kiosk.url + "/healthz").status_code == 200


def test_the_socket_does_not_negotiate_compression(kiosk):
    url = kiosk.url.replace("http://", "ws://") + "/ws"
    with connect(
        url, subprotocols=ws_subprotocols(kiosk.token)
    ) as ws:  # the client offers permessage-deflate; the kiosk must decline
        assert "permessage-deflate" not in (ws.response.headers.get("Sec-WebSocket-Extensions") or "")
