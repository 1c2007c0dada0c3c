"""The session event schema of kiosk/backend/API.md: one definition that the kiosk enforces before
anything enters its outbox and the backend enforces on ingest, so the two cannot drift apart.

Every kind has a closed set of flat `data` fields (unknown keys are refused), each a scalar of a
bounded shape: an identifier, an enum value, a bounded integer, a bool. There is deliberately no
free-string field: a shopper's words, an image (raw or base64) or a list of landmarks cannot pass
any of them, so they never reach the outbox, the network or the database. `data` is validated
strictly (no `True` as 1, no `"5"` as 5) because the kiosk builds it in Python and the backend
receives it as JSON, and both must accept exactly the same values.

This module imports only pydantic: the kiosk process loads it without the backend's FastAPI and
SQLAlchemy, the backend without the kiosk's vision stack.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

MAX_DATA_BYTES = 4096
MAX_MILLIS = 86_400_000


class EventError(ValueError):
    """An event that breaks the schema; the message names the kind and field at fault."""


def _row_id(value: Any) -> Any:
    # A backend row id (help requests): the sync client hands it over as text, the wire carries an integer.
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return value


Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Millis = Annotated[int, Field(ge=0, le=MAX_MILLIS)]
RowId = Annotated[int, BeforeValidator(_row_id), Field(ge=1, le=2**31 - 1)]
ModelVersion = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.\-+]*$")]
Intent = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.\-]+$")]


class EventData(BaseModel):
    """One event's `data`. Each subclass that names a `kind` is that event kind, and defining it
    is what adds the kind (it registers itself in DATA_BY_KIND): the kiosk records an instance,
    so a wrong field fails where the event is made, and the backend parses the same class."""

    model_config = ConfigDict(extra="forbid", strict=True)
    kind: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if kind is None:
            return  # a shape shared by several kinds
        if kind in DATA_BY_KIND:
            raise TypeError(
                f"event kind {kind!r} is defined twice: {DATA_BY_KIND[kind].__name__} and {cls.__name__}"
            )
        DATA_BY_KIND[kind] = cls

    @model_validator(mode="after")
    def _check_size(self):
        if len(json.dumps(self.model_dump(mode="json"))) > MAX_DATA_BYTES:
            raise ValueError(f"data larger than {MAX_DATA_BYTES} bytes")  # guards future fields
        return self

    def wire(self) -> dict[str, Any]:
        """`data` as stored and sent: the fields the recorder set (an optional left out stays out)."""
        return self.model_dump(exclude_unset=True)


# Filled by EventData's subclasses in the order they are defined here. A new event kind is one
# model below (and its line in API.md's Event section), plus the call in the kiosk that records it.
DATA_BY_KIND: dict[str, type[EventData]] = {}


class SessionStarted(EventData):
    kind = "session_started"
    mode: Literal["makeup", "furniture", "none"]


class SessionEnded(EventData):
    kind = "session_ended"
    reason: Literal["done", "idle", "walked_away"]
    duration_ms: Millis


class ConsentGiven(EventData):
    kind = "consent_given"


class ConsentDeclined(EventData):
    kind = "consent_declined"


class ProductTried(EventData):
    kind = "product_tried"
    product_id: Ident
    shade_sku: Ident | None = None
    dwell_ms: Millis


class _Recommendation(EventData):
    product_id: Ident
    shade_sku: Ident | None = None
    position: int = Field(ge=0, le=100)
    model_version: ModelVersion


class RecommendationShown(_Recommendation):
    kind = "recommendation_shown"


class RecommendationAccepted(_Recommendation):
    kind = "recommendation_accepted"


class AddedToBasket(EventData):
    kind = "added_to_basket"
    product_id: Ident
    shade_sku: Ident | None = None


class Handoff(EventData):
    kind = "handoff"
    code: Ident
    items: int = Field(ge=0, le=50)
    snapshot: bool


class AssistantQuestion(EventData):
    kind = "assistant_question"
    intent: Intent
    answered: bool
    escalated: bool
    lang: Literal["ar", "en"]


class HelpRequested(EventData):
    kind = "help_requested"
    help_request_id: RowId
    reason: Literal["shopper", "assistant"]


class HelpAnswered(EventData):
    kind = "help_answered"
    help_request_id: RowId
    wait_ms: Millis


class SkinToneShared(EventData):
    """Recorded only when the shopper opted in to share their tone (kiosk/app/machine.py)."""

    kind = "skin_tone"
    mst: int = Field(ge=1, le=10)
    undertone: Literal["warm", "neutral", "cool"]


EVENT_KINDS = tuple(DATA_BY_KIND)


def parse_data(kind: str, data: Any) -> EventData:
    """`data` that arrives as plain JSON-like values, as the event of `kind`, or EventError naming
    the kind and the field at fault."""
    model = DATA_BY_KIND.get(kind)
    if model is None:
        raise EventError(f"unknown event kind {kind!r}; expected one of {EVENT_KINDS}")
    if not isinstance(data, dict):
        raise EventError(f"{kind}: data must be an object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise EventError(_describe(kind, exc, data)) from None


def _describe(kind: str, exc: ValidationError, data: dict[str, Any]) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        return f"{kind}: field(s) {unknown} are not part of this event"
    first = errors[0]
    if not first["loc"]:
        return f"{kind}: {first['msg']}"
    name = str(first["loc"][0])
    if first["type"] == "missing":
        return f"{kind}: missing field {name!r}"
    value = data.get(name)
    shown = repr(value) if len(repr(value)) <= 40 else f"{type(value).__name__} of {len(repr(value))} chars"
    return f"{kind}: field {name!r} has an invalid value {shown}"


class _EventBase(BaseModel):
    """The envelope API.md puts around `data`; `kind` and `data` come from DATA_BY_KIND."""

    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID
    session_id: uuid.UUID
    seq: int = Field(ge=0, le=1_000_000)
    at: AwareDatetime


def _event_model(kind: str, data: type[EventData]) -> type[_EventBase]:
    name = "".join(part.title() for part in kind.split("_")) + "Event"
    return create_model(name, __base__=_EventBase, kind=(Literal[kind], ...), data=(data, ...))


EVENT_MODELS = tuple(_event_model(k, d) for k, d in DATA_BY_KIND.items())
SessionEvent = Annotated[Union[EVENT_MODELS], Field(discriminator="kind")]  # noqa: UP007 (built from a tuple)
