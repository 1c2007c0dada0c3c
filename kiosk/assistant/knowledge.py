"""Everything the assistant may state, as typed inputs: the catalogue, the staff-edited FAQ and
the store's settings. The assistant answers from these only, so a price, a stock level or a
policy it says is always one somebody entered.

The FAQ file has the shape of the backend's `GET /api/v1/kiosk/faq` answer (kiosk/backend/API.md),
so the copy the sync client caches loads the same way as the defaults shipped in
assets/assistant/faq.json that a kiosk uses before its first sync.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from catalogue import DEMO_CATALOGUE, Catalogue, load_catalogue

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "assistant"
DEFAULT_FAQ = ASSETS / "faq.json"


class KnowledgeError(ValueError):
    """The FAQ/store file is unreadable or breaks the /faq schema."""


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question_en: str
    question_ar: str
    answer_en: str
    answer_ar: str
    tags: tuple[str, ...] = ()

    def answer(self, lang: str) -> str:
        return self.answer_ar if lang == "ar" else self.answer_en


@dataclass(frozen=True)
class StoreInfo:
    """Store settings the shopper may ask about; an empty field means staff have not set it."""

    name_en: str = ""
    name_ar: str = ""
    hours_en: str = ""
    hours_ar: str = ""
    returns_en: str = ""
    returns_ar: str = ""
    payment_en: str = ""
    payment_ar: str = ""

    def get(self, topic: str, lang: str) -> str:
        return getattr(self, f"{topic}_{lang}", "") or ""


@dataclass(frozen=True)
class Knowledge:
    catalogue: Catalogue
    faq: tuple[FaqEntry, ...]
    store: StoreInfo
    faq_version: int = 0

    def faq_by_tag(self, tag: str) -> FaqEntry | None:
        return next((e for e in self.faq if tag in e.tags), None)


def parse_faq(data: dict) -> tuple[tuple[FaqEntry, ...], StoreInfo, int]:
    try:
        entries = tuple(
            FaqEntry(
                id=str(e["id"]),
                question_en=e["question_en"],
                question_ar=e["question_ar"],
                answer_en=e["answer_en"],
                answer_ar=e["answer_ar"],
                tags=tuple(e.get("tags", [])),
            )
            for e in data["entries"]
        )
        known = StoreInfo.__dataclass_fields__
        store = StoreInfo(**{k: str(v) for k, v in data.get("store", {}).items() if k in known})
        return entries, store, int(data.get("version", 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise KnowledgeError(f"FAQ data breaks the /faq schema: {exc!r}") from exc


def load_knowledge(catalogue_path: Path = DEMO_CATALOGUE, faq_path: Path = DEFAULT_FAQ) -> Knowledge:
    try:
        data = json.loads(Path(faq_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise KnowledgeError(f"cannot read FAQ {faq_path}: {exc}") from exc
    entries, store, version = parse_faq(data)
    return Knowledge(catalogue=load_catalogue(catalogue_path), faq=entries, store=store, faq_version=version)
