"""Training data for the ranker from two sources behind one interface (`RankingSource.build`).

(a) `BootstrapSource`: simulated shoppers (recommender.simulator) on the store's catalogue and
    on synthetic catalogues, so a new store starts with a sensible model.
(b) `LogSource`: real kiosk sessions exported from the backend (events as in
    kiosk/backend/API.md). A shown item's graded relevance is the strongest thing the shopper
    did with it: tried 1, accepted 2, added to basket 3, basket + handoff 4. Shoppers look at
    the top of the list more, so a raw click rate under-rates low positions; each outcome is
    divided by the examination propensity of its position, (1/position)^eta (inverse
    propensity weighting), and outcomes are pooled per (MST, undertone, kind) query: that is
    all a session event says about the shopper, so sessions sharing it have identical model
    inputs and pooling loses nothing while averaging out noise. Sessions without an opted-in
    `skin_tone` event cannot be featurised and are counted, not used.

Labels are integers on a 0..16 scale (grade × 4) so that debiased mean grades keep resolution;
`LABEL_GAIN` gives LambdaRank the usual 2^grade − 1 gain on that scale.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from tqdm import tqdm

from catalogue import Catalogue
from recommender.features import N_FEATURES, ItemTable, ShopperProfile, build_features, candidates
from recommender.simulator import (
    BOOTSTRAP_TASTE,
    EXAMINE_ETA,
    QUERY_KINDS,
    QUERY_WEIGHTS,
    Taste,
    simulate_query,
    skin_from_bucket,
)

LABEL_STEPS = 4  # label = round(grade * LABEL_STEPS)
MAX_LABEL = 4 * LABEL_STEPS
LABEL_GAIN = [float(2 ** (lab / LABEL_STEPS) - 1) for lab in range(MAX_LABEL + 1)]
_OUTCOME_GRADE = {"product_tried": 1, "recommendation_accepted": 2, "added_to_basket": 3}


@dataclass
class RankingData:
    """Rows grouped into queries (one shopper × one kind), with labels and per-query weights."""

    X: np.ndarray  # (rows, N_FEATURES) float32
    labels: np.ndarray  # (rows,) int on 0..MAX_LABEL
    groups: np.ndarray  # (queries,) rows per query, in order
    weights: np.ndarray  # (queries,) weight of each query
    mst: np.ndarray  # (queries,) shopper's Monk Skin Tone
    kinds: list[str] = field(default_factory=list)  # (queries,)
    summary: dict = field(default_factory=dict)  # what went in, for the model card

    def __post_init__(self) -> None:
        assert self.X.shape == (self.labels.size, N_FEATURES) and self.groups.sum() == self.labels.size

    @staticmethod
    def concat(parts: list[RankingData]) -> RankingData:
        return RankingData(
            np.concatenate([p.X for p in parts]),
            np.concatenate([p.labels for p in parts]),
            np.concatenate([p.groups for p in parts]),
            np.concatenate([p.weights for p in parts]),
            np.concatenate([p.mst for p in parts]),
            [k for p in parts for k in p.kinds],
            {"sources": [p.summary for p in parts]},
        )

    def row_weights(self) -> np.ndarray:
        return np.repeat(self.weights, self.groups)


class RankingSource(Protocol):
    def build(self) -> RankingData: ...


def kind_tables(catalogue: Catalogue, in_stock_only: bool = True) -> dict[str, ItemTable]:
    """One ItemTable per kind that has at least two candidates to rank."""
    out = {}
    for kind in QUERY_KINDS:
        items = [c for c in candidates(catalogue, kind) if c.stock > 0 or not in_stock_only]
        if len(items) >= 2:
            out[kind] = ItemTable.build(items)
    return out


@dataclass
class BootstrapSource:
    catalogues: list[Catalogue]
    queries_per_catalogue: int
    seed: int = 0
    taste: Taste = BOOTSTRAP_TASTE
    weight: float = 1.0
    progress: bool = False

    def build(self) -> RankingData:
        rng = np.random.default_rng(self.seed)
        X, y, groups, mst, kinds = [], [], [], [], []
        total = len(self.catalogues) * self.queries_per_catalogue
        bar = tqdm(total=total, desc="simulating shoppers", unit="q", disable=not self.progress)
        for catalogue in self.catalogues:
            tables = kind_tables(catalogue)
            names = [k for k in QUERY_KINDS if k in tables]
            p = np.array([QUERY_WEIGHTS[QUERY_KINDS.index(k)] for k in names])
            for kind in rng.choice(names, size=self.queries_per_catalogue, p=p / p.sum()):
                q = simulate_query(rng, tables[kind], str(kind), self.taste)
                X.append(q.rows)
                y.append(q.grades * LABEL_STEPS)
                groups.append(len(q.grades))
                mst.append(q.profile.mst)
                kinds.append(str(kind))
                bar.update()
        bar.close()
        return RankingData(
            np.concatenate(X),
            np.concatenate(y).astype(np.int64),
            np.array(groups),
            np.full(len(groups), self.weight),
            np.array(mst),
            kinds,
            {
                "source": "bootstrap simulator",
                "catalogues": [c.store_id for c in self.catalogues],
                "queries": len(groups),
                "rows": int(sum(groups)),
                "taste": self.taste.__dict__,
                "seed": self.seed,
            },
        )


@dataclass
class LogSource:
    """Backend event export for one store's catalogue (events of any order, any sessions)."""

    events: list[dict]
    catalogue: Catalogue
    eta: float = EXAMINE_ETA
    min_impressions: int = 3  # an item shown fewer times in a query has too noisy an estimate
    weight: float = 1.0

    def build(self) -> RankingData:
        sessions: dict[str, list[dict]] = defaultdict(list)
        for event in self.events:
            sessions[event["session_id"]].append(event)
        skus = {
            c.sku: c
            for kind in {p.kind for p in self.catalogue.products}
            for c in candidates(self.catalogue, kind)
        }
        # (mst, undertone, kind) -> sku -> [impressions, sum of grade / propensity]
        pooled: dict[tuple, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
        skipped_no_skin = skipped_unknown = 0
        for evs in sessions.values():
            evs.sort(key=lambda e: e["seq"])
            skin = next((e["data"] for e in evs if e["kind"] == "skin_tone"), None)
            if skin is None:
                skipped_no_skin += 1
                continue
            grade: dict[str, int] = defaultdict(int)
            position: dict[str, int] = {}
            handoff = any(e["kind"] == "handoff" for e in evs)
            for e in evs:
                sku = e["data"].get("shade_sku")
                if e["kind"] == "recommendation_shown":
                    position.setdefault(sku, int(e["data"]["position"]))
                elif e["kind"] in _OUTCOME_GRADE:
                    g = _OUTCOME_GRADE[e["kind"]] + (1 if handoff and e["kind"] == "added_to_basket" else 0)
                    grade[sku] = max(grade[sku], g)
            for sku, pos in position.items():
                if sku not in skus:
                    skipped_unknown += 1
                    continue
                key = (int(skin["mst"]), str(skin["undertone"]), skus[sku].product.kind)
                cell = pooled[key][sku]
                cell[0] += 1
                cell[1] += grade[sku] / (1.0 / pos) ** self.eta
        X, y, groups, mst, kinds = [], [], [], [], []
        for (m, tone, kind), cells in sorted(pooled.items()):
            kept = [(sku, n, s) for sku, (n, s) in cells.items() if n >= self.min_impressions]
            if len(kept) < 2:
                continue
            table = ItemTable.build([skus[sku] for sku, _, _ in kept])
            profile = ShopperProfile(skin_lab=skin_from_bucket(m, tone), confidence=0.5)
            debiased = np.clip(np.array([s / n for _, n, s in kept]), 0.0, 4.0)
            X.append(build_features(profile, table))
            y.append(np.rint(debiased * LABEL_STEPS).astype(np.int64))
            groups.append(len(kept))
            mst.append(m)
            kinds.append(kind)
        if not groups:
            raise ValueError(
                f"no usable queries in {len(self.events)} events ({len(sessions)} sessions, "
                f"{skipped_no_skin} without an opted-in skin_tone event)"
            )
        return RankingData(
            np.concatenate(X),
            np.concatenate(y),
            np.array(groups),
            np.full(len(groups), self.weight),
            np.array(mst),
            kinds,
            {
                "source": f"kiosk interaction logs (IPW, eta={self.eta:.2f})",
                "store": self.catalogue.store_id,
                "events": len(self.events),
                "sessions": len(sessions),
                "sessions_without_skin_tone": skipped_no_skin,
                "impressions_unknown_sku": skipped_unknown,
                "queries": len(groups),
                "rows": int(sum(groups)),
            },
        )
