"""Assistant latency: understanding + answer per question (no speech), its stages, and the time
to first audio of a spoken reply (pyttsx3/espeak-ng synthesis to a playable WAV).
Goal (issue 7): understanding under 30 ms p95."""

from __future__ import annotations

import tempfile
import time

from bench.stats import report
from kiosk.assistant import Assistant, load_knowledge
from kiosk.assistant.intents import EVALUATION, IntentClassifier, load_examples
from kiosk.assistant.normalize import normalize
from kiosk.assistant.speech import Speaker


def _per_item(fn, items) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    start = time.perf_counter()
    knowledge = load_knowledge()
    classifier = IntentClassifier.load()
    assistant = Assistant(knowledge, classifier)
    print(
        f"start-up (catalogue, FAQ, model, sentence encoder): {(time.perf_counter() - start) * 1000:.0f} ms"
    )

    questions = [e.text for e in load_examples(EVALUATION)]
    for q in questions[:20]:  # warm-up
        assistant.ask(q)
    baseline = _per_item(normalize, questions)
    report("normalise (baseline)", baseline)
    ents = [assistant.matcher.match(q) for q in questions]
    report("entity matching", _per_item(assistant.matcher.match, questions), baseline)
    report("TF-IDF char+word n-grams", _per_item(classifier.features.tfidf, questions), baseline)
    report(
        "feature row (TF-IDF + USE-m3 embedding + flags)",
        _per_item(lambda q: classifier.features.rows([q], [ents[0]]), questions),
        baseline,
    )
    for lang in ("ar", "en"):
        subset = [e.text for e in load_examples(EVALUATION) if e.lang == lang]
        report(f"ask(): understanding + answer [{lang}]", _per_item(assistant.ask, subset), baseline)
        assistant.reset()
    report("ask(): 5,000-character input", _per_item(assistant.ask, ["ابي روج احمر " * 400] * 50), baseline)

    replies = {
        "ar": [assistant.ask(q).reply for q in ("كم سعر الروج الأحمر؟", "وين الكحل؟", "متى تفتحون؟", "هلا")],
        "en": [
            assistant.ask(q).reply
            for q in ("how much is Royal Red", "where is the kohl", "when do you open", "hi")
        ],
    }
    with tempfile.TemporaryDirectory() as tmp:
        speaker = Speaker(out_dir=tmp)
        for lang, texts in replies.items():
            speaker.spoken.clear()
            for _ in range(3):
                for text in texts:
                    speaker.say(text, lang)
                    speaker.wait_idle(60)
            report(
                f"time to first audio, spoken reply [{lang}]",
                [s.ms_to_audio for s in speaker.spoken],
                baseline,
            )
        speaker.close()


if __name__ == "__main__":
    main()
