"""Small helpers every benchmark uses to time a stage and print p50/p95."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np


def time_ms(fn: Callable[[], object], repeat: int, warmup: int = 3) -> np.ndarray:
    for _ in range(warmup):
        fn()
    out = np.empty(repeat)
    for i in range(repeat):
        start = time.perf_counter()
        fn()
        out[i] = (time.perf_counter() - start) * 1000
    return out


def p50_p95(samples_ms) -> tuple[float, float]:
    arr = np.asarray(samples_ms, dtype=float)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 95))


def report(label: str, samples_ms, baseline_ms=None) -> str:
    """One aligned line: label, p50, p95, and the p50 ratio to a baseline if given."""
    p50, p95 = p50_p95(samples_ms)
    line = f"{label:<44} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms"
    if baseline_ms is not None:
        line += f"   ×{p50 / p50_p95(baseline_ms)[0]:.2f} of baseline"
    print(line, flush=True)
    return line
