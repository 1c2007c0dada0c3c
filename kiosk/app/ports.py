"""What the kiosk's composition root (kiosk/app/runtime.py) needs of the parts it loads only when
they ship with the build: the recommender, the assistant and the speaker. Each Protocol lists
only what the runtime calls, so the part may change the rest freely, and the runtime names them
without importing them (the recommender brings onnxruntime, the speaker pyttsx3).
tests/app/test_app_ports.py holds the real classes to these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from kiosk.events import AssistantQuestion

if TYPE_CHECKING:
    from catalogue import Catalogue
    from kiosk.assistant.answers import ShadePick
    from recommender.features import ShopperProfile


class RankedShade(Protocol):
    product_id: str
    sku: str
    reason_en: str
    reason_ar: str
    delta_e: float | None
    grade: str | None


@runtime_checkable
class ShadeRanker(Protocol):
    """recommender.runtime.Recommender: ranks one kind's shades for a shopper."""

    @property
    def version(self) -> str: ...

    def recommend(
        self, profile: ShopperProfile, catalogue: Catalogue, kind: str, top_n: int = ...
    ) -> Sequence[RankedShade]: ...

    def swap(self, model_path: Path, card_path: Path | None = ..., expected_sha256: str | None = ...) -> str:
        """Switch to a pulled model version once it loads and checks out; returns the version."""
        ...


class AssistantAnswer(Protocol):
    reply: str
    lang: str


class AssistantTurn(Protocol):
    def event_data(self) -> AssistantQuestion:
        """The turn as a session event: the intent, never the words."""
        ...


@runtime_checkable
class ShopperAssistant(Protocol):
    """kiosk.assistant.Assistant: answers typed questions, one conversation per session."""

    raise_help_request: Callable[[str], None] | None
    turns: Sequence[AssistantTurn]

    def ask(
        self, text: str, lang: str | None = ..., picks: tuple[ShadePick, ...] = ...
    ) -> AssistantAnswer: ...

    def reset(self) -> None: ...


@runtime_checkable
class ReplySpeaker(Protocol):
    """kiosk.assistant.speech.Speaker: speaks replies on its own thread; nothing here blocks."""

    @property
    def muted(self) -> bool: ...

    def say(self, text: str, lang: str) -> None: ...

    def silence(self) -> None: ...

    def mute(self, muted: bool = ...) -> None: ...

    def set_volume(self, volume: float) -> None: ...

    def close(self) -> None: ...
