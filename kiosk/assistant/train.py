"""`python -m kiosk.assistant.train`: fit the intent model and write assets/assistant/intent_model.npz.

Run it after editing training.tsv, templates.tsv or fillers.tsv (a test fails while the stored
model's digest differs from those files). Needs scikit-learn (a dev dependency); the kiosk
itself only reads the arrays. The confidence threshold and ambiguity margin are chosen by 5-fold
cross-validation on the training examples: the evaluation set never influences the model.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

from catalogue import load_catalogue

from .entities import EntityMatcher
from .intents import MODEL, Features, IntentClassifier, SentenceEncoder, training_digest, training_examples

C = 20.0
CONFIDENCES = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
MARGINS = (0.0, 0.05, 0.1, 0.15)


def _fit(rows: np.ndarray, labels: list[str]):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=1000).fit(rows, labels)


def _pick_thresholds(
    rows: np.ndarray, labels: np.ndarray, langs: np.ndarray, classes: list[str]
) -> tuple[float, float]:
    """Out-of-fold probabilities → the (confidence, margin) pair maximising the worst of
    per-language accuracy and out-of-scope detection."""
    from sklearn.model_selection import StratifiedKFold

    probs = np.zeros((len(labels), len(classes)))
    for train_idx, test_idx in StratifiedKFold(5, shuffle=True, random_state=0).split(rows, labels):
        model = _fit(rows[train_idx], list(labels[train_idx]))
        probs[np.ix_(test_idx, [classes.index(c) for c in model.classes_])] = model.predict_proba(
            rows[test_idx]
        )
    top = np.array(classes)[probs.argmax(1)]
    srt = np.sort(probs, 1)
    conf, margin = srt[:, -1], srt[:, -1] - srt[:, -2]
    best, best_score = (CONFIDENCES[0], MARGINS[0]), -1.0
    for c, m in itertools.product(CONFIDENCES, MARGINS):
        pred = np.where((conf >= c) & (margin >= m), top, "out_of_scope")
        accs = [(pred[langs == lang] == labels[langs == lang]).mean() for lang in ("ar", "en")]
        oos = (pred[labels == "out_of_scope"] == "out_of_scope").mean()
        score = min(*accs, oos) + 0.01 * float(np.mean(accs))  # tie-break on mean accuracy
        if score > best_score:
            best, best_score = (c, m), score
    return best


def train(out: Path = MODEL) -> IntentClassifier:
    examples = training_examples()
    texts = [e.text for e in examples]
    labels = np.array([e.intent for e in examples])
    langs = np.array([e.lang for e in examples])
    matcher = EntityMatcher(load_catalogue())
    encoder = SentenceEncoder(threads=2)
    features = Features.fit(texts, encoder)
    rows = features.rows(texts, [matcher.match(t) for t in texts])
    model = _fit(rows, list(labels))
    classes = list(model.classes_)
    min_conf, min_margin = _pick_thresholds(rows, labels, langs, classes)
    np.savez_compressed(
        out,
        vocabulary=np.array(features.vocabulary),
        idf=features.idf,
        classes=np.array(classes),
        coef=model.coef_,
        intercept=model.intercept_,
        min_confidence=min_conf,
        min_margin=min_margin,
        digest=training_digest(),
    )
    print(f"{len(examples)} examples, {len(features.vocabulary)} n-gram terms")
    print(f"thresholds from cross-validation: confidence ≥ {min_conf}, margin ≥ {min_margin}")
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return IntentClassifier(features, classes, model.coef_, model.intercept_, min_conf, min_margin)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    train(args.out)
    print(f"trained in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
