"""The assistant's "what suits me" answers use the same match grades as the kiosk screen: a
close match is named as one, a poor one is named as the nearest we have, with the staff offer."""

from __future__ import annotations

import numpy as np
import pytest

from catalogue import load_catalogue
from kiosk.assistant import Assistant, load_knowledge
from kiosk.assistant.answers import ShadePick
from recommender.shade_match import grade_of, match_skin
from vision.color import MST_SWATCHES, hex_to_lab

QUESTION_EN = "which foundation suits me?"
QUESTION_AR = "أي كريم أساس يناسبني؟"


@pytest.fixture(scope="module")
def assistant():
    return Assistant(load_knowledge())


def pick_for(skin_hex: str, catalogue) -> ShadePick:
    best = match_skin(tuple(hex_to_lab(skin_hex)), catalogue, "foundation").best
    product, shade = catalogue.shade(best.sku)
    return ShadePick(product, shade, best.delta_e, best.grade)


def test_a_close_match_is_named_as_one(assistant):
    pick = pick_for(MST_SWATCHES[0], load_catalogue())
    assert pick.grade == "close"
    reply = assistant.ask(QUESTION_EN, "en", (pick,))
    assert reply.intent == "recommend"
    assert "close match" in reply.reply and pick.shade.name_en in reply.reply


def test_a_poor_match_is_the_nearest_we_have_with_the_staff_offer(assistant):
    demo = load_catalogue()
    product = demo.by_kind("foundation")[0]
    shade = next(s for s in product.shades if np.hypot(*s.lab[1:]) > 10 and s.lab[0] > 60)
    pick = ShadePick(product, shade, 9.4, grade_of(9.4))
    en = assistant.ask(QUESTION_EN, "en", (pick,))
    assert "no close foundation match" in en.reply and "mix two shades" in en.reply and "9.4" in en.reply
    ar = assistant.ask(QUESTION_AR, "ar", (pick,))
    assert ar.intent == "recommend"
    assert "لا يتوفر الآن" in ar.reply and "مزج درجتين" in ar.reply


def test_without_a_measured_tone_the_answer_explains_how_the_mirror_recommends(assistant):
    reply = assistant.ask(QUESTION_EN, "en")
    assert reply.intent == "recommend" and "close match" not in reply.reply
