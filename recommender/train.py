"""`python -m recommender.train` (`kiosk recommender train`): train, export and ship the ranker.

Sources: the bootstrap simulator on the store's catalogue plus synthetic catalogues (so that
the model generalises to ranges it has not seen), and, when given, kiosk interaction logs
exported from the backend (JSON: a list of events or {"events": [...]}, see API.md).
Writes <out>/recommender.onnx, recommender_card.json and recommender_card.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from catalogue import DEMO_CATALOGUE, load_catalogue
from recommender.data import BootstrapSource, LogSource, RankingData
from recommender.model import MODELS_DIR, TrainParams, train_ranker, write_model
from recommender.simulator import synthetic_catalogue


def read_events(path: Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"cannot read logs {path}: {exc}") from exc
    events = data["events"] if isinstance(data, dict) else data
    if not isinstance(events, list):
        raise SystemExit(f"{path}: expected a list of events or {{'events': [...]}}")
    return events


def card_metrics(score_rows, quick: bool) -> dict:
    """Held-out figures for the card (a smaller run of recommender.evaluate's measurements)."""
    from recommender.evaluate import (
        EVAL_SEED,
        EvalSet,
        eval_set,
        evaluate_queries,
        foundation_far_share,
        rankers,
    )

    per_mst = 4 if quick else 30
    demo = load_catalogue()
    unseen = [synthetic_catalogue(np.random.default_rng(EVAL_SEED + 100 + i), f"unseen{i}") for i in range(3)]
    ranking = {}
    for label, cats in (("demo catalogue", [demo]), ("unseen synthetic catalogues", unseen)):
        ev = EvalSet.merge(
            [eval_set(c, max(1, per_mst // len(cats)), EVAL_SEED + 7 * i) for i, c in enumerate(cats)]
        )
        ranking[label] = evaluate_queries(ev, rankers(score_rows, ev.popularity))
    far = {"demo catalogue": foundation_far_share(score_rows, demo, per_mst, EVAL_SEED + 3)}
    return {"ranking": ranking, "foundation_far": far}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalogue", type=Path, default=DEMO_CATALOGUE, help="the store's catalogue JSON")
    parser.add_argument(
        "--synthetic", type=int, default=40, help="synthetic catalogues to add (generalisation)"
    )
    parser.add_argument("--queries", type=int, default=500, help="simulated shoppers per catalogue")
    parser.add_argument("--logs", type=Path, action="append", default=[], help="backend event export (JSON)")
    parser.add_argument(
        "--log-weight", type=float, default=3.0, help="weight of a log query vs a simulated one"
    )
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="folder for the model and its card")
    parser.add_argument("--trees", type=int, default=TrainParams.n_estimators)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="tiny run for tests")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m recommender.train", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue(args.catalogue)
    synthetic = [
        synthetic_catalogue(np.random.default_rng(args.seed * 1000 + i), f"syn{i}")
        for i in range(args.synthetic)
    ]
    parts = [BootstrapSource([catalogue, *synthetic], args.queries, seed=args.seed, progress=True).build()]
    for path in args.logs:
        parts.append(LogSource(read_events(path), catalogue, weight=args.log_weight).build())
    data = RankingData.concat(parts)
    print(f"training on {len(data.groups):,} queries, {len(data.X):,} rows", flush=True)
    params = TrainParams(n_estimators=args.trees, seed=args.seed)
    model = train_ranker(data, params, progress=True)
    model_path = args.out / "recommender.onnx"
    card_path = args.out / "recommender_card.json"
    print("exporting; measuring held-out metrics for the model card...", flush=True)
    card = write_model(
        model, data, params, model_path, card_path, lambda score: card_metrics(score, args.quick)
    )
    overall = card["metrics"]["ranking"]["unseen synthetic catalogues"]["model"]["overall"]
    print(
        f"wrote {model_path} (version {card['version']}, sha256 {card['sha256'][:12]}…); "
        f"unseen catalogues NDCG@5 {overall['ndcg@5']:.3f}, Recall@10 {overall['recall@10']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
