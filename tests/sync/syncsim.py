"""Simulated shopper sessions for the sync tests: the event kinds a real session produces, in
the order the kiosk's state machine records them, over the demo catalogue."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable

from catalogue import load_catalogue
from kiosk.events import EventData, parse_data
from kiosk.sync.client import HeartbeatInfo

Record = Callable[[str, EventData], object]

_CATALOGUE = load_catalogue()
_SHADES = [(p.id, s.sku) for p in _CATALOGUE.products for s in p.shades]


def heartbeat_info() -> HeartbeatInfo:
    return HeartbeatInfo(
        software_version="0.1.0-test", model_version="", fps=29.5, camera_state="ok", uptime_s=12.0
    )


def simulate_session(record: Record, rng: random.Random) -> str:
    """Records one session's events through `record(session_id, data)`; returns its id."""
    sid = str(uuid.uuid4())
    if rng.random() < 0.15:
        record(sid, parse_data("consent_declined", {}))
        record(sid, parse_data("session_started", {"mode": "none"}))
        record(
            sid,
            parse_data("session_ended", {"reason": "walked_away", "duration_ms": rng.randint(2_000, 30_000)}),
        )
        return sid
    record(sid, parse_data("consent_given", {}))
    record(sid, parse_data("session_started", {"mode": "makeup"}))
    if rng.random() < 0.4:
        record(
            sid,
            parse_data(
                "skin_tone", {"mst": rng.randint(1, 10), "undertone": rng.choice(["warm", "neutral", "cool"])}
            ),
        )
    for position, (product_id, sku) in enumerate(rng.sample(_SHADES, 3)):
        record(
            sid,
            parse_data(
                "recommendation_shown",
                {"product_id": product_id, "shade_sku": sku, "position": position, "model_version": "demo-1"},
            ),
        )
    tried = rng.sample(_SHADES, rng.randint(1, 4))
    for product_id, sku in tried:
        record(
            sid,
            parse_data(
                "product_tried",
                {"product_id": product_id, "shade_sku": sku, "dwell_ms": rng.randint(500, 20_000)},
            ),
        )
    if rng.random() < 0.5:
        product_id, sku = tried[0]
        record(sid, parse_data("added_to_basket", {"product_id": product_id, "shade_sku": sku}))
    if rng.random() < 0.2:
        record(
            sid,
            parse_data(
                "assistant_question",
                {
                    "intent": "store_hours",
                    "answered": True,
                    "escalated": False,
                    "lang": rng.choice(["ar", "en"]),
                },
            ),
        )
    record(
        sid,
        parse_data(
            "session_ended",
            {"reason": rng.choice(["done", "idle"]), "duration_ms": rng.randint(10_000, 600_000)},
        ),
    )
    return sid
