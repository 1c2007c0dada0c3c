"""Train the LightGBM LambdaRank ranker, export it to ONNX, check parity, write the model card.

Why LightGBM LambdaRank: it optimises NDCG directly on graded relevance, handles the mix of
continuous colour features and unset-preference codes without scaling, and onnxmltools 1.16
converts a trained LGBMRanker to an ONNX TreeEnsembleRegressor (opset 15, ai.onnx.ml 1),
which onnxruntime scores in well under a millisecond per hundred candidates on one thread.
The ensemble is kept small (trees × leaves) because the kiosk scores on its CPU while the
camera pipeline runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from recommender.data import LABEL_GAIN, RankingData
from recommender.features import FEATURE_NAMES, N_FEATURES

TARGET_OPSET = 15
INPUT_NAME = "features"
META_FEATURES = "maraya.feature_names"
META_TRAINED_AT = "maraya.trained_at"
PARITY_TOLERANCE = 1e-4  # float32 tree thresholds vs LightGBM's float64: differences are ~1e-6
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL = MODELS_DIR / "recommender.onnx"
DEFAULT_CARD = MODELS_DIR / "recommender_card.json"


@dataclass(frozen=True)
class TrainParams:
    n_estimators: int = 80
    num_leaves: int = 15
    learning_rate: float = 0.12
    min_child_samples: int = 40
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    seed: int = 0


def train_ranker(data: RankingData, params: TrainParams = TrainParams(), progress: bool = False):
    import lightgbm as lgb
    from tqdm import tqdm

    model = lgb.LGBMRanker(
        objective="lambdarank",
        n_estimators=params.n_estimators,
        num_leaves=params.num_leaves,
        learning_rate=params.learning_rate,
        min_child_samples=params.min_child_samples,
        subsample=params.subsample,
        subsample_freq=1,
        colsample_bytree=params.colsample_bytree,
        label_gain=LABEL_GAIN,
        lambdarank_truncation_level=20,
        random_state=params.seed,
        n_jobs=1,
        verbose=-1,
    )
    bar = tqdm(total=params.n_estimators, desc="training LambdaRank", unit="tree", disable=not progress)

    def tick(_env) -> None:
        bar.update()

    model.fit(data.X, data.labels, group=data.groups, sample_weight=data.row_weights(), callbacks=[tick])
    bar.close()
    return model


def to_onnx_bytes(model, trained_at: str = "") -> bytes:
    """ONNX bytes carrying the feature schema and training time in their metadata, so a file
    published alone (backend `GET /api/v1/kiosk/model`: version, sha256, url) is self-describing."""
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType

    onx = convert_lightgbm(
        model, initial_types=[(INPUT_NAME, FloatTensorType([None, N_FEATURES]))], target_opset=TARGET_OPSET
    )
    for key, value in ((META_FEATURES, json.dumps(list(FEATURE_NAMES))), (META_TRAINED_AT, trained_at)):
        entry = onx.metadata_props.add()
        entry.key, entry.value = key, value
    return onx.SerializeToString()


def version_of(trained_at: str, digest: str) -> str:
    """'2026.11.22-cf9a822c': training date + sha256 prefix, derivable from the file alone."""
    return f"{trained_at[:10].replace('-', '.')}-{digest[:8]}"


def onnx_scorer(onnx_bytes: bytes, threads: int = 1):
    """rows -> scores through onnxruntime, for checks and evaluation of a freshly exported model."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(onnx_bytes, options, providers=["CPUExecutionProvider"])

    def score(X: np.ndarray) -> np.ndarray:
        return session.run(None, {INPUT_NAME: np.asarray(X, dtype=np.float32)})[0].ravel().astype(np.float64)

    return score


