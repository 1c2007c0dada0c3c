"""Token buckets that answer 429 + Retry-After: one bucket per kiosk on the kiosk API and one per
client address on the public routes (the handoff pages), so that one leaked token or one
guessing script cannot flood the database.

The buckets live in the process (on `app.state`, built by the composition root). With several
app workers each keeps its own, so the effective limit is the per-worker figure times the
number of workers; that is deliberate (no shared store on the hot path) and documented in API.md.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from kiosk.backend.deps import KioskDep


@dataclass(frozen=True)
class Rate:
    per_s: float  # refill, requests per second
    burst: int  # bucket size: how many may come at once after a quiet spell


class RateLimited(HTTPException):
    def __init__(self, retry_after_s: float) -> None:
        seconds = max(1, math.ceil(retry_after_s))
        super().__init__(
            429, f"too many requests; retry in {seconds} s", headers={"Retry-After": str(seconds)}
        )


class Buckets:
    """Thread-safe token buckets keyed by any string. At most `max_keys` are remembered (least
    recently used go first), so a flood of distinct keys cannot grow memory without bound;
    a forgotten key starts again with a full bucket, which only ever errs towards allowing."""

    def __init__(self, rate: Rate, max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic):
        if rate.per_s <= 0 or rate.burst < 1:
            raise ValueError("a rate needs per_s > 0 and burst >= 1")
        self.rate = rate
        self.max_keys = max_keys
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def take(self, key: str) -> float:
        """Takes one token: 0.0 if allowed, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(key, (float(self.rate.burst), now))
            tokens = min(float(self.rate.burst), tokens + (now - at) * self.rate.per_s)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate.per_s
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait


@dataclass(frozen=True)
class Limiters:
    kiosk: Buckets
    public: Buckets


def _limiters(request: Request) -> Limiters:
    return request.app.state.limiters


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def throttle_kiosk(request: Request, kiosk: KioskDep) -> None:
    """A dependency of every kiosk route: after the token is checked (FastAPI resolves the kiosk
    once per request and shares it with the route), one token from that kiosk's bucket. Async
    because it never blocks: a plain `def` dependency would cost every request a thread hop."""
    wait = _limiters(request).kiosk.take(f"kiosk:{kiosk.id}")
    if wait:
        raise RateLimited(wait)


async def throttle_address(request: Request) -> None:
    """A dependency of the public routes: one token from the caller's address bucket."""
    wait = _limiters(request).public.take(client_address(request))
    if wait:
        raise RateLimited(wait)


KioskThrottle = Annotated[None, Depends(throttle_kiosk)]
AddressThrottle = Annotated[None, Depends(throttle_address)]
RATE_LIMITED = {429: {"description": "rate limited; retry after the Retry-After header's seconds"}}
