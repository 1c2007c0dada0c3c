import pytest

from kiosk.assistant import Assistant, load_knowledge
from kiosk.assistant.intents import IntentClassifier


@pytest.fixture(scope="session")
def classifier() -> IntentClassifier:
    # loading the sentence encoder takes ~1 s: once per test session
    return IntentClassifier.load()


@pytest.fixture(scope="session")
def knowledge():
    return load_knowledge()


@pytest.fixture
def assistant(knowledge, classifier) -> Assistant:
    return Assistant(knowledge, classifier)
