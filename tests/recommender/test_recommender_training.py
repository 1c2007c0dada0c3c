import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recommender.data import LABEL_STEPS, LogSource
from recommender.model import PARITY_TOLERANCE, onnx_scorer, sha256_of
from recommender.runtime import load_model

ROOT = Path(__file__).resolve().parents[2]


def test_onnx_scores_match_lightgbm(tiny_model, tiny_data):
    native, path, card = tiny_model
    onnx_scores = onnx_scorer(path.read_bytes())(tiny_data.X)
    assert np.max(np.abs(onnx_scores - native.predict(tiny_data.X))) < PARITY_TOLERANCE
    loaded = load_model(path, card)
    assert loaded.sha256 == sha256_of(path.read_bytes())
    assert np.allclose(
        loaded.score(tiny_data.X[:50]), native.predict(tiny_data.X[:50]), atol=PARITY_TOLERANCE
    )


def _session(sid: str, shown: list[str], tried: dict[str, int], skin=True) -> list[dict]:
    events = [{"session_id": sid, "seq": 0, "kind": "session_started", "data": {"mode": "makeup"}}]
    if skin:
        events.append(
            {"session_id": sid, "seq": 1, "kind": "skin_tone", "data": {"mst": 6, "undertone": "warm"}}
        )
    seq = 2
    for pos, sku in enumerate(shown, start=1):
        data = {"product_id": "lip-sahra-velvet", "shade_sku": sku, "position": pos, "model_version": "v"}
        events.append({"session_id": sid, "seq": seq, "kind": "recommendation_shown", "data": data})
        seq += 1
        if sku in tried:
            kind = {1: "product_tried", 2: "recommendation_accepted", 3: "added_to_basket"}[tried[sku]]
            events.append({"session_id": sid, "seq": seq, "kind": kind, "data": data})
            seq += 1
    return events


def test_log_source_corrects_position_bias(demo):
    """Two equally liked shades: A always shown first and tried by half the shoppers, B always
    shown fourth and tried by 1/8 (the (1/4)^1 examination propensity). IPW makes them equal;
    C, shown second and never tried, stays at zero."""
    events = []
    for i in range(16):
        tried = {}
        if i % 2 == 0:
            tried["SAH-LIP-01"] = 1
        if i % 8 == 0:
            tried["SAH-LIP-02"] = 1
        events += _session(f"s{i}", ["SAH-LIP-01", "SAH-LIP-03", "SAH-LIP-05", "SAH-LIP-02"], tried)
    events += _session("anon", ["SAH-LIP-01"], {"SAH-LIP-01": 3}, skin=False)
    data = LogSource(events, demo, eta=1.0).build()
    assert data.groups.tolist() == [4] and data.kinds == ["lipstick"] and data.mst.tolist() == [6]
    assert data.summary["sessions_without_skin_tone"] == 1
    labels = dict(
        zip(["SAH-LIP-01", "SAH-LIP-03", "SAH-LIP-05", "SAH-LIP-02"], data.labels.tolist(), strict=True)
    )
    assert labels["SAH-LIP-01"] == labels["SAH-LIP-02"] == round(0.5 * LABEL_STEPS)
    assert labels["SAH-LIP-03"] == 0


def test_log_source_without_usable_sessions_says_why(demo):
    with pytest.raises(ValueError, match="without an opted-in skin_tone"):
        LogSource(_session("a", ["SAH-LIP-01"], {}, skin=False), demo).build()


def test_train_cli_writes_a_loadable_model_and_card(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "recommender.train", "--quick", "--synthetic", "1", "--queries", "60",
         "--trees", "15", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    card = json.loads((tmp_path / "recommender_card.json").read_text())
    assert card["sha256"] == sha256_of((tmp_path / "recommender.onnx").read_bytes())
    assert set(card["metrics"]["ranking"]["demo catalogue"]["model"]) >= {
        "overall",
        "MST 1-3",
        "MST 8-10",
        "gap",
    }
    assert "Model card" in (tmp_path / "recommender_card.md").read_text()
    assert "training LambdaRank" in proc.stderr  # the progress bar
    load_model(tmp_path / "recommender.onnx")
