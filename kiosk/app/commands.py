"""The commands the shopper's page sends, typed: one pydantic model per command, named by its
`cmd` field, parsed once where the JSON arrives (kiosk/app/server.py) and handled by
`KioskMachine.handle`. The same models give the schema the page is sent on connecting
(`command_schema`), so the page and a test can hold every `send({cmd: ...})` to it.

Fields are checked here for shape (types, ranges, unknown keys): a malformed command is refused
with code "bad_input" before it reaches the machine. What depends on the moment (the phase, the
catalogue, the pieces on the floor) is the machine's to check.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from catalogue import UNDERTONES
from vision.color import MST_SWATCHES

FLOOR_REACH_M = 20.0  # furniture goes within this many metres of the floor's origin, either way
MST_RANGE = range(1, len(MST_SWATCHES) + 1)  # Monk Skin Tone 1..10
MAX_QUESTION_CHARS = 300

# The stable codes the page maps to a short message in the shopper's language (kiosk/ui/i18n.js,
# "error_<code>"); the message itself is for logs and tests, never shown.
ERROR_CODES = frozenset(
    {
        "not_possible", "bad_input", "unknown_product", "out_of_stock", "too_many_pieces",
        "help_already_called", "assistant_unavailable", "nothing_to_send", "off_floor", "internal",
    }
)  # fmt: skip


class CommandError(ValueError):
    """A command the current phase cannot take, or one with bad arguments; `code` is what the
    shopper is told (one of ERROR_CODES)."""

    def __init__(self, message: str, code: str = "not_possible") -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code


Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Metres = Annotated[float, Field(ge=-FLOOR_REACH_M, le=FLOOR_REACH_M)]
Id = Annotated[str, Field(min_length=1, max_length=64)]
# A piece on the floor by its position in the session's list; left out = the selected piece.
PieceIndex = Annotated[int, Field(ge=0)]


class Command(BaseModel):
    # strict: the page sends JSON numbers and booleans, never "0.5" or 1 for true
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Touch(Command):
    """Any tap: only keeps the session alive."""

    cmd: Literal["touch"]


class Lang(Command):
    cmd: Literal["lang"]
    lang: Literal["ar", "en"]


class Speech(Command):
    """Mute or set the volume of the assistant's spoken replies, for this session only."""

    cmd: Literal["speech"]
    muted: bool
    volume: Unit


class Start(Command):
    cmd: Literal["start"]


class Consent(Command):
    cmd: Literal["consent"]
    accept: bool
    share_tone: bool = False


class Mode(Command):
    cmd: Literal["mode"]
    mode: Literal["makeup", "furniture"]


class Select(Command):
    """Put a shade on; without `intensity` the kind's slider keeps where the shopper left it."""

    cmd: Literal["select"]
    sku: Id
    intensity: Unit | None = None


class Remove(Command):
    cmd: Literal["remove"]
    kind: Id


class Clear(Command):
    cmd: Literal["clear"]


class Intensity(Command):
    cmd: Literal["intensity"]
    kind: Id
    value: Unit


class Preset(Command):
    cmd: Literal["preset"]
    id: Id


class Split(Command):
    """The before/after divider as a fraction of the width; null (or left out) turns it off."""

    cmd: Literal["split"]
    x: Unit | None = None


class Tone(Command):
    """The shopper corrects how we see their tone: a depth and an undertone, or back to ours."""

    cmd: Literal["tone"]
    reset: bool = False
    mst: Annotated[int, Field(ge=MST_RANGE.start, le=MST_RANGE.stop - 1)] | None = None
    undertone: Literal[UNDERTONES] | None = None

    @model_validator(mode="after")
    def _both_or_reset(self) -> Tone:
        if not self.reset and (self.mst is None or self.undertone is None):
            raise ValueError("tone needs mst 1..10 and undertone warm|neutral|cool, or reset")
        return self


class RecAccept(Command):
    cmd: Literal["rec_accept"]
    sku: Id
    intensity: Unit | None = None


class BasketAdd(Command):
    """A makeup shade by `sku`, or a furniture piece by `product_id` and its variant's `sku`."""

    cmd: Literal["basket_add"]
    sku: Id | None = None
    product_id: Id | None = None
    intensity: Unit | None = None


