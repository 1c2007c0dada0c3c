"""Spoken replies with pyttsx3 (Debian espeak-ng voices: `sem/ar` for Arabic, `gmw/en` for
English), on one worker thread so the frame loop never waits for speech.

pyttsx3's espeak driver synthesises a whole utterance before any sound comes out, and its own
playback cannot be interrupted; so the worker synthesises to a WAV file with `save_to_file` and
plays that file with a player process it can stop. A new reply replaces any reply still waiting
(queue of one) and stops the one playing: the shopper hears the answer to their latest question.
With `out_dir` set the files are kept and nothing is played (tests, headless machines).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

VOICES = {"ar": "sem/ar", "en": "gmw/en"}
RATE_WPM = 165  # espeak's default 200 is fast for shoppers hearing a price
ESPEAK_RATE_HZ = 22050  # what pyttsx3's espeak driver writes
WAV_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class SpokenReply:
    text: str
    lang: str
    path: Path
    ms_to_audio: float  # from say() to a playable WAV: the time to first audio with this driver
    played: bool  # handed to the player (False when the files are kept instead)


def _finished_wav(path: Path, timeout_s: float = WAV_TIMEOUT_S) -> np.ndarray | None:
    """The samples of the WAV espeak writes from its own thread once synthesis ends.

    Under CPU load pyttsx3's runAndWait can return before espeak's callback has written the
    file, so wait (bounded) for a complete, non-empty file rather than trusting the return."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        try:
            with wave.open(str(path)) as w:
                samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
            if samples.size:
                return samples.astype(np.float32)
        except (FileNotFoundError, EOFError, wave.Error):
            pass
        time.sleep(0.005)
    return None


def _write_wav(path: Path, samples: np.ndarray) -> None:
    # Volume is applied to the samples we play: exact, and independent of espeak's own state.
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(ESPEAK_RATE_HZ)
        w.writeframes(np.clip(samples, -32768, 32767).astype(np.int16).tobytes())


class Speaker:
    def __init__(
        self,
        out_dir: Path | None = None,
        volume: float = 1.0,
        muted: bool = False,
        player: str | None = "aplay",
    ):
        self.out_dir = Path(out_dir) if out_dir else None
        self._volume = min(max(volume, 0.0), 1.0)
        self._muted = muted
        self._player = shutil.which(player) if player and out_dir is None else None
        if player and out_dir is None and self._player is None:
            log.warning(
                "no %s on this machine: replies are synthesised but not played (install alsa-utils)", player
            )
        self._pending: queue.Queue = queue.Queue(maxsize=1)
        self._lock = threading.Lock()
        self._playing: subprocess.Popen | None = None
        self._count = 0
        self._generation = 0  # bumped by silence(): replies said before it are never spoken
        self.spoken: list[SpokenReply] = []
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="speaker", daemon=True)
        self._thread.start()

    # --- controls, callable from any thread; none of them blocks on speech ---
    def say(self, text: str, lang: str) -> None:
        if not text.strip():
            return
        with self._lock:
            self._idle.clear()
            with contextlib.suppress(queue.Empty):
                self._pending.get_nowait()  # a reply nobody has heard yet is already stale
            item = (text, lang if lang in VOICES else "en", time.perf_counter(), self._generation)
            self._pending.put_nowait(item)
            self._stop_playback()

    def silence(self) -> None:
        """Stop the reply playing and never speak the ones said so far (the shopper left)."""
        with self._lock:
            self._generation += 1
            self._stop_playback()

    def mute(self, muted: bool = True) -> None:
        self._muted = muted
        if muted:
            with self._lock:
                self._stop_playback()

    @property
    def muted(self) -> bool:
        return self._muted

    def set_volume(self, volume: float) -> None:
        self._volume = min(max(float(volume), 0.0), 1.0)

    @property
    def volume(self) -> float:
        return self._volume

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once every reply said so far has been synthesised (and skipped or handed to the player)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        with self._lock:
            self._stop_playback()
            with contextlib.suppress(queue.Empty):
                self._pending.get_nowait()
        self._pending.put(None)
        self._thread.join(timeout=5)

    # --- worker ---
    def _stop_playback(self) -> None:
        if self._playing is not None and self._playing.poll() is None:
            self._playing.terminate()
        self._playing = None

    def _run(self) -> None:
        import pyttsx3  # inside the thread: the engine must live on the thread that drives it

        engine = pyttsx3.init("espeak")
        engine.setProperty("rate", RATE_WPM)
        tmp = Path(tempfile.mkdtemp(prefix="maraya-speech-"))
        while True:
            item = self._pending.get()
            if item is None:
                break
            text, lang, submitted, generation = item
            try:
                if not self._muted and generation == self._generation:
                    self._speak(engine, text, lang, submitted, generation, tmp)
            except Exception:  # a TTS failure must never take the kiosk down: captions still show the reply
                log.exception("speech failed")
            with self._lock:
                if self._pending.empty():
                    self._idle.set()
        shutil.rmtree(tmp, ignore_errors=True)

    def _speak(self, engine, text: str, lang: str, submitted: float, generation: int, tmp: Path) -> None:
        self._count += 1
        # kept files get their own names; a played one reuses one path (playback is always stopped first)
        path = self.out_dir / f"reply-{self._count:04d}-{lang}.wav" if self.out_dir else tmp / "reply.wav"
        engine.setProperty("voice", VOICES[lang])
        for _attempt in range(2):  # one retry: espeak under heavy load has been seen to drop an utterance
            path.unlink(missing_ok=True)
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            samples = _finished_wav(path)
            if samples is not None:
                break
        else:
            log.warning("speech synthesis gave no audio for a %s reply", lang)
            return
        _write_wav(path, samples * self._volume)
        ms = (time.perf_counter() - submitted) * 1000
        with self._lock:
            # a newer reply arrived, or silence() came, while this one was synthesised: drop it unheard
            if not self._pending.empty() or generation != self._generation or self._muted:
                return
            played = self._player is not None
            if played:
                self._playing = subprocess.Popen([self._player, "-q", str(path)])
        self.spoken.append(SpokenReply(text, lang, path, ms, played))
