"""The runtime names the recommender, the assistant and the speaker by small Protocols
(kiosk/app/ports.py); the real classes must keep fitting them."""

from __future__ import annotations

from kiosk.app.ports import ReplySpeaker, ShadeRanker, ShopperAssistant
from kiosk.assistant import Assistant, load_knowledge
from kiosk.assistant.speech import Speaker
from kiosk.events import AssistantQuestion
from recommender.runtime import Recommender


def test_the_real_parts_fit_what_the_runtime_asks_of_them(tmp_path):
    assert isinstance(Recommender(), ShadeRanker)
    assistant = Assistant(load_knowledge())
    assert isinstance(assistant, ShopperAssistant)
    assistant.ask("where is the lipstick?", "en")
    assert isinstance(assistant.turns[-1].event_data(), AssistantQuestion)
    speaker = Speaker(out_dir=tmp_path)
    try:
        assert isinstance(speaker, ReplySpeaker)
    finally:
        speaker.close()
