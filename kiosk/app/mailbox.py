"""A one-slot hand-off between two threads: the newest item only, never a queue.

The pipeline's stages pass frames through one of these. A queue would let latency build up
behind a slow stage (every frame waiting for the ones before it); a single slot cannot hold
more than one frame, so whatever the receiver takes is the newest the sender made.
"""

from __future__ import annotations

import threading
import time
from typing import Generic, TypeVar

T = TypeVar("T")


class Mailbox(Generic[T]):
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self.taken_s = 0.0  # time.perf_counter() when the receiver last took an item

    def put(self, item: T) -> None:
        """Leave `item` for the receiver; an item it has not taken yet is replaced (newest wins)."""
        with self._cond:
            self._item = item
            self._cond.notify_all()

    def take(self, timeout: float) -> T | None:
        """The item left there, emptying the slot; None if none came within `timeout` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None, timeout=timeout)
            item, self._item = self._item, None
            if item is not None:
                self.taken_s = time.perf_counter()
                self._cond.notify_all()
            return item

    def wait_empty(self, timeout: float) -> bool:
        """Whether the receiver took the last item within `timeout` seconds (the sender's back-pressure)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._item is None, timeout=timeout)
