"""The kiosk-side recommender: load the ONNX ranker, filter, score in one batch, diversify, explain.

Thread-safety: the loaded model is one immutable `LoadedModel`; `recommend` reads the
reference once, and `swap` builds and checks the new one completely before replacing the
reference under a lock, so a request never sees half a model and a bad download never
replaces a good model. onnxruntime's `InferenceSession.run` is itself safe to call from
several threads.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from catalogue import KIND_BY_ID, Catalogue
from recommender.features import (
    COL,
    FEATURE_NAMES,
    FEATURE_SCHEMA,
    N_FEATURES,
    ItemTable,
    Recommendation,
    ShopperProfile,
    build_features,
    candidates,
    check_finite,
)
from recommender.model import DEFAULT_MODEL, META_FEATURES, META_TRAINED_AT, sha256_of, version_of
from recommender.reasons import explain
from recommender.shade_match import SKIN_MATCH_KINDS, grade_of
from vision.color import delta_e2000

# MMR trade-off between score and novelty, by model kind (a new kind ranked as foundation is
# diversified like foundation); complexion shoppers want the closest shades even if they are
# near each other, colour shoppers want a spread.
_MMR_LAMBDA = {"foundation": 0.9, "concealer": 0.9}
_MMR_LAMBDA_DEFAULT = 0.7
_MMR_DE_SCALE = 6.0  # ΔE2000 at which two shades count as about 1/e "the same"


class ModelError(RuntimeError):
    """The model file or its card cannot be used; the message names the file."""


def card_path_for(model_path: Path) -> Path:
    return model_path.with_name(model_path.stem + "_card.json")


@dataclass(frozen=True)
class LoadedModel:
    path: Path
    card: dict
    session: object  # onnxruntime.InferenceSession
    input_name: str

    @property
    def version(self) -> str:
        return str(self.card["version"])

    @property
    def sha256(self) -> str:
        return str(self.card["sha256"])

    def score(self, rows: np.ndarray) -> np.ndarray:
        if rows.ndim != 2 or rows.shape[1] != N_FEATURES:
            raise ModelError(f"{self.path}: expected rows of {N_FEATURES} features, got shape {rows.shape}")
        out = self.session.run(None, {self.input_name: np.ascontiguousarray(rows, dtype=np.float32)})[0]
        return np.asarray(out, dtype=np.float64).ravel()


def _read_card(card_path: Path) -> dict:
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{card_path}: unusable model card: {exc}") from exc
    missing = {"sha256", "feature_names", "version"} - set(card if isinstance(card, dict) else ())
    if missing:
        raise ModelError(f"{card_path}: model card lacks {sorted(missing)}")
    return card


def load_model(
    model_path: Path, card_path: Path | None = None, expected_sha256: str | None = None, threads: int = 1
) -> LoadedModel:
    """Read, verify and load. The bytes must match the sha256 in the card and, when given, the
    one the backend published. A file published without its card is accepted only with the
    published sha256; its schema and version then come from the ONNX metadata."""
    import onnxruntime as ort

    model_path = Path(model_path)
    card_path = Path(card_path) if card_path else card_path_for(model_path)
    try:
        data = model_path.read_bytes()
    except OSError as exc:
        raise ModelError(f"{model_path}: cannot read model file: {exc}") from exc
    digest = sha256_of(data)
    card = _read_card(card_path) if card_path.exists() or expected_sha256 is None else None
    if card is not None and digest != card["sha256"]:
        raise ModelError(
            f"{model_path}: sha256 {digest[:12]}… does not match its card {card_path} "
            f"({card['sha256'][:12]}…)"
        )
    if expected_sha256 is not None and digest != expected_sha256:
        raise ModelError(f"{model_path}: sha256 {digest[:12]}… is not the published {expected_sha256[:12]}…")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own types for bad protobuf / IR / opset
        raise ModelError(f"{model_path}: onnxruntime cannot load it: {exc}") from exc
    if card is None:
        meta = session.get_modelmeta().custom_metadata_map
        try:
            names = json.loads(meta[META_FEATURES])
        except (KeyError, ValueError) as exc:
            raise ModelError(f"{model_path}: no card and no feature schema in its metadata") from exc
        trained_at = meta.get(META_TRAINED_AT, "")
        card = {"sha256": digest, "feature_names": names, "version": version_of(trained_at, digest),
                "trained_at": trained_at}  # fmt: skip
    if list(card["feature_names"]) != list(FEATURE_NAMES):
        raise ModelError(
            f"{model_path}: trained on a different feature schema ({len(card['feature_names'])} features) "
            f"than this software's (schema {FEATURE_SCHEMA}, {N_FEATURES} features); retrain or update the "
            "software"
        )
    inputs = session.get_inputs()
    width = inputs[0].shape[1] if len(inputs) == 1 and len(inputs[0].shape) == 2 else None
    if width != N_FEATURES:
        raise ModelError(
            f"{model_path}: model input is {[(i.name, i.shape) for i in inputs]}, "
            f"expected one (N, {N_FEATURES})"
        )
    loaded = LoadedModel(model_path, card, session, inputs[0].name)
    try:  # catch models that load but cannot run (e.g. an operator this runtime lacks)
        loaded.score(np.zeros((1, N_FEATURES), dtype=np.float32))
    except Exception as exc:
        raise ModelError(f"{model_path}: model loads but fails to score: {exc}") from exc
    return loaded


def _mmr(order: np.ndarray, scores: np.ndarray, lab: np.ndarray, top_n: int, lam: float) -> list[int]:
    """Greedy maximal-marginal-relevance pick over the best-scored pool."""
    pool = order[: max(top_n * 4, top_n)]
    s = scores[pool]
    spread = s.max() - s.min()
    rel = (s - s.min()) / spread if spread > 0 else np.ones_like(s)
    sim = np.exp(-delta_e2000(lab[pool][:, None, :], lab[pool][None, :, :]) / _MMR_DE_SCALE)
    chosen = [0]
    max_sim = sim[0].copy()
    while len(chosen) < min(top_n, len(pool)):
        mmr = lam * rel - (1 - lam) * max_sim
        mmr[chosen] = -np.inf
        nxt = int(np.argmax(mmr))
        chosen.append(nxt)
        max_sim = np.maximum(max_sim, sim[nxt])
    return [int(pool[i]) for i in chosen]


class Recommender:
    def __init__(
        self, model_path: Path = DEFAULT_MODEL, card_path: Path | None = None, threads: int = 1
    ) -> None:
        self._threads = threads
        self._lock = threading.Lock()
        self._model = load_model(model_path, card_path, threads=threads)
        self._tables: dict[tuple[int, str], tuple[Catalogue, ItemTable]] = {}

    @property
    def model(self) -> LoadedModel:
        return self._model

    @property
    def version(self) -> str:
        return self._model.version

    def swap(
        self, model_path: Path, card_path: Path | None = None, expected_sha256: str | None = None
    ) -> str:
        """Load and verify a new version, then switch to it; on any failure keep the current
        model and raise ModelError (the caller logs it and keeps serving)."""
        new = load_model(model_path, card_path, expected_sha256, threads=self._threads)
        with self._lock:
            self._model = new
        return new.version

    def _table(self, catalogue: Catalogue, kind: str) -> ItemTable:
        key = (id(catalogue), kind)
        with self._lock:
            hit = self._tables.get(key)
        if hit is not None and hit[0] is catalogue:
            return hit[1]
        table = ItemTable.build(candidates(catalogue, kind))
        with self._lock:
            if len(self._tables) > 64:  # catalogues are replaced on sync; forget old ones
                self._tables.clear()
            self._tables[key] = (catalogue, table)
        return table

    def score(self, rows: np.ndarray, skus: tuple[str, ...] = ()) -> np.ndarray:
        check_finite(rows, skus)
        return self._model.score(rows)

    def rank(
        self,
        profile: ShopperProfile,
        catalogue: Catalogue,
        kind: str,
        in_stock_only: bool = True,
        budget_sar: float | None = None,
    ) -> tuple[ItemTable, np.ndarray, np.ndarray]:
        """(filtered items, their feature rows, their scores) with no re-ranking."""
        table = self._table(catalogue, kind)
        budget = budget_sar if budget_sar is not None else profile.budget_sar
        keep = np.ones(len(table), dtype=bool)
        if in_stock_only:
            keep &= np.array([c.stock > 0 for c in table.items], dtype=bool)
        if budget is not None:
            keep &= table.price <= budget
        sub = table.subset(np.flatnonzero(keep))
        if len(sub) == 0:
            return sub, np.zeros((0, N_FEATURES), np.float32), np.zeros(0)
        rows = build_features(profile, sub)
        return sub, rows, self.score(rows, tuple(c.sku for c in sub.items))

    def recommend(
        self,
        profile: ShopperProfile,
        catalogue: Catalogue,
        kind: str,
        top_n: int = 5,
        in_stock_only: bool = True,
        budget_sar: float | None = None,
        diversify: bool = True,
    ) -> list[Recommendation]:
        sub, rows, scores = self.rank(profile, catalogue, kind, in_stock_only, budget_sar)
        if len(sub) == 0 or top_n <= 0:
            return []
        ranked_as = KIND_BY_ID[kind].model_kind  # the kind's per-kind rules are those of its model column
        order = np.argsort(-scores, kind="stable")
        lam = _MMR_LAMBDA.get(ranked_as, _MMR_LAMBDA_DEFAULT)
        picked = _mmr(order, scores, sub.lab, top_n, lam) if diversify else [int(i) for i in order[:top_n]]
        out = []
        for i in picked:
            item = sub.items[i]
            reason_en, reason_ar = explain(profile, ranked_as, rows[i], COL)
            delta_e = round(float(rows[i, COL["de2000"]]), 1)
            out.append(
                Recommendation(
                    sku=item.sku,
                    product_id=item.product.id,
                    kind=kind,
                    brand=item.product.brand,
                    product_name_en=item.product.name_en,
                    product_name_ar=item.product.name_ar,
                    shade_name_en=item.name_en,
                    shade_name_ar=item.name_ar,
                    hex=item.hex,
                    price_sar=item.product.price_sar,
                    score=round(float(scores[i]), 4),
                    reason_en=reason_en,
                    reason_ar=reason_ar,
                    delta_e=delta_e,
                    grade=grade_of(delta_e) if ranked_as in SKIN_MATCH_KINDS else None,
                )
            )
        return out