class BasketRemove(Command):
    cmd: Literal["basket_remove"]
    sku: Id


class FloorTap(Command):
    """A tap on the picture (u, v as fractions of the frame): place the piece being placed there,
    or move a piece on the floor to it."""

    cmd: Literal["f_tap"]
    action: Literal["place", "move"] = "place"
    u: Unit
    v: Unit
    index: PieceIndex | None = None
    product_id: Id | None = None
    variant: Id | None = None


class FPlace(Command):
    """A piece placed by floor position (metres), as `f_tap` does once it has found the floor."""

    cmd: Literal["f_place"]
    product_id: Id
    variant: Id | None = None
    x: Metres
    z: Metres


class FMove(Command):
    cmd: Literal["f_move"]
    index: PieceIndex | None = None
    x: Metres
    z: Metres


class FRotate(Command):
    cmd: Literal["f_rotate"]
    index: PieceIndex | None = None
    degrees: Annotated[float, Field(ge=-180.0, le=180.0)]


class FVariant(Command):
    cmd: Literal["f_variant"]
    index: PieceIndex | None = None
    variant: Id | None = None  # left out: the product's first variant


class FSelect(Command):
    """Select a piece on the floor to move it; null (or left out) selects none."""

    cmd: Literal["f_select"]
    index: PieceIndex | None = None


class FRemove(Command):
    cmd: Literal["f_remove"]
    index: PieceIndex | None = None


class Summary(Command):
    cmd: Literal["summary"]


class Back(Command):
    cmd: Literal["back"]


class Retake(Command):
    """The shopper does not like the photo on the summary screen: pick again from the next seconds."""

    cmd: Literal["retake"]


class End(Command):
    cmd: Literal["end"]


class Forget(Command):
    cmd: Literal["forget"]


class Help(Command):
    """Call staff; a shopper asking for help on the attract screen starts a session."""

    cmd: Literal["help"]


class Ask(Command):
    """A typed question for the assistant; the words go to the in-process assistant only."""

    cmd: Literal["ask"]
    text: Annotated[str, Field(max_length=MAX_QUESTION_CHARS)]
    lang: Literal["ar", "en"] | None = None

    @model_validator(mode="after")
    def _not_blank(self) -> Ask:
        if not self.text.strip():
            raise ValueError(f"a question is 1 to {MAX_QUESTION_CHARS} characters")
        return self


class Handoff(Command):
    cmd: Literal["handoff"]
    include_photo: bool = False


COMMANDS: tuple[type[Command], ...] = (
    Touch, Lang, Speech, Start, Consent, Mode, Select, Remove, Clear, Intensity, Preset, Split, Tone,
    RecAccept, BasketAdd, BasketRemove, FloorTap, FPlace, FMove, FRotate, FVariant, FSelect, FRemove,
    Summary, Back, Retake, End, Forget, Help, Ask, Handoff,
)  # fmt: skip
COMMAND_NAMES = {model.model_fields["cmd"].annotation.__args__[0]: model for model in COMMANDS}


def parse_command(raw: Any) -> Command:
    """The page's JSON object as its typed command, or CommandError("bad_input") naming the
    command and the field at fault."""
    if not isinstance(raw, dict):
        raise CommandError("a command is a JSON object", "bad_input")
    name = raw.get("cmd")
    model = COMMAND_NAMES.get(name) if isinstance(name, str) else None
    if model is None:
        raise CommandError(f"unknown command {name!r}", "bad_input")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CommandError(_describe(name, exc), "bad_input") from None


def _describe(name: str, exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"] if isinstance(part, str))
    if first["type"] == "extra_forbidden":
        return f"{name}: {field!r} is not a field of this command"
    if first["type"] == "missing":
        return f"{name}: missing field {field!r}"
    message = first["msg"].removeprefix("Value error, ")  # a model check's own words
    return f"{name}: field {field!r}: {message}" if field else f"{name}: {message}"


def command_schema() -> dict[str, Any]:
    """Each command's fields as JSON Schema, by name: sent to the page on connecting."""
    return {name: model.model_json_schema() for name, model in COMMAND_NAMES.items()}
