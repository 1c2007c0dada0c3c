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

import pydantic
import pytest

from kiosk.backend.sessions.schemas import EventBatch
from kiosk.events import EVENT_KINDS, EventError, validate_data
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
            box.record(sid, kind, data)
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
        validate_data(kind, data)
    with pytest.raises(pydantic.ValidationError):
        EventBatch.model_validate(_batch(kind, data))


def _recorded_kinds(path: Path) -> set[str]:
    """String kinds passed to `_record(kind, ...)` / `record(session, kind, ...)` in a module."""
    kinds = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            position = {"_record": 0, "record": 1}.get(node.func.attr)
            if position is not None and len(node.args) > position:
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    kinds.add(arg.value)
    return kinds


def test_every_kind_the_kiosk_app_records_is_in_the_schema():
    recorded = _recorded_kinds(ROOT / "kiosk/app/machine.py") | _recorded_kinds(ROOT / "kiosk/app/runtime.py")
    assert len(recorded) >= 10, recorded  # the scan still finds the machine's calls
    assert recorded <= set(EVENT_KINDS), recorded - set(EVENT_KINDS)


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
