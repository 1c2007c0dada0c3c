"""One event schema for kiosk and backend (kiosk/events.py): what the kiosk's outbox accepts the
backend's ingest accepts, what one refuses the other refuses, and every kind the kiosk records,
and API.md documents, is in it."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Literal

import pydantic
import pytest

from kiosk.backend.sessions.schemas import EventBatch
from kiosk.events import DATA_BY_KIND, EVENT_KINDS, EventData, EventError, ProductTried, parse_data
from kiosk.sync.outbox import Outbox

ROOT = Path(__file__).resolve().parents[2]

# One valid `data` per kind; the first test fails when a kind is added without one here.
SAMPLES: dict[str, dict] = {
    "session_started": {"mode": "makeup"},
    "session_ended": {"reason": "walked_away", "duration_ms": 61_000},
    "consent_given": {},
    "consent_declined": {},
    "product_tried": {"product_id": "lip-sahra-velvet", "shade_sku": "SAH-LIP-01", "dwell_ms": 5200},
    "recommendation_shown": {"product_id": "f-1", "shade_sku": None, "position": 0, "model_version": "v1+b"},
    "recommendation_accepted": {"product_id": "f-1", "position": 3, "model_version": ""},
    "added_to_basket": {"product_id": "sofa-2"},
    "handoff": {"code": "AB12CD34", "items": 2, "snapshot": False},
    "assistant_question": {"intent": "price.ask", "answered": True, "escalated": False, "lang": "ar"},
    "help_requested": {"help_request_id": "42", "reason": "assistant"},
    "help_answered": {"help_request_id": 42, "wait_ms": 4000},
    "skin_tone": {"mst": 7, "undertone": "neutral"},
}

# Values the old hand-written kiosk validator refused and the old backend model let through.
DIVERGED = [
    ("product_tried", {"product_id": "p", "dwell_ms": True}),
    ("product_tried", {"product_id": "p", "dwell_ms": 5.0}),
    ("product_tried", {"product_id": "p", "dwell_ms": "5"}),
    ("handoff", {"code": "C", "items": 1, "snapshot": 1}),
    ("skin_tone", {"mst": "7", "undertone": "warm"}),
    ("recommendation_shown", {"product_id": "p", "position": 0, "model_version": "red one please"}),
    ("help_answered", {"help_request_id": True, "wait_ms": 1}),
]


def _batch(kind: str, data: dict) -> dict:
    event = {"event_id": str(uuid.uuid4()), "session_id": str(uuid.uuid4()), "seq": 1}
    return {"events": [event | {"at": "2026-11-22T10:00:00Z", "kind": kind, "data": data}]}


def test_every_kind_has_a_sample():
    assert sorted(SAMPLES) == sorted(EVENT_KINDS)


def test_what_the_kiosk_records_the_backend_accepts_unchanged(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        sid = str(uuid.uuid4())
        for kind, data in SAMPLES.items():
            box.record(sid, parse_data(kind, data))
        sent = [event.wire() for event in box.pending().events]
    # Through JSON, as the sync client sends it and FastAPI parses it.
    batch = EventBatch.model_validate(json.loads(json.dumps({"events": sent})))
    assert [e.kind for e in batch.events] == list(SAMPLES)
    for wire, parsed in zip(sent, batch.events, strict=True):
        assert parsed.data.model_dump(mode="json", exclude_unset=True) == wire["data"]
    assert sent[-3]["data"]["help_request_id"] == 42  # the app's text id goes out as an integer


@pytest.mark.parametrize(("kind", "data"), DIVERGED)
def test_what_the_kiosk_refuses_the_backend_refuses(kind, data):
    with pytest.raises(EventError):
        parse_data(kind, data)
    with pytest.raises(pydantic.ValidationError):
        EventBatch.model_validate(_batch(kind, data))


def _made_models(path: Path) -> set[str]:
    """Names of kiosk/events.py models a module builds (`ev.ProductTried(...)`, `AssistantQuestion(...)`)."""
    made = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in MODEL_NAMES:
                made.add(name)
    return made


MODEL_NAMES = {model.__name__ for model in DATA_BY_KIND.values()}


def test_the_kiosk_records_every_kind_of_the_schema_and_nothing_else():
    made = _made_models(ROOT / "kiosk/app/machine.py") | _made_models(ROOT / "kiosk/assistant/assistant.py")
    assert made == MODEL_NAMES, MODEL_NAMES ^ made


def test_a_kind_is_one_model_and_a_wrong_field_fails_where_the_event_is_made():
    class Waved(EventData):
        kind = "waved"
        hand: Literal["left", "right"]

    try:
        assert DATA_BY_KIND["waved"] is Waved and parse_data("waved", {"hand": "left"}) == Waved(hand="left")
        with pytest.raises(pydantic.ValidationError, match="hand"):
            Waved(hand="both")
    finally:
        del DATA_BY_KIND["waved"]
    with pytest.raises(pydantic.ValidationError, match="dwel_ms"):
        ProductTried(product_id="lip-1", dwel_ms=5)  # the typo is caught in the kiosk, not at the backend
    with pytest.raises(TypeError, match="defined twice"):

        class Again(EventData):
            kind = "product_tried"


def test_api_md_documents_exactly_the_schema_kinds():
    text = (ROOT / "kiosk/backend/API.md").read_text()
    section = text.split("## Event\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("- `")]
    documented = {kind for line in lines for kind in re.findall(r"(?:^- |; )`([a-z_]+)`", line)}
    assert documented == set(EVENT_KINDS)


def test_the_schema_loads_without_backend_or_vision_dependencies():
    heavy = ("fastapi", "sqlalchemy", "cv2", "mediapipe", "kiosk.backend", "kiosk.app", "vision")
    code = f"import sys, kiosk.events; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
