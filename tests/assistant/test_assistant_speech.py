"""Spoken replies through pyttsx3 + espeak-ng, written to files (no sound card needed)."""

import time
import wave

import numpy as np
import pytest

from kiosk.assistant.speech import Speaker


def samples(path) -> np.ndarray:
    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(float)


@pytest.fixture
def speaker(tmp_path):
    s = Speaker(out_dir=tmp_path)
    yield s
    s.close()


def test_arabic_and_english_replies_become_audio(speaker):
    speaker.say("أهلًا وسهلًا! الروج الأحمر بـ ٩٩ ريال.", "ar")
    assert speaker.wait_idle(30)
    speaker.say("Royal Red is 99 riyals.", "en")
    assert speaker.wait_idle(30)
    assert [s.lang for s in speaker.spoken] == ["ar", "en"]
    for spoken in speaker.spoken:
        audio = samples(spoken.path)
        assert len(audio) > 22050 * 0.5 and np.abs(audio).max() > 1000  # half a second of real sound
        assert spoken.ms_to_audio > 0 and not spoken.played


def test_newest_reply_wins(speaker):
    for i in range(6):
        speaker.say(f"reply number {i}", "en")
    assert speaker.wait_idle(30)
    texts = [s.text for s in speaker.spoken]
    assert texts[-1] == "reply number 5"
    assert len(texts) < 6  # replies superseded while waiting were never synthesised


def test_say_returns_before_speech_is_done(speaker):
    speaker.say("This is a fairly long sentence so that synthesis takes a noticeable while to finish.", "en")
    assert speaker.spoken == []  # the caller got control back first
    assert speaker.wait_idle(30) and len(speaker.spoken) == 1


def test_silence_drops_every_reply_said_before_it(speaker):
    speaker.say("This is a fairly long sentence so that synthesis takes a noticeable while to finish.", "en")
    speaker.silence()  # the shopper walked away
    assert speaker.wait_idle(30) and speaker.spoken == []
    speaker.say("Welcome!", "en")  # the next shopper is heard
    assert speaker.wait_idle(30) and [s.text for s in speaker.spoken] == ["Welcome!"]


def test_mute_and_volume(speaker):
    speaker.mute(True)
    speaker.say("nobody should hear this", "en")
    assert speaker.wait_idle(30) and speaker.spoken == []
    speaker.mute(False)
    speaker.set_volume(1.0)
    speaker.say("volume check", "en")
    speaker.wait_idle(30)
    speaker.set_volume(0.2)
    speaker.say("volume check", "en")
    speaker.wait_idle(30)
    loud, quiet = (np.sqrt(np.mean(samples(s.path) ** 2)) for s in speaker.spoken)
    assert quiet < 0.5 * loud
    speaker.set_volume(7)
    assert speaker.volume == 1.0


def test_blank_reply_is_not_spoken(speaker):
    speaker.say("   ", "ar")
    time.sleep(0.05)
    assert speaker.wait_idle(1) and speaker.spoken == []
