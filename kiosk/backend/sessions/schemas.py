"""The ingest batch and answers of API.md's session routes. The event itself (envelope and each
kind's strict `data`) is kiosk/events.py, the one schema the kiosk also enforces before sending."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kiosk.events import SessionEvent

MAX_EVENTS = 500


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[SessionEvent] = Field(min_length=1, max_length=MAX_EVENTS)


class IngestResult(BaseModel):
    accepted: int
    duplicate: bool


class SessionErased(BaseModel):
    erased: int = Field(description="rows removed: events, help requests and handoffs (with photos)")
