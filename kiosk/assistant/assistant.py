"""The in-store assistant: one question in, one short grounded reply out, with escalation.

Per kiosk session it keeps only what escalation needs (the count of unanswered questions in a
row) and a list of `AssistantTurn`s (intent, answered, escalated, language: never the words),
each of which the kiosk app records as its `assistant_question` event (kiosk/events.py).

Escalation: the shopper asks for a person, sounds frustrated, or MAX_MISSES questions in a row go
unanswered → the reply says staff are coming and `raise_help_request(reason)` is called; the
kiosk app wires that callable to the sync client's help-request call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol

from kiosk.events import AssistantQuestion

from .answers import TEXT, Answer, ShadePick, info_answer, product_answer, recommend_answer
from .entities import Entities, EntityMatcher, trigrams
from .intents import IntentClassifier
from .knowledge import FaqEntry, Knowledge
from .normalize import detect_lang, normalize

MAX_MISSES = 3
FAQ_MIN_SIMILARITY = 0.55  # staff FAQ questions are matched only when the wording is close
FAQ_TAG_INTENTS = {"tryon": "tryon_help", "recommend": "recommend"}
PRODUCT_INTENTS = ("find_product", "price", "availability")
INFO_INTENTS = ("store_hours", "returns", "payment", "tryon_help")

# Reasons passed to raise_help_request.
ASKED_FOR_STAFF = "shopper_asked"
FRUSTRATION = "frustration"
REPEATED_MISSES = "repeated_misses"

# Phrases (normalised) that mean the shopper is fed up with the machine, whatever the intent.
FRUSTRATION_PHRASES = tuple(
    normalize(p)
    for p in (
        "useless", "stupid", "not helpful", "doesn't help", "you don't understand", "annoying", "forget it",
        "waste of time", "hate this", "this is rubbish", "not working",
        "غبي", "غبيه", "ما تفهم", "ما تفهمين", "مو فاهم", "مو فاهمه", "زهقت", "طفشت", "ما فادني", "ما تفيد",
        "بلا فايده", "مالك فايده", "خربانه", "سخيف", "يقهر", "قرفت", "ما تنفع",
    )
)  # fmt: skip


class RaiseHelpRequest(Protocol):
    def __call__(self, reason: str) -> None: ...


@dataclass(frozen=True)
class AssistantTurn:
    """What a session records about one question: no words, per the privacy rules."""

    intent: str
    answered: bool
    escalated: bool
    lang: str

    def event_data(self) -> AssistantQuestion:
        return AssistantQuestion(
            intent=self.intent, answered=self.answered, escalated=self.escalated, lang=self.lang
        )


@dataclass(frozen=True)
class AssistantReply:
    intent: str
    confidence: float
    reply: str
    lang: str
    escalate: bool
    answered: bool

    def to_json(self) -> dict:
        return asdict(self)


def _frustrated(norm: str) -> bool:
    padded = f" {norm} "
    return any(f" {p} " in padded for p in FRUSTRATION_PHRASES)


class Assistant:
    def __init__(
        self,
        knowledge: Knowledge,
        classifier: IntentClassifier | None = None,
        raise_help_request: RaiseHelpRequest | None = None,
    ):
        self.classifier = classifier or IntentClassifier.load()
        self.raise_help_request = raise_help_request
        self.update_knowledge(knowledge)
        self.reset()

    def update_knowledge(self, knowledge: Knowledge) -> None:
        """Swap in a freshly synced catalogue/FAQ; answers use it from the next question."""
        self.knowledge = knowledge
        self.matcher = EntityMatcher(knowledge.catalogue)
        self._faq_grams = [
            (entry, trigrams(normalize(question)))
            for entry in knowledge.faq
            for question in (entry.question_en, entry.question_ar)
        ]

    def _faq_match(self, norm: str) -> FaqEntry | None:
        """The staff FAQ entry whose question reads like this one (character-trigram Dice), if any."""
        grams = trigrams(norm)
        best, best_score = None, FAQ_MIN_SIMILARITY
        for entry, faq_grams in self._faq_grams:
            score = 2 * len(grams & faq_grams) / (len(grams) + len(faq_grams) or 1)
            if score >= best_score:
                best, best_score = entry, score
        return best

    def reset(self) -> None:
        """A new shopper: forget the miss count and the recorded turns."""
        self.misses = 0
        self.turns: list[AssistantTurn] = []

    def _answer(self, intent: str, ents: Entities, lang: str, picks: tuple[ShadePick, ...]) -> Answer:
        if intent in PRODUCT_INTENTS:
            return product_answer(intent, ents, self.matcher, self.knowledge, lang)
        if intent == "recommend":
            return recommend_answer(ents, self.matcher, self.knowledge, lang, picks)
        if intent in INFO_INTENTS:
            return info_answer(intent, self.knowledge, lang)
        if intent in ("greeting", "thanks"):
            return Answer(TEXT[lang][intent], True)
        return Answer(TEXT[lang]["rephrase"], False)

    def ask(self, text: str, lang: str | None = None, picks: tuple[ShadePick, ...] = ()) -> AssistantReply:
        """`picks`: the graded complexion shades the kiosk recommended to this shopper, if any."""
        lang = detect_lang(text, lang)
        ents = self.matcher.match(text)
        prediction = self.classifier.predict(text, ents)
        intent = prediction.intent
        norm = normalize(text)
        if intent == "out_of_scope" and ents.not_carried:
            intent = "find_product"  # "وين الشامبو": a product we don't sell is a shopping question
        # a staff FAQ entry worded like the question answers it, whatever the model thought
        faq = self._faq_match(norm) if intent != "talk_to_staff" and norm else None
        reason = None
        if intent == "talk_to_staff":
            answer, reason = Answer(TEXT[lang]["staff"], True), ASKED_FOR_STAFF
        elif _frustrated(norm):
            answer, reason = Answer(TEXT[lang]["frustrated"], False), FRUSTRATION
        else:
            if faq is not None:
                intent = next((FAQ_TAG_INTENTS[t] for t in faq.tags if t in FAQ_TAG_INTENTS), "faq")
                answer = Answer(faq.answer(lang), True)
            else:
                answer = self._answer(intent, ents, lang, picks)
            self.misses = 0 if answer.answered else self.misses + 1
            if self.misses >= MAX_MISSES:
                answer, reason = Answer(TEXT[lang]["missed_three"], False), REPEATED_MISSES
        if reason is not None:
            self.misses = 0
            if self.raise_help_request is not None:
                self.raise_help_request(reason)
        self.turns.append(AssistantTurn(intent, answer.answered, reason is not None, lang))
        return AssistantReply(
            intent, round(prediction.confidence, 3), answer.text, lang, reason is not None, answer.answered
        )
