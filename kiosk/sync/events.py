"""The kiosk side of a session event: the record the outbox stores and sends. What an event may
contain is kiosk/events.py, the schema the backend enforces too; the outbox takes only its models,
so every event was checked when it was made."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kiosk.events import EventError


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
