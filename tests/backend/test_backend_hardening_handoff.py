"""Handoff links: a 128-bit token in the QR link (the short code opens nothing publicly), a
per-address throttle on the public routes, and a photo that does not outlive its link."""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid

from sqlalchemy import select, update

from kiosk.backend.db import make_engine, make_sessionmaker
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.retention import purge

JPEG = b"\xff\xd8\xff\xe0" + b"1" * 1000


def make_look(b, photo: bool = False) -> dict:
    body = {
        "session_id": str(uuid.uuid4()),
        "items": [{"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01"}],
        "snapshot_jpeg_b64": base64.b64encode(JPEG).decode() if photo else None,
    }
    r = b.client.post("/api/v1/kiosk/handoffs", json=body, headers=b.kiosk_headers)
    assert r.status_code == 201, r.text
    return r.json()


def expire(b, code: str) -> None:
    engine = make_engine(b.database_url)
    with engine.begin() as conn:
        conn.execute(
            update(Handoff)
            .where(Handoff.code == code)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    engine.dispose()


def stored(b, code: str) -> Handoff | None:
    engine = make_engine(b.database_url)
    with make_sessionmaker(engine)() as db:
        row = db.scalar(select(Handoff).where(Handoff.code == code))
    engine.dispose()
    return row


def test_the_link_carries_at_least_128_bits_and_the_short_code_opens_nothing(backend):
    look = make_look(backend)
    token = look["url"].removeprefix("/h/")
    alphabet = 64  # URL-safe base64
    assert len(token) * math.log2(alphabet) >= 128 and look["code"] not in token
    assert backend.client.get(look["url"]).status_code == 200
    assert backend.client.get(f"/h/{look['code']}").status_code in (404, 422)
    # Only the token's hash is stored: a copy of the database opens no look.
    row = stored(backend, look["code"])
    assert row.token_sha256 and token not in row.token_sha256


def test_public_handoff_routes_are_throttled_per_address(backend_factory):
    b = backend_factory("sqlite", public_burst=5, public_rate_per_s=0.01)
    with b.client:
        look = make_look(b)
        guesses = [b.client.get(f"/h/{uuid.uuid4().hex}") for _ in range(8)]
        assert [r.status_code for r in guesses[:5]] == [404] * 5
        refused = guesses[5:]
        assert all(r.status_code == 429 for r in refused)
        assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)
        # The right link is refused too while the address is over its budget: no oracle.
        assert b.client.get(look["url"]).status_code == 429
        assert b.client.get(f"{look['url']}/snapshot.jpg").status_code == 429


def test_an_expired_look_never_serves_its_photo_and_drops_it_on_access(backend):
    look = make_look(backend, photo=True)
    assert backend.client.get(f"{look['url']}/snapshot.jpg").content == JPEG
    expire(backend, look["code"])
    assert backend.client.get(f"{look['url']}/snapshot.jpg").status_code == 410
    assert stored(backend, look["code"]).snapshot_jpeg is None  # gone now, not at the next purge


def test_the_purge_removes_expired_looks_with_their_photos(backend):
    kept, gone = make_look(backend, photo=True), make_look(backend, photo=True)
    expire(backend, gone["code"])
    engine = make_engine(backend.database_url)
    result = purge(make_sessionmaker(engine), backend.settings)
    engine.dispose()
    assert result.handoffs == 1
    assert stored(backend, gone["code"]) is None
    assert stored(backend, kept["code"]).snapshot_jpeg == JPEG
