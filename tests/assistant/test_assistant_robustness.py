"""Odd input never raises and always gives a well-formed reply."""

import json

import pytest

ODD_INPUTS = {
    "empty": "",
    "spaces": "   \n\t ",
    "long_ar": "ابي روج احمر " * 400,  # ~5,200 characters
    "long_en": ("where is the lipstick " * 240)[:5000],
    "long_no_spaces": "x" * 5000,
    "mixed_scripts": "كم سعر Royal Red lipstick من Sahra؟",
    "emoji_only": "💄💋😍🔥",
    "emoji_mixed": "ابي روج 💄 احمر 😍",
    "rtl_controls": "\u202eابي\u202c \u200fاكلم\u200f \u2067موظف\u2069",
    "rlo_override_en": "\u202ewhere is the kohl\u202c",
    "zero_width": "كم\u200b سعر\u200d الروج\ufeff",
    "tashkeel_only": "\u064b\u064c\u064d\u064e\u064f",
    "tatweel_only": "ـــــــ",
    "digits_only": "٣٣٣ ۴۴ 12",
    "punctuation": "?!?!...،،؟؟",
    "control_chars": "\x00\x01\x07where\x1b[31m is the blush",
    "surrogate_like": "\ud7ff\ue000 lipstick",
    "presentation_forms": "ﻛﻢ ﺳﻌﺮ ﺍﻟﺮﻭﺝ",
    "html": "<script>alert('x')</script> price?",
    "cjk": "口红多少钱",
}


@pytest.mark.parametrize("name", list(ODD_INPUTS))
def test_odd_input_gives_a_reply(assistant, name):
    reply = assistant.ask(ODD_INPUTS[name])
    assert reply.lang in ("ar", "en")
    assert reply.reply.strip()
    assert 0.0 <= reply.confidence <= 1.0
    json.dumps(reply.to_json(), ensure_ascii=False)  # the CLI's output is always serialisable
    assert len(reply.reply) < 600


def test_empty_input_asks_to_rephrase(assistant):
    reply = assistant.ask("")
    assert reply.intent == "out_of_scope" and not reply.answered and not reply.escalate


def test_rtl_controls_do_not_hide_the_request(assistant):
    calls = []
    assistant.raise_help_request = calls.append
    reply = assistant.ask(ODD_INPUTS["rtl_controls"])
    assert reply.intent == "talk_to_staff" and reply.escalate and calls


def test_presentation_forms_read_as_plain_arabic(assistant):
    reply = assistant.ask(ODD_INPUTS["presentation_forms"])
    assert reply.lang == "ar" and reply.intent == "price"
