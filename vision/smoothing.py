"""One-Euro filter for landmark arrays (Casiez et al., CHI 2012).

Why One-Euro: on a still face the landmarks jitter by a pixel or two, which makes lipstick
edges shimmer; a plain low-pass that hides the jitter makes the makeup trail a turning head.
One-Euro lowers its cutoff when a point is slow (kills jitter) and raises it when it is fast
(kills lag). Speeds are measured in inter-ocular distances per second so the same tuning
works for a face near the camera and one across the aisle.
"""

from __future__ import annotations

import math

import numpy as np


def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 8.0, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t_ms: float | None = None

    def reset(self) -> None:
        self._x = self._dx = self._t_ms = None

    def __call__(self, x: np.ndarray, t_ms: float, scale: float) -> np.ndarray:
        """Filter points `x` (N×D) observed at `t_ms`; `scale` converts pixels to face units."""
        if self._x is None or self._t_ms is None or t_ms <= self._t_ms:
            self._x, self._dx, self._t_ms = x.copy(), np.zeros_like(x), t_ms
            return x.copy()
        dt = (t_ms - self._t_ms) / 1000.0
        dx = (x - self._x) / dt / max(scale, 1e-6)
        a_d = _alpha(self.d_cutoff_hz, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        speed = np.linalg.norm(self._dx, axis=-1, keepdims=True)
        cutoff = self.min_cutoff_hz + self.beta * speed
        a = _alpha(cutoff, dt)
        self._x = a * x + (1 - a) * self._x
        self._t_ms = t_ms
        return self._x.copy()
