"""Exponential backoff with full jitter (the delay is uniform in [0, min(cap, base·2^n)]).

Full jitter spreads a store's kiosks apart when the backend comes back after an outage,
instead of all of them retrying in lock-step; the random source is injectable so tests are
deterministic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    base_s: float = 0.5
    cap_s: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.base_s <= self.cap_s:
            raise ValueError(f"need 0 < base_s <= cap_s, got base_s={self.base_s}, cap_s={self.cap_s}")

    def ceiling(self) -> float:
        """The upper bound of the next delay."""
        # min() before the power would overflow to inf after ~1000 failures; clamp the exponent.
        return min(self.cap_s, self.base_s * 2 ** min(self.failures, 64))

    def failed(self) -> float:
        """Records a failure; returns how long to wait before the next attempt."""
        delay = self.rng.uniform(0.0, self.ceiling())
        self.failures += 1
        return delay

    def succeeded(self) -> None:
        self.failures = 0
