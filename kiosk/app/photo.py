"""The photo a shopper takes home: the best painted frame of the last few seconds, not the last one.

The last rendered frame is whatever the camera caught at the moment of the tap, often mid-blink.
`PhotoKeeper` scores each painted frame cheaply as it goes out (eyes open from the tracker's
blendshapes, face frontal from its transformation matrix, face centred, sharpness of the face
crop) and keeps only the best candidate's image, never a buffer of frames. A candidate's score
fades with its age, so the photo is of the last few seconds and a newer frame as good wins.

A candidate belongs to one session, one look and one pick: a new look starts a new pick, so
the photo always wears the shopper's current look; `hold` freezes the pick (the summary screen
shows the photo that will be sent), and a retake starts a new pick that gathers for PICK_MS
before it holds again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from vision.face import FaceResult

EYES_CLOSED = 0.35  # eyeBlinkLeft/Right above this: a blink (open eyes read ~0.1-0.2 on the demo clip)
HALF_LIFE_MS = 2000.0  # a candidate's score halves every two seconds of age
PICK_MS = 2000.0  # a pick gathers at least this long before it may hold
SHARP_SIDE = 96  # the face crop is scored at this size: cheap, and the same for near and far faces
SHARP_HALF = 60.0  # Laplacian variance that scores 0.5 for sharpness


@dataclass(frozen=True)
class PickKey:
    """What a candidate must share with the frame on offer to compete with it."""

    session_id: str | None
    look: str  # the look (or furniture layout) the frame was painted with
    round: int  # bumped by every retake


@dataclass(frozen=True)
class Candidate:
    """The best frame so far: the painted image itself (the only copy kept), its score and when."""

    image: np.ndarray
    score: float
    at_ms: float


def face_score(image: np.ndarray, face: FaceResult) -> float:
    """0..1: eyes open × frontal × centred × sharp; 0 for a blink, whatever else."""
    blink = max(face.blendshapes.get("eyeBlinkLeft", 0.0), face.blendshapes.get("eyeBlinkRight", 0.0))
    if blink > EYES_CLOSED:
        return 0.0
    # The face's own forward axis against the camera's: 1 facing it, falling as the head turns.
    frontal = float(abs(face.transform[2, 2]))
    h, w = image.shape[:2]
    x0, y0, x1, y1 = face.bbox
    cx, cy = (x0 + x1) / 2 / w - 0.5, (y0 + y1) / 2 / h - 0.5
    centred = max(0.0, 1.0 - 2.0 * float(np.hypot(cx, cy)))
    crop = image[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    if crop.size == 0:
        return 0.0
    gray = cv2.cvtColor(
        cv2.resize(crop, (SHARP_SIDE, SHARP_SIDE), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY
    )
    variance = float(cv2.Laplacian(gray, cv2.CV_32F).var())
    sharp = variance / (variance + SHARP_HALF)
    return (1.0 - blink) * frontal * centred * sharp


class PhotoKeeper:
    """One candidate photo per session; everything about it goes when `clear` is called."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: PickKey | None = None
        self._best: Candidate | None = None
        self._started_ms = 0.0
        self._held = False

    def offer(self, key: PickKey, image: np.ndarray, score: float, at_ms: float, hold: bool) -> None:
        """A painted frame and its score (`face_score`; 1.0 where there is no face to judge, as
        in furniture mode, so the newest wins; 0.0 is never taken). `hold`: the shopper is
        looking at the photo now, so once the pick has gathered, it stops changing."""
        with self._lock:
            if key != self._key:
                self._key, self._best, self._started_ms, self._held = key, None, at_ms, False
            if not hold:
                self._held = False  # the shopper left the summary: the pick goes on
            elif self._held:
                return
            if hold and self._best is not None and at_ms - self._started_ms >= PICK_MS:
                self._held = True  # the summary shows this one, and this one is sent
                return
            if score <= 0.0:
                return
            best = self._best
            if best is None or score >= best.score * 0.5 ** ((at_ms - best.at_ms) / HALF_LIFE_MS):
                self._best = Candidate(image, score, at_ms)

    def best(self, session_id: str, held_round: int | None = None) -> np.ndarray | None:
        """The chosen image of `session_id`'s current pick; with `held_round`, only once that
        round's pick holds (a retake's request must not be answered with the last round's)."""
        with self._lock:
            if self._key is None or self._key.session_id != session_id or self._best is None:
                return None
            if held_round is not None and (self._key.round != held_round or not self._held):
                return None
            return self._best.image

    def clear(self) -> None:
        with self._lock:
            self._key, self._best, self._held = None, None, False
