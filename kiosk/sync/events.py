"""The session event schema of kiosk/backend/API.md, enforced on the kiosk before anything is
written to the outbox.

Every kind has a closed set of fields, each a flat scalar of a bounded shape (an identifier, an
enum value, a bounded integer, a bool). There is deliberately no "free string" field type: a
shopper's words, an image (raw or base64) or a list of landmarks cannot pass any of them, so
they can never reach the outbox, let alone the network.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_DATA_BYTES = 4096
_IDENT = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_VERSION = re.compile(r"^[A-Za-z0-9_.\-+]{0,64}$")
_INTENT = re.compile(r"^[a-z0-9_.\-]{1,64}$")
MAX_MILLIS = 86_400_000


class EventError(ValueError):
    """An event that breaks the schema; the message names the kind and field at fault."""


Check = Callable[[Any], bool]


def _ident(v: Any) -> bool:
    return isinstance(v, str) and bool(_IDENT.match(v))


def _optional_ident(v: Any) -> bool:
    return v is None or _ident(v)


def _row_id(v: Any) -> bool:
    # A backend row id (help requests): the kiosk app carries it as text, API.md sends an integer.
    return (isinstance(v, int) and not isinstance(v, bool) and v >= 1) or (
        isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 18 and int(v) >= 1
    )


def _version(v: Any) -> bool:
    return isinstance(v, str) and bool(_VERSION.match(v))


def _intent(v: Any) -> bool:
    return isinstance(v, str) and bool(_INTENT.match(v))


def _int(lo: int, hi: int) -> Check:
    # bool is an int subclass in Python; True must not pass as 1.
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi


def _bool(v: Any) -> bool:
    return isinstance(v, bool)


def _one_of(*values: str) -> Check:
    return lambda v: isinstance(v, str) and v in values


_MILLIS = _int(0, MAX_MILLIS)
_RECOMMENDATION = {
    "product_id": _ident,
    "shade_sku": _optional_ident,
    "position": _int(0, 100),
    "model_version": _version,
}

# kind → {field: check}. Fields whose check accepts None may be left out.
SCHEMA: dict[str, dict[str, Check]] = {
    "session_started": {"mode": _one_of("makeup", "furniture", "none")},
    "session_ended": {"reason": _one_of("done", "idle", "walked_away"), "duration_ms": _MILLIS},
    "consent_given": {},
    "consent_declined": {},
    "product_tried": {"product_id": _ident, "shade_sku": _optional_ident, "dwell_ms": _MILLIS},
    "recommendation_shown": _RECOMMENDATION,
    "recommendation_accepted": _RECOMMENDATION,
    "added_to_basket": {"product_id": _ident, "shade_sku": _optional_ident},
    "handoff": {"code": _ident, "items": _int(0, 50), "snapshot": _bool},
    "assistant_question": {
        "intent": _intent,
        "answered": _bool,
        "escalated": _bool,
        "lang": _one_of("ar", "en"),
    },
    "help_requested": {"help_request_id": _row_id, "reason": _one_of("shopper", "assistant")},
    "help_answered": {"help_request_id": _row_id, "wait_ms": _MILLIS},
    "skin_tone": {"mst": _int(1, 10), "undertone": _one_of("warm", "neutral", "cool")},
}
EVENT_KINDS = tuple(SCHEMA)


def validate_data(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The event's data as it will be stored, or EventError naming what is wrong."""
    fields = SCHEMA.get(kind)
    if fields is None:
        raise EventError(f"unknown event kind {kind!r}; expected one of {EVENT_KINDS}")
    if not isinstance(data, dict):
        raise EventError(f"{kind}: data must be an object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise EventError(f"{kind}: field(s) {unknown} are not part of this event")
    clean: dict[str, Any] = {}
    for name, check in fields.items():
        if name not in data:
            if check(None):
                continue
            raise EventError(f"{kind}: missing field {name!r}")
        value = data[name]
        if not check(value):
            shown = (
                repr(value)
                if len(repr(value)) <= 40
                else f"{type(value).__name__} of {len(repr(value))} chars"
            )
            raise EventError(f"{kind}: field {name!r} has an invalid value {shown}")
        clean[name] = int(value) if check is _row_id else value
    if len(json.dumps(clean)) > MAX_DATA_BYTES:  # unreachable with today's fields; guards future ones
        raise EventError(f"{kind}: data larger than {MAX_DATA_BYTES} bytes")
    return clean


def canonical_uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise EventError(f"{what} must be a UUID, got {value!r}") from exc


@dataclass(frozen=True)
class Event:
    """One session event exactly as API.md puts it on the wire."""

    event_id: str
    session_id: str
    seq: int
    at: str  # ISO 8601 UTC with a 'Z' suffix
    kind: str
    data: dict[str, Any]

    def wire(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "session_id": self.session_id,
            "seq": self.seq,
            "at": self.at,
            "kind": self.kind,
            "data": self.data,
        }