def parity(model, onnx_bytes: bytes, X: np.ndarray) -> float:
    """Largest |ONNX score − LightGBM score| on X; export fails if it exceeds the tolerance."""
    diff = float(np.max(np.abs(onnx_scorer(onnx_bytes)(X) - model.predict(X))))
    if diff > PARITY_TOLERANCE:
        raise RuntimeError(f"ONNX export differs from LightGBM by {diff:.2e} (> {PARITY_TOLERANCE})")
    return diff


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    """A kiosk may be loading models/ right now: it must see the old file or the new one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_model(
    model,
    data: RankingData,
    params: TrainParams,
    model_path: Path,
    card_path: Path,
    metrics_fn: Callable[[Callable[[np.ndarray], np.ndarray]], dict] | None = None,
) -> dict:
    """Export, parity-check, measure (metrics_fn gets the ONNX scorer) and only then write the
    ONNX file, its JSON card and its markdown card; returns the card."""
    trained_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    onnx_bytes = to_onnx_bytes(model, trained_at)
    rng = np.random.default_rng(1)
    sample = data.X[rng.choice(len(data.X), size=min(5000, len(data.X)), replace=False)]
    diff = parity(model, onnx_bytes, sample)
    digest = sha256_of(onnx_bytes)
    card = {
        "name": "maraya-recommender",
        "version": version_of(trained_at, digest),
        "trained_at": trained_at,
        "model_type": "LightGBM LGBMRanker (objective lambdarank) exported with onnxmltools "
        f"{version('onnxmltools')} to ONNX opset {TARGET_OPSET} (ai.onnx.ml TreeEnsembleRegressor)",
        "onnx_file": model_path.name,
        "sha256": digest,
        "size": len(onnx_bytes),
        "input_name": INPUT_NAME,
        "n_features": N_FEATURES,
        "feature_names": list(FEATURE_NAMES),
        "params": params.__dict__,
        "label_scale": "graded relevance 0..4 x 4 (0..16), gain 2^(label/4)-1",
        "data": data.summary,
        "training_rows": len(data.X),
        "training_queries": len(data.groups),
        "parity_max_abs_diff": diff,
        "libraries": {p: version(p) for p in ("lightgbm", "onnxmltools", "onnx", "onnxruntime")},
        "metrics": metrics_fn(onnx_scorer(onnx_bytes)) if metrics_fn else {},
    }
    model_path.parent.mkdir(parents=True, exist_ok=True)
    # card first: a kiosk loading between the two writes sees a sha mismatch and keeps its model
    _write_atomic(card_path, (json.dumps(card, indent=1, ensure_ascii=False) + "\n").encode())
    _write_atomic(card_path.with_suffix(".md"), card_markdown(card).encode())
    _write_atomic(model_path, onnx_bytes)
    return card


def card_markdown(card: dict) -> str:
    """The short human-readable card shipped next to the JSON one."""
    lines = [
        f"# Model card: {card['name']} {card['version']}",
        "",
        f"- Model: {card['model_type']}.",
        f"- File: `{card['onnx_file']}`, {card['size']:,} bytes, sha256 `{card['sha256']}`.",
        f"- Trained: {card['trained_at']} on {card['training_queries']:,} queries"
        f" / {card['training_rows']:,} rows;"
        f" ONNX vs LightGBM max |Δscore| {card['parity_max_abs_diff']:.1e}.",
        f"- Input: `{card['input_name']}` float32 (N, {card['n_features']});"
        " features (recommender/features.py):",
        f"  {', '.join(card['feature_names'])}.",
        "- Intended use: rank makeup shades and furniture colour variants for a shopper at a Maraya",
        "  kiosk from the estimated skin colour and stated preferences. Not for any decision about a person.",
        "",
        "## Data",
    ]
    for src in card["data"].get("sources", [card["data"]]):
        desc = ", ".join(f"{k}: {v}" for k, v in src.items() if k != "catalogues")
        cats = src.get("catalogues")
        lines.append(f"- {desc}" + (f"; {len(cats)} catalogues ({cats[0]} + synthetic)" if cats else ""))
    metrics = card.get("metrics") or {}
    if metrics:
        lines += ["", "## Metrics (held-out simulated shoppers, equal numbers per Monk Skin Tone)", ""]
        lines.append("| set | ranker | metric | overall | MST 1-3 | MST 4-7 | MST 8-10 | best-worst gap |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for set_name, by_ranker in metrics.get("ranking", {}).items():
            for ranker, r in by_ranker.items():
                for m in ("ndcg@5", "recall@10"):
                    cells = " | ".join(
                        f"{r[g][m]:.3f}" for g in ("overall", "MST 1-3", "MST 4-7", "MST 8-10", "gap")
                    )
                    lines.append(f"| {set_name} | {ranker} | {m} | {cells} |")
        far = metrics.get("foundation_far", {})
        if far:
            lines += [
                "",
                "Foundation: share of shoppers whose best of the top 5 is > ΔE2000 5 from their skin",
                "(model) and share for whom no in-stock shade is that close (catalogue gap):",
                "",
            ]
            for set_name, groups in far.items():
                cells = "; ".join(
                    f"{g} {v['model_far'] * 100:.0f}% (gap {v['catalogue_gap'] * 100:.0f}%)"
                    for g, v in groups.items()
                )
                lines.append(f"- {set_name}: {cells}")
    lines += [
        "",
        "## Limits",
        "- Trained on simulated shoppers (colour-science rules, see recommender/simulator.py) until a store",
        "  has interaction logs; the rules are a starting point, not ground truth about people.",
        "- Skin colour comes from a camera estimate; at low confidence the kiosk should ask to confirm.",
        "- A range with few deep shades cannot serve deep skin well: the catalogue-gap figures say so.",
        "",
    ]
    return "\n".join(lines)
