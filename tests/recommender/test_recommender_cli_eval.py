import json
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.evaluate import run
from recommender.model import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[2]


def _kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_kiosk_recommend_prints_json():
    args = [
        "--skin",
        "#8d5a3b",
        "--category",
        "lipstick",
        "--prefs",
        "intensity=bold,budget=120",
        "--top",
        "3",
    ]
    proc = _kiosk("recommend", *args)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["items"]) == 3 and out["model_version"]
    first = out["items"][0]
    assert {"sku", "shade_name_en", "shade_name_ar", "hex", "score", "reason_en", "reason_ar"} <= set(first)
    scores = [i["score"] for i in out["items"]]
    assert scores[0] == max(scores)


def test_kiosk_recommend_rejects_bad_input_clearly():
    proc = _kiosk("recommend", "--skin", "not-a-colour", "--category", "lipstick")
    assert proc.returncode == 2 and "skin must be" in proc.stderr
    proc = _kiosk("recommend", "--skin", "50,10,15", "--category", "lipstick", "--prefs", "colour=red")
    assert proc.returncode == 2 and "unknown preference" in proc.stderr


@pytest.mark.slow
def test_eval_model_beats_baselines_and_loop_learns(capsys):
    res = run(DEFAULT_MODEL, None, "quick")
    for label in ("demo catalogue", "2 unseen synthetic catalogues"):
        r = res[label]
        for baseline in ("popularity", "nearest colour"):
            assert r["model"]["overall"]["ndcg@5"] > r[baseline]["overall"]["ndcg@5"]
        assert set(r["model"]) >= {"MST 1-3", "MST 4-7", "MST 8-10", "gap"}
    fb = res["feedback"]["new-taste shoppers"]
    assert fb["retrained on logs"] > fb["bootstrap model"]
    assert "catalogue gap" in capsys.readouterr().out
