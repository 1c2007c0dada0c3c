"""Recommender scoring latency: onnxruntime (as the kiosk runs it) vs the same model in LightGBM.

The native model is the same ranker re-trained in this run from the same small bootstrap
data and parameters as a parity-checked export, so both sides score the same trees; the
shipped ONNX file is timed too. Also the whole `recommend()` call (filter, features, score,
diversity, reasons) on the demo catalogue.
"""

from __future__ import annotations

import os
import time

import numpy as np

from bench.stats import report, time_ms


def cpu_ms(fn, repeat: int, warmup: int = 3) -> np.ndarray:
    """Per-call CPU time of this thread: what the call costs when nothing preempts it (with one
    intra-op thread onnxruntime computes on the calling thread)."""
    for _ in range(warmup):
        fn()
    out = np.empty(repeat)
    for i in range(repeat):
        start = time.thread_time()
        fn()
        out[i] = (time.thread_time() - start) * 1000
    return out


def main() -> None:
    from catalogue import load_catalogue
    from recommender.data import BootstrapSource
    from recommender.features import ShopperProfile
    from recommender.model import TrainParams, onnx_scorer, parity, to_onnx_bytes, train_ranker
    from recommender.runtime import Recommender
    from recommender.simulator import synthetic_catalogue

    demo = load_catalogue()
    cats = [demo, *(synthetic_catalogue(np.random.default_rng(i), f"bench{i}") for i in range(4))]
    data = BootstrapSource(cats, 300, seed=7).build()
    native = train_ranker(data, TrainParams())
    onnx_bytes = to_onnx_bytes(native)
    diff = parity(native, onnx_bytes, data.X[:2000])
    trees = TrainParams().n_estimators
    print(f"same ranker ({trees} trees), ONNX vs LightGBM max |Δscore| {diff:.1e}; one thread each")
    # p95 on a shared machine is mostly other processes' preemption: print the load it ran under
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    ort_score = onnx_scorer(onnx_bytes, threads=1)  # one thread, like LightGBM's n_jobs=1 here
    rec = Recommender()  # shipped model, 1 intra-op thread as on the kiosk
    rng = np.random.default_rng(0)
    for n in (50, 500, 5000):
        X = data.X[rng.choice(len(data.X), size=n, replace=False)]
        repeat = 300 if n < 5000 else 60
        base = time_ms(lambda X=X: native.predict(X), repeat)
        report(f"{n:>5} candidates  LightGBM native predict", base)
        report(
            f"{n:>5} candidates  onnxruntime (same trees)",
            time_ms(lambda X=X: ort_score(X), repeat),
            base,
        )
        report(
            f"{n:>5} candidates  onnxruntime (shipped model)", time_ms(lambda X=X: rec.score(X), repeat), base
        )
        report(f"{n:>5} candidates  shipped model, CPU time only", cpu_ms(lambda X=X: rec.score(X), repeat))
    profile = ShopperProfile.from_skin_text("#8d5a3b").with_prefs({"intensity": "bold", "budget": "150"})
    for kind in ("foundation", "lipstick"):
        rec.recommend(profile, demo, kind)  # builds and caches the catalogue's item table
        report(
            f"recommend() {kind} on demo catalogue, top 5",
            time_ms(lambda k=kind: rec.recommend(profile, demo, k), 200),
        )


if __name__ == "__main__":
    main()
