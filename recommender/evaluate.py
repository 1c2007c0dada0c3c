"""`python -m recommender.evaluate` (`make eval`): the shipped model against baselines, per skin-tone group.

Everything is measured in one run on held-out simulated shoppers spread evenly over Monk Skin
Tone 1..10 (seeds never used in training), on the demo catalogue and on synthetic catalogues
the model has not seen:

1. NDCG@5 and Recall@10 (good fit = grade ≥ 3) for the model and two baselines: popularity
   (items most often a good fit for this store's past shoppers) and nearest colour (smallest
   ΔE2000 between skin and shade). Queries with no good fit at all are left out of the means
   and counted.
2. The same per MST group (1–3, 4–7, 8–10) with the best–worst gap; for foundation, the share
   of shoppers whose best recommended shade (of the top 5) is more than ΔE2000 5 from their
   skin, next to the share for whom no in-stock shade is that close (the catalogue's gap,
   which no ranking can fix). Also on real brand ranges when ../shared/data/foundation-shades
   is present (read in place, skipped when absent).
3. Fairness by real brand range (when ../shared is present): every real foundation range of
   40+ shades as its own catalogue; per Monk group, the share of shoppers with no close match
   in the whole range (recommender.shade_match grades, against the true skin) and NDCG@5 of the
   model next to nearest colour.
4. Feedback loop: shoppers whose real taste is bolder and cooler than the bootstrap rules use
   the kiosk with the shipped model (position-biased, with an exploration slot); their logs
   go through LogSource (IPW) into a retrain; NDCG@5 on held-out shoppers of that taste
   before and after.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from catalogue import Catalogue, load_catalogue, parse_catalogue
from recommender.data import BootstrapSource, LogSource, RankingData, kind_tables
from recommender.features import COL
from recommender.metrics import ndcg_at, recall_at
from recommender.model import DEFAULT_MODEL, TrainParams, onnx_scorer, to_onnx_bytes, train_ranker
from recommender.shade_match import CLOSE_MAX_DE, grade_of
from recommender.simulator import (
    BOLDER_COOLER_TASTE,
    BOOTSTRAP_TASTE,
    QUERY_KINDS,
    QUERY_WEIGHTS,
    SimQuery,
    Taste,
    simulate_query,
    simulate_sessions,
    synthetic_catalogue,
)
from vision.color import delta_e2000, hex_to_lab, monk_skin_tone, undertone

MST_GROUPS = {"MST 1-3": range(1, 4), "MST 4-7": range(4, 8), "MST 8-10": range(8, 11)}
SHARED_SHADES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "foundation-shades" / "allShades.csv"
)
EVAL_SEED = 10_000  # training uses seeds below this
FEEDBACK_KINDS = ("lipstick", "lip_liner", "blush", "eyeshadow")
FAR_DE = 5.0


def group_of(mst: int) -> str:
    return next(name for name, r in MST_GROUPS.items() if mst in r)


@dataclass
class EvalSet:
    queries: list[SimQuery]
    popularity: dict[str, float]  # sku -> how many past shoppers found it a good fit

    @staticmethod
    def merge(sets: list[EvalSet]) -> EvalSet:
        return EvalSet(
            [q for s in sets for q in s.queries], {k: v for s in sets for k, v in s.popularity.items()}
        )


def eval_set(
    catalogue: Catalogue,
    per_mst: int,
    seed: int,
    taste: Taste = BOOTSTRAP_TASTE,
    kinds: tuple[str, ...] | None = None,
) -> EvalSet:
    """per_mst shoppers in each MST 1..10, kinds drawn by counter traffic; plus a separate
    'past shoppers' sample the popularity baseline learns from."""
    rng = np.random.default_rng(seed)
    tables = kind_tables(catalogue)
    names = [k for k in (kinds or QUERY_KINDS) if k in tables]
    p = np.array([QUERY_WEIGHTS[QUERY_KINDS.index(k)] for k in names])
    p = p / p.sum()
    queries = [
        simulate_query(rng, tables[str(kind)], str(kind), taste, mst)
        for mst in range(1, 11)
        for kind in rng.choice(names, size=per_mst, p=p)
    ]
    good: dict[str, float] = defaultdict(float)
    for kind in rng.choice(names, size=per_mst * 10, p=p):
        q = simulate_query(rng, tables[str(kind)], str(kind), taste)
        for item, g in zip(q.table.items, q.grades, strict=True):
            good[item.sku] += float(g >= 3)
    return EvalSet(queries, dict(good))


def rankers(score_rows, popularity: dict[str, float]) -> dict:
    """Each ranker maps a query to one score per item (higher = shown first)."""
    return {
        "model": lambda q: score_rows(q.rows),
        "popularity": lambda q: np.array([popularity.get(c.sku, 0.0) for c in q.table.items]),
        "nearest colour": lambda q: -q.rows[:, COL["de2000"]].astype(np.float64),
    }


def evaluate_queries(ev: EvalSet, score_fns: dict) -> dict:
    """{ranker: {"overall": {...}, "MST 1-3": {...}, ..., "gap": {...}}} of NDCG@5 / Recall@10."""
    out = {}
    for name, fn in score_fns.items():
        per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        skipped = 0
        for q in ev.queries:
            order = np.argsort(-fn(q), kind="stable")
            n5 = ndcg_at(q.grades[order], q.grades, 5)
            r10 = recall_at(q.grades[order], q.grades, 10)
            if n5 is None:
                skipped += 1
                continue
            for key in ("overall", group_of(q.profile.mst), f"kind:{q.kind}"):
                per[key]["ndcg@5"].append(n5)
                if r10 is not None:
                    per[key]["recall@10"].append(r10)
        res = {k: {m: float(np.mean(v)) for m, v in d.items()} for k, d in per.items()}
        res["gap"] = {
            m: max(res[g][m] for g in MST_GROUPS) - min(res[g][m] for g in MST_GROUPS)
            for m in ("ndcg@5", "recall@10")
        }
        res["queries"] = len(ev.queries) - skipped
        res["queries_without_good_fit"] = skipped
        out[name] = res
    return out


def foundation_far_share(
    score_rows, catalogue: Catalogue, per_mst: int, seed: int, top: int = 5, kind: str = "foundation"
) -> dict:
    """Per MST group: share whose best of the top recommendations is > ΔE 5 from the TRUE skin,
    and the share for whom the whole in-stock range has nothing within ΔE 5 (catalogue gap)."""
    rng = np.random.default_rng(seed)
    table = kind_tables(catalogue)[kind]
    far: dict[str, list[float]] = defaultdict(list)
    gap: dict[str, list[float]] = defaultdict(list)
    for mst in range(1, 11):
        for _ in range(per_mst):
            q = simulate_query(rng, table, kind, BOOTSTRAP_TASTE, mst)
            true_de = delta_e2000(np.array(q.true_lab), table.lab)
            order = np.argsort(-score_rows(q.rows), kind="stable")[:top]
            far[group_of(mst)].append(float(true_de[order].min() > FAR_DE))
            gap[group_of(mst)].append(float(true_de.min() > FAR_DE))
    return {
        g: {"model_far": float(np.mean(far[g])), "catalogue_gap": float(np.mean(gap[g]))} for g in MST_GROUPS
    }


def real_brand_catalogues(
    path: Path = SHARED_SHADES, n_products: int = 4, min_shades: int = 40
) -> list[Catalogue]:
    """The largest real foundation ranges (one per brand) as one-product catalogues."""
    by_product: dict[tuple[str, str], list[str]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_product[(row["brand"], row["product"])].append(row["hex"])
    chosen, brands = [], set()
    for (brand, product), hexes in sorted(by_product.items(), key=lambda kv: -len(kv[1])):
        if brand in brands or len(hexes) < min_shades:
            continue
        brands.add(brand)
        shades = []
        for i, hexv in enumerate(hexes):
            lab = hex_to_lab(hexv)
            shades.append({
                "sku": f"{brand[:6]}-{i}", "name_en": f"{i}", "name_ar": f"{i}", "hex": hexv,
                "finish": "natural",
                "undertone": undertone(lab), "depth": monk_skin_tone(lab), "stock": 1,
            })  # fmt: skip
        record = {"id": "fnd", "kind": "foundation", "brand": brand, "name_en": product, "name_ar": product,
                   "price_sar": 150, "aisle": "-", "tags": [], "shades": shades}  # fmt: skip
        chosen.append(
            parse_catalogue({"store_id": f"{brand} — {product}", "version": 1, "products": [record]})
        )
        if len(chosen) == n_products:
            break
    return chosen


def brand_fairness(score_rows, catalogue: Catalogue, per_mst: int, seed: int) -> dict:
    """One real range as the whole catalogue: per MST 1..10 the share of shoppers whose closest
    shade is not a close match, and per MST group NDCG@5 of the model and of nearest colour
    (None where no shopper of the group has a good fit at all)."""
    rng = np.random.default_rng(seed)
    table = kind_tables(catalogue)["foundation"]
    no_close: dict[int, list[float]] = defaultdict(list)
    ndcg: dict[str, dict[str, list[float]]] = {
        "model": defaultdict(list),
        "nearest colour": defaultdict(list),
    }
    for mst in range(1, 11):
        for _ in range(per_mst):
            q = simulate_query(rng, table, "foundation", BOOTSTRAP_TASTE, mst)
            best = float(delta_e2000(np.array(q.true_lab), table.lab).min())
            no_close[mst].append(float(grade_of(round(best, 1)) != "close"))
            for name, scores in (
                ("model", score_rows(q.rows)),
                ("nearest colour", -q.rows[:, COL["de2000"]]),
            ):
                n5 = ndcg_at(q.grades[np.argsort(-scores, kind="stable")], q.grades, 5)
                if n5 is not None:
                    ndcg[name][group_of(mst)].append(n5)
    return {
        "no_close_match": {mst: float(np.mean(v)) for mst, v in no_close.items()},
        "ndcg@5": {
            name: {g: float(np.mean(per[g])) if per[g] else None for g in MST_GROUPS}
            for name, per in ndcg.items()
        },
    }


def _print_brand_fairness(rows: dict) -> None:
    def cell(v):
        return f"{v:>6.3f}" if v is not None else f"{'—':>6}"

    print(f"  {'':<34}{'% of shoppers with no close match':<40} | NDCG@5 model / nearest colour")
    head = "".join(f"{m:>4}" for m in range(1, 11))
    print(f"  {'range (shades)':<34}{head} |" + "".join(f"{g:>15}" for g in MST_GROUPS))
    worse = 0
    for label, r in rows.items():
        share = "".join(f"{r['no_close_match'][m] * 100:>4.0f}" for m in range(1, 11))
        nd = ""
        for g in MST_GROUPS:
            model, near = r["ndcg@5"]["model"][g], r["ndcg@5"]["nearest colour"][g]
            worse += model is not None and near is not None and model < near
            nd += f"  {cell(model)}/{cell(near)}"
        print(f"  {label[:34]:<34}{share} |{nd}")
    print(
        f"  (group cells where the model ranks below nearest colour: {worse}"
        f" of {len(rows) * len(MST_GROUPS)})"
    )


def feedback_loop(score_rows, sizes: dict, seed: int, progress: bool = False) -> dict:
    """Logs from shoppers of a different taste → IPW LogSource → retrain → NDCG before/after."""
    demo = load_catalogue()
    tables = kind_tables(demo)
    rng = np.random.default_rng(seed)

    events = simulate_sessions(
        rng, demo, tables, FEEDBACK_KINDS, score_rows, BOLDER_COOLER_TASTE, sizes["feedback_sessions"]
    )
    logs = LogSource(events, demo, weight=sizes["log_weight"]).build()
    boot = BootstrapSource(
        [
            demo,
            *[synthetic_catalogue(np.random.default_rng(s), f"fb{s}") for s in range(sizes["catalogues"])],
        ],
        sizes["queries_per_catalogue"],
        seed=seed + 1,
        progress=progress,
    ).build()
    retrained = train_ranker(RankingData.concat([boot, logs]), TrainParams(), progress=progress)
    new_rows = onnx_scorer(to_onnx_bytes(retrained))

    def new_fn(q: SimQuery) -> np.ndarray:
        return new_rows(q.rows)

    out = {
        "log_events": len(events),
        "log_sessions": sizes["feedback_sessions"],
        "log_queries": len(logs.groups),
    }
    for label, taste in (
        ("new-taste shoppers", BOLDER_COOLER_TASTE),
        ("bootstrap-taste shoppers", BOOTSTRAP_TASTE),
    ):
        ev = eval_set(demo, sizes["per_mst"], seed + 2, taste, FEEDBACK_KINDS)
        res = evaluate_queries(
            ev, {"bootstrap model": lambda q: score_rows(q.rows), "retrained on logs": new_fn}
        )
        out[label] = {k: v["overall"]["ndcg@5"] for k, v in res.items()}
    return out


def _print_table(title: str, res: dict) -> None:
    print(f"\n{title}")
    cols = ["overall", *MST_GROUPS, "gap"]
    print(f"  {'ranker':<16}{'metric':<11}" + "".join(f"{c:>10}" for c in cols))
    for name, r in res.items():
        for m in ("ndcg@5", "recall@10"):
            print(f"  {name:<16}{m:<11}" + "".join(f"{r[c][m]:>10.3f}" for c in cols))
    first = next(iter(res.values()))
    print(
        f"  queries: {first['queries']} scored, "
        f"{first['queries_without_good_fit']} with no good fit (left out)"
    )


def _print_kinds(res: dict) -> None:
    kinds = sorted({k[5:] for r in res.values() for k in r if str(k).startswith("kind:")})
    print("  NDCG@5 by kind:  " + "  ".join(f"{k[:11]:>11}" for k in kinds))
    for name, r in res.items():
        cells = "  ".join(f"{r.get('kind:' + k, {}).get('ndcg@5', float('nan')):>11.3f}" for k in kinds)
        print(f"  {name:<16} {cells}")


def _print_far(title: str, far: dict) -> None:
    cells = "  ".join(
        f"{g}: model {v['model_far'] * 100:5.1f}% | catalogue gap {v['catalogue_gap'] * 100:5.1f}%"
        for g, v in far.items()
    )
    print(f"  {title:<46}{cells}")


SIZES = {
    "full": dict(per_mst=60, catalogues=6, far_per_mst=40, real_per_mst=25, feedback_sessions=6000,
                 queries_per_catalogue=600, log_weight=3.0),
    "quick": dict(per_mst=8, catalogues=2, far_per_mst=6, real_per_mst=4, feedback_sessions=1500,
                  queries_per_catalogue=150, log_weight=3.0),
}  # fmt: skip


def run(model_path: Path, card_path: Path | None, size: str = "full", seed: int = EVAL_SEED) -> dict:
    from recommender.runtime import load_model

    sizes = SIZES[size]
    model = load_model(model_path, card_path)

    results: dict = {"model_version": model.version}
    start = time.perf_counter()
    print(f"model {model.version} ({model_path})")
    demo = load_catalogue()
    unseen = [
        synthetic_catalogue(np.random.default_rng(seed + 100 + i), f"unseen{i}")
        for i in range(sizes["catalogues"])
    ]
    for label, cats in (("demo catalogue", [demo]), (f"{len(unseen)} unseen synthetic catalogues", unseen)):
        ev = EvalSet.merge(
            [eval_set(c, max(1, sizes["per_mst"] // len(cats)), seed + 7 * i) for i, c in enumerate(cats)]
        )
        res = evaluate_queries(ev, rankers(model.score, ev.popularity))
        _print_table(f"== {label}: NDCG@5 / Recall@10, held-out shoppers over MST 1-10 ==", res)
        _print_kinds(res)
        results[label] = res

    print(f"\n== foundation: share of shoppers whose best of top 5 is > ΔE2000 {FAR_DE:g} from their skin ==")
    results["foundation_far"] = {}
    for label, cat in (("demo catalogue", demo), *((f"unseen synthetic {c.store_id}", c) for c in unseen)):
        far = foundation_far_share(model.score, cat, sizes["far_per_mst"], seed + 3)
        results["foundation_far"][label] = far
        _print_far(label, far)
    if SHARED_SHADES.exists():
        real = real_brand_catalogues()
        swatch_c = np.median([np.hypot(*s.lab[1:]) for c in real for s in c.products[0].shades])
        print(
            f"  real ranges: swatch hexes are uncalibrated product photos (median chroma {swatch_c:.0f},"
            " simulated skin 11-25), so their absolute ΔE is pessimistic; compare groups within a range"
        )
        for cat in real:
            far = foundation_far_share(model.score, cat, sizes["real_per_mst"], seed + 4)
            n = len(cat.products[0].shades)
            results["foundation_far"][f"real: {cat.store_id} ({n} shades)"] = far
            _print_far(f"{cat.store_id[:36]} ({n})", far)
        print(
            "\n== fairness by real brand range (each its own catalogue;"
            f" close = ΔE2000 ≤ {CLOSE_MAX_DE:g}) =="
        )
        fair = {}
        for cat in real_brand_catalogues(n_products=1000):
            n = len(cat.products[0].shades)
            fair[f"{cat.store_id} ({n})"] = brand_fairness(model.score, cat, sizes["real_per_mst"], seed + 6)
        results["brand_fairness"] = fair
        _print_brand_fairness(fair)
    else:
        print(f"  (real brand ranges skipped: {SHARED_SHADES} not present)")

    print("\n== feedback loop: shoppers who like bolder, cooler colour than the bootstrap rules ==")
    fb = feedback_loop(model.score, sizes, seed + 5)
    results["feedback"] = fb
    print(
        f"  logs: {fb['log_sessions']} sessions, {fb['log_events']} events "
        f"-> {fb['log_queries']} pooled queries"
    )
    for label in ("new-taste shoppers", "bootstrap-taste shoppers"):
        v = fb[label]
        print(
            f"  NDCG@5 on {label:<26} bootstrap {v['bootstrap model']:.3f} "
            f"-> retrained {v['retrained on logs']:.3f}"
        )
    print(f"\n(eval took {time.perf_counter() - start:.0f} s)")
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--card", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="small sizes (tests, smoke runs)")


def run_args(args: argparse.Namespace) -> int:
    run(args.model, args.card, "quick" if args.quick else "full")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recommender.evaluate", description=__doc__.split("\n")[0]
    )
    add_arguments(parser)
    return run_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
