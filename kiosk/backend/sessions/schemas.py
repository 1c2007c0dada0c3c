"""The session event schema of API.md. Each kind has its own strict `data` model (unknown keys
are refused) so that nothing beyond the agreed, minimal fields — never free text, images or
landmarks — can be stored about a shopper."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Literal, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, create_model, model_validator

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Millis = Annotated[int, Field(ge=0, le=86_400_000)]
MAX_DATA_BYTES = 4096
MAX_EVENTS = 500


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoData(_Data):
    pass


class SessionStarted(_Data):
    mode: Literal["makeup", "furniture", "none"]


class SessionEnded(_Data):
    reason: Literal["done", "idle", "walked_away"]
    duration_ms: Millis


class ProductTried(_Data):
    product_id: Ident
    shade_sku: Ident | None = None
    dwell_ms: Millis


class Recommendation(_Data):
    product_id: Ident
    shade_sku: Ident | None = None
    position: int = Field(ge=0, le=100)
    model_version: str = Field(max_length=64)


class AddedToBasket(_Data):
    product_id: Ident
    shade_sku: Ident | None = None


class HandoffData(_Data):
    code: Ident
    items: int = Field(ge=0, le=50)
    snapshot: bool


class AssistantQuestion(_Data):
    intent: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.\-]+$")]
    answered: bool
    escalated: bool
    lang: Literal["ar", "en"]


class HelpRequested(_Data):
    help_request_id: int = Field(ge=1)
    reason: Literal["shopper", "assistant"]


class HelpAnswered(_Data):
    help_request_id: int = Field(ge=1)
    wait_ms: Millis


class SkinTone(_Data):
    mst: int = Field(ge=1, le=10)
    undertone: Literal["warm", "neutral", "cool"]


DATA_BY_KIND: dict[str, type[_Data]] = {
    "session_started": SessionStarted,
    "session_ended": SessionEnded,
    "consent_given": NoData,
    "consent_declined": NoData,
    "product_tried": ProductTried,
    "recommendation_shown": Recommendation,
    "recommendation_accepted": Recommendation,
    "added_to_basket": AddedToBasket,
    "handoff": HandoffData,
    "assistant_question": AssistantQuestion,
    "help_requested": HelpRequested,
    "help_answered": HelpAnswered,
    "skin_tone": SkinTone,
}
EVENT_KINDS = tuple(DATA_BY_KIND)


class _EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID
    session_id: uuid.UUID
    seq: int = Field(ge=0, le=1_000_000)
    at: AwareDatetime

    @model_validator(mode="after")
    def _data_size(self):
        if len(json.dumps(self.data.model_dump(mode="json"))) > MAX_DATA_BYTES:  # type: ignore[attr-defined]
            raise ValueError(f"data larger than {MAX_DATA_BYTES} bytes")
        return self


def _event_model(kind: str, data: type[_Data]) -> type[_EventBase]:
    name = "".join(part.title() for part in kind.split("_")) + "Event"
    return create_model(name, __base__=_EventBase, kind=(Literal[kind], ...), data=(data, ...))


EVENT_MODELS = tuple(_event_model(k, d) for k, d in DATA_BY_KIND.items())
Event = Annotated[Union[EVENT_MODELS], Field(discriminator="kind")]  # noqa: UP007 (built from a tuple)


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[Event] = Field(min_length=1, max_length=MAX_EVENTS)


class IngestResult(BaseModel):
    accepted: int
    duplicate: bool


class SessionErased(BaseModel):
    erased: int = Field(description="rows removed: events, help requests and handoffs (with photos)")
