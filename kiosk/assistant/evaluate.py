"""`python -m kiosk.assistant.evaluate` (`make eval`): intent accuracy on the held-out evaluation
set (assets/assistant/eval.tsv), per language, out-of-scope detection and the confusion matrix.

Targets from issue 7: ≥ 90% intent accuracy in each language; ≥ 85% of out-of-scope questions
detected (predicted out_of_scope, i.e. not answered confidently).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from catalogue import load_catalogue

from .entities import EntityMatcher
from .intents import EVALUATION, INTENTS, IntentClassifier, load_examples

TARGET_ACCURACY = 0.90
TARGET_OOS = 0.85


@dataclass(frozen=True)
class EvalResult:
    accuracy: dict[str, float]  # per language
    oos_detected: float
    confusion: np.ndarray  # rows: true intent, columns: predicted, in INTENTS order
    n: dict[str, int]
    errors: list[tuple[str, str, str, str]]  # lang, expected, predicted, text

    @property
    def passed(self) -> bool:
        return min(self.accuracy.values()) >= TARGET_ACCURACY and self.oos_detected >= TARGET_OOS


def evaluate(path: Path = EVALUATION, classifier: IntentClassifier | None = None) -> EvalResult:
    examples = load_examples(path)
    classifier = classifier or IntentClassifier.load()
    matcher = EntityMatcher(load_catalogue())
    texts = [e.text for e in examples]
    rows = classifier.features.rows(texts, [matcher.match(t) for t in texts])
    predicted = [classifier.decide(p).intent for p in classifier.probabilities(rows)]
    confusion = np.zeros((len(INTENTS), len(INTENTS)), dtype=int)
    errors = []
    for e, p in zip(examples, predicted, strict=True):
        confusion[INTENTS.index(e.intent), INTENTS.index(p)] += 1
        if p != e.intent:
            errors.append((e.lang, e.intent, p, e.text))
    accuracy, n = {}, {}
    for lang in ("ar", "en"):
        pairs = [(e.intent, p) for e, p in zip(examples, predicted, strict=True) if e.lang == lang]
        n[lang] = len(pairs)
        accuracy[lang] = sum(a == b for a, b in pairs) / len(pairs)
    oos = [p for e, p in zip(examples, predicted, strict=True) if e.intent == "out_of_scope"]
    return EvalResult(accuracy, sum(p == "out_of_scope" for p in oos) / len(oos), confusion, n, errors)


def print_report(result: EvalResult, show_errors: bool) -> None:
    short = [i[:9] for i in INTENTS]
    print("confusion matrix (rows = expected, columns = predicted)")
    print(f"{'':>14}" + "".join(f"{s:>10}" for s in short))
    for i, name in enumerate(INTENTS):
        print(f"{name:>14}" + "".join(f"{v:>10}" for v in result.confusion[i]))
    for lang in ("ar", "en"):
        acc = result.accuracy[lang]
        print(f"intent accuracy [{lang}]: {acc:.1%} of {result.n[lang]} (target ≥ {TARGET_ACCURACY:.0%})")
    print(f"out-of-scope detected: {result.oos_detected:.1%} (target ≥ {TARGET_OOS:.0%})")
    if show_errors:
        for lang, want, got, text in result.errors:
            print(f"  [{lang}] {want} → {got}: {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Assistant intent evaluation on the held-out set.")
    parser.add_argument("--eval-set", type=Path, default=EVALUATION)
    parser.add_argument("--errors", action="store_true", help="list every misclassified utterance")
    args = parser.parse_args(argv)
    result = evaluate(args.eval_set)
    print_report(result, args.errors)
    print("PASS" if result.passed else "BELOW TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
