"""Privacy (issue 6, item 3): everything the kiosk's sync link sends to the real backend during
shopper sessions is captured at the transport, and none of it is image data, unless the shopper
ticked "include my photo" for the handoff, and then only in that one request."""

from __future__ import annotations

import base64
import json
import random
import re
import uuid

import cv2
import httpx
import numpy as np
from syncbackend import wait_until
from syncsim import heartbeat_info, simulate_session

from kiosk.events import parse_data
from kiosk.sync.backoff import Backoff
from kiosk.sync.link import SyncLink
from kiosk.sync.options import SyncOptions

IMAGE_MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG", b"GIF8": "GIF", b"RIFF": "RIFF/WebP"}
BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{120,}={0,2}")


def image_findings(blob: bytes) -> list[str]:
    """What in a request looks like an image: raw magic numbers, data: URIs, long base64 runs
    (whatever they decode to), and long arrays of numbers (landmarks, pixels)."""
    found = [f"raw {name}" for magic, name in IMAGE_MAGIC.items() if magic in blob]
    if b"data:image" in blob:
        found.append("data:image URI")
    for run in BASE64_RUN.finditer(blob):
        head = base64.b64decode(run.group()[:16] + b"=" * (-len(run.group()[:16]) % 4))
        kind = next((n for m, n in IMAGE_MAGIC.items() if head.startswith(m[:3])), "unknown")
        found.append(f"base64 run of {len(run.group())} chars ({kind})")
    try:
        doc = json.loads(blob) if blob else None
    except ValueError:
        doc = None

    def walk(node) -> None:
        if isinstance(node, list):
            if sum(isinstance(v, int | float) for v in node) > 16:
                found.append(f"numeric array of {len(node)}")
            for v in node:
                walk(v)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)

    walk(doc)
    return found


class RecordingTransport(httpx.BaseTransport):
    """The real HTTP transport, noting every request's method, URL and body on the way out."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.sent: list[tuple[str, str, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, str(request.url), request.read()))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def test_the_detector_finds_images_in_every_disguise():
    jpeg = cv2.imencode(".jpg", np.full((64, 64, 3), 128, np.uint8))[1].tobytes()
    png = cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tobytes()
    assert image_findings(jpeg) and image_findings(png)
    assert image_findings(json.dumps({"snapshot": base64.b64encode(jpeg).decode()}).encode())
    assert image_findings(b'{"x":"data:image/png;base64,AAAA"}')
    assert image_findings(json.dumps({"landmarks": [0.1] * 468}).encode())
    assert not image_findings(json.dumps({"event_id": str(uuid.uuid4()), "sha": "ab" * 32}).encode())


def test_nothing_image_like_leaves_the_kiosk_without_the_photo_opt_in(live_backend, tmp_path):
    _, token = live_backend.new_kiosk("privacy-test")
    transport = RecordingTransport()
    link = SyncLink(
        tmp_path / "kiosk",
        live_backend.url,
        token,
        heartbeat_info,
        options=SyncOptions(
            transport=transport,
            idle_poll_s=0.05,
            heartbeat_s=0.2,
            backoff=Backoff(0.05, 0.4, random.Random(0)),
        ),
    )
    link.start()
    try:
        rng = random.Random(11)
        sessions = [simulate_session(link.record, rng) for _ in range(20)]
        shopper = sessions[-1]
        help_id = link.request_help(shopper, "shopper", "")
        assert link.help_status(help_id) == "open"
        link.record(shopper, parse_data("help_requested", {"help_request_id": help_id, "reason": "shopper"}))
        items = [{"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01"}]
        plain = link.create_handoff(shopper, items, None)
        link.record(shopper, parse_data("handoff", {"code": plain.code, "items": 1, "snapshot": False}))
        wait_until(lambda: link.status().backlog == 0, 30, "the session events to go")
        wait_until(
            lambda: {"/heartbeat", "/catalogue", "/faq"} <= {u[u.rfind("/") :] for _, u, _ in transport.sent},
            30,
            "a heartbeat and the pulls",
        )
        without_opt_in = list(transport.sent)

        # The shopper ticks "include my photo": exactly that request carries the JPEG.
        photo = cv2.imencode(".jpg", np.full((120, 90, 3), (40, 80, 160), np.uint8))[1].tobytes()
        link.create_handoff(shopper, items, photo)  # bytes from the camera; base64 only on the wire
    finally:
        link.stop()

    kinds = {(m, u.split("/api/v1/kiosk/")[-1].split("/")[0]) for m, u, _ in without_opt_in}
    assert {
        ("POST", "events"),
        ("POST", "heartbeat"),
        ("POST", "help-requests"),
        ("POST", "handoffs"),
    } <= kinds
    for method, url, body in without_opt_in:
        assert not image_findings(url.encode()) and not image_findings(body), (
            f"{method} {url}: {body[:200]!r}"
        )
    event_bodies = [json.loads(b) for m, u, b in without_opt_in if u.endswith("/events")]
    stored_kinds = {e["kind"] for b in event_bodies for e in b["events"]}
    assert {"skin_tone", "product_tried", "handoff", "help_requested"} <= stored_kinds

    with_photo = [(u, b) for m, u, b in transport.sent[len(without_opt_in) :] if image_findings(b)]
    assert [u.rsplit("/", 1)[-1] for u, _ in with_photo] == ["handoffs"]
    sent = json.loads(with_photo[0][1])["snapshot_jpeg_b64"]
    assert base64.b64decode(sent) == photo
