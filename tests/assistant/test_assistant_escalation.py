"""When the assistant calls staff: asked for, frustration, or three unanswered questions in a row."""

import pytest

from kiosk.assistant import Assistant
from kiosk.assistant.assistant import ASKED_FOR_STAFF, FRUSTRATION, MAX_MISSES, REPEATED_MISSES

MISSES = ["what's the weather like", "قول لي نكتة", "asdf qwer zxcv", "who won the match yesterday"]


@pytest.fixture
def calls():
    return []


@pytest.fixture
def helped(knowledge, classifier, calls) -> Assistant:
    return Assistant(knowledge, classifier, raise_help_request=calls.append)


def test_three_misses_in_a_row_raise_one_help_request(helped, calls):
    replies = [helped.ask(q) for q in MISSES[:MAX_MISSES]]
    assert [r.answered for r in replies] == [False] * MAX_MISSES
    assert [r.escalate for r in replies] == [False] * (MAX_MISSES - 1) + [True]
    assert calls == [REPEATED_MISSES]
    assert "staff" in replies[-1].reply
    # the count starts again after escalating
    helped.ask(MISSES[3])
    assert calls == [REPEATED_MISSES]


def test_an_answered_question_resets_the_count(helped, calls):
    helped.ask(MISSES[0])
    helped.ask(MISSES[1])
    assert helped.ask("how much is Royal Red").answered
    helped.ask(MISSES[2])
    helped.ask(MISSES[3])
    assert calls == []


@pytest.mark.parametrize(
    "question",
    [
        "I want to talk to someone",
        "ابي اكلم موظف",
        "can I speak to a real person please",
        "ممكن تنادين لي موظفة",
    ],
)
def test_asking_for_a_person_escalates_at_once(helped, calls, question):
    reply = helped.ask(question)
    assert reply.intent == "talk_to_staff" and reply.escalate
    assert calls == [ASKED_FOR_STAFF]


@pytest.mark.parametrize("question", ["this is useless", "انتي غبية ما تفهمين", "زهقت منك"])
def test_frustration_escalates(helped, calls, question):
    reply = helped.ask(question)
    assert reply.escalate and calls == [FRUSTRATION]


def test_no_callable_wired_still_replies(knowledge, classifier):
    reply = Assistant(knowledge, classifier).ask("I want to talk to someone")
    assert reply.escalate


def test_turns_record_no_words(helped):
    helped.ask("كم سعر الروج الأحمر؟")
    helped.ask("I want to talk to someone")
    events = [t.event_data().wire() for t in helped.turns]
    assert all(set(e) == {"intent", "answered", "escalated", "lang"} for e in events)
    assert events[0] == {"intent": "price", "answered": True, "escalated": False, "lang": "ar"}
    assert events[1] == {"intent": "talk_to_staff", "answered": True, "escalated": True, "lang": "en"}
    assert helped.turns[0].event_data().kind == "assistant_question"
    helped.reset()
    assert helped.turns == [] and helped.misses == 0
