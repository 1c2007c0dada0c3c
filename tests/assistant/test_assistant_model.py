"""The intent model, its data and the held-out evaluation."""

from collections import Counter

import numpy as np

from kiosk.assistant.evaluate import TARGET_ACCURACY, TARGET_OOS, evaluate
from kiosk.assistant.intents import (
    EVALUATION,
    INTENTS,
    MODEL,
    TEMPLATES,
    load_examples,
    training_digest,
    training_examples,
)
from kiosk.assistant.normalize import normalize


def test_stored_model_was_fitted_on_the_current_examples():
    with np.load(MODEL, allow_pickle=False) as z:
        assert str(z["digest"]) == training_digest(), (
            "run `python -m kiosk.assistant.train` after editing the examples"
        )


def test_evaluation_set_is_separate_and_large_enough():
    ev = load_examples(EVALUATION)
    train_texts = {normalize(e.text) for e in training_examples()}
    train_texts |= {normalize(t.text.replace("{item}", "")) for t in load_examples(TEMPLATES)}
    assert not [e.text for e in ev if normalize(e.text) in train_texts]
    assert len(ev) >= 400
    langs = Counter(e.lang for e in ev)
    assert langs["ar"] >= len(ev) / 2
    per_lang = Counter((e.lang, e.intent) for e in ev)
    assert all(per_lang[(lang, intent)] >= 10 for lang in ("ar", "en") for intent in INTENTS)


def test_held_out_accuracy_meets_the_targets(classifier):
    result = evaluate(classifier=classifier)
    assert result.accuracy["ar"] >= TARGET_ACCURACY, result.accuracy
    assert result.accuracy["en"] >= TARGET_ACCURACY, result.accuracy
    assert result.oos_detected >= TARGET_OOS
    assert result.confusion.sum() == sum(result.n.values())


def test_unsure_predictions_become_out_of_scope(classifier):
    probs = np.full(len(classifier.classes), 1 / len(classifier.classes))  # no idea at all
    decision = classifier.decide(probs)
    assert decision.intent == "out_of_scope" and not decision.sure
