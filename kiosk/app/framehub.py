"""Hands encoded frames from the pipeline thread to the UI's WebSocket senders, newest only.

There is one slot, not a queue: a page that reads slowly skips frames and always sees the
latest one, and the pipeline never waits for a socket. Each message is a 16-byte header
(`<IId`: sequence number, flags, capture time in monotonic ms) followed by the JPEG bytes, so
the page and the tests can tell frames apart and measure latency without a second channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

HEADER = struct.Struct("<IId")
FLAG_ANALYSED = 1  # the face tracker ran on this frame
FLAG_LOOK = 2  # a makeup look was painted


@dataclass(frozen=True)
class Packet:
    seq: int
    capture_ms: float
    data: bytes  # header + JPEG


def pack(seq: int, flags: int, capture_ms: float, jpeg: bytes) -> bytes:
    return HEADER.pack(seq & 0xFFFFFFFF, flags, capture_ms) + jpeg


def unpack(message: bytes) -> tuple[int, int, float, bytes]:
    seq, flags, capture_ms = HEADER.unpack_from(message)
    return seq, flags, capture_ms, message[HEADER.size :]


class FrameHub:
    def __init__(self, stats_window: int = 3000) -> None:
        self._lock = threading.Lock()
        self._latest: Packet | None = None
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        # (monotonic ms sent, capture→socket latency ms) for every frame handed to a socket.
        self._sent: deque[tuple[float, float]] = deque(maxlen=stats_window)

    def publish(self, packet: Packet) -> None:
        """Called from the pipeline thread; never blocks on a client."""
        with self._lock:
            self._latest = packet
            waiters = list(self._waiters)
        for loop, event in waiters:
            # RuntimeError: that client's loop has closed; it unregisters itself.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    @property
    def latest(self) -> Packet | None:
        return self._latest

    async def frames(self, stop: asyncio.Event):
        """Async iterator of the newest packet each time one arrives after the last yielded."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        key = (loop, event)
        with self._lock:
            self._waiters.add(key)
        last_seq = -1
        try:
            while not stop.is_set():
                await event.wait()
                event.clear()
                packet = self._latest
                if packet is not None and packet.seq != last_seq:
                    last_seq = packet.seq
                    yield packet
        finally:
            with self._lock:
                self._waiters.discard(key)

    def mark_sent(self, packet: Packet) -> None:
        now = time.monotonic() * 1000
        self._sent.append((now, now - packet.capture_ms))

    def latencies(self, window_s: float) -> np.ndarray:
        """Capture → socket latency (ms) of every frame sent in the last `window_s` seconds."""
        now = time.monotonic() * 1000
        return np.array([lat for sent, lat in list(self._sent) if now - sent <= window_s * 1000])

    def stats(self, window_s: float = 5.0) -> dict:
        """Frames per second handed to sockets over the last `window_s`, and latency p50/p95."""
        lat = self.latencies(window_s)
        if not lat.size:
            return {"fps": 0.0, "latency_p50_ms": None, "latency_p95_ms": None, "frames": 0}
        return {
            "fps": round(lat.size / window_s, 1),
            "latency_p50_ms": round(float(np.percentile(lat, 50)), 1),
            "latency_p95_ms": round(float(np.percentile(lat, 95)), 1),
            "frames": int(lat.size),
        }
