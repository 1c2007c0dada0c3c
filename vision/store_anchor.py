"""The store's own white reference for skin tone, learned from its shoppers' eyes.

One shopper's eye whites are a white reference with a personal error: eye shape, lid shadow
and pigment put their level 0.27 (natural log, std) apart between people under one studio light
(the London portraits), about 7 L* of skin tone, enough to read a medium skin as fair. A
kiosk is fixed: its camera sees the same store under the same light all day, so the offset
between the eyes and the scene behind the shopper (`SkinToneEstimator.anchor`) is the
store's, plus each shopper's own error. Pooled over shoppers, those errors average out: with
the store's offset learned from the others, skin tone across the London portraits taken as
shoppers of one store is off by 2.4 L* (std; worst 5.2) instead of 6.9 (worst 16.2) from each
one's own eyes (`make eval`).

Privacy: the store keeps one running mean and a count, in memory, never a shopper's own value,
and learns only from shoppers who consented to the analysis (the estimator runs only then).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The mean follows about the last this many shoppers, so a store whose lights or shelves
# change is relearned within its next few dozen shoppers.
STORE_HORIZON = 20.0


@dataclass
class StoreAnchor:
    """The sclera-minus-surround offset (natural log, BGR) of one camera's store."""

    offset: np.ndarray | None = None
    shoppers: float = 0.0  # how many shoppers' eyes `offset` stands for (at most STORE_HORIZON)

    def learn(self, shopper_offset: np.ndarray) -> None:
        """Fold in one shopper's settled offset (their eyes' own, never one the store lent them)."""
        self.shoppers = min(self.shoppers + 1.0, STORE_HORIZON)
        new = np.asarray(shopper_offset, dtype=np.float64)
        self.offset = new.copy() if self.offset is None else self.offset + (new - self.offset) / self.shoppers
