"""The model's kind columns are a frozen, versioned schema, and a kiosk whose model cannot be used
says so instead of quietly losing its recommendations (issue 14's trap: a new kind grew
FEATURE_NAMES, the shipped model no longer matched, and the kiosk's loader swallowed the error).

That a kind added in catalogue/kinds.py is ranked by the shipped model, and that one naming no
column stops the import, is shown in tests/test_kinds_one_place.py.
"""

from __future__ import annotations

import functools
import json
import logging

from fastapi.testclient import TestClient

import kiosk.app.runtime as kiosk_runtime
from catalogue import KINDS
from kiosk.app.runtime import KioskRuntime, load_advisor
from kiosk.app.server import create_app
from kiosk.app.settings import DEMO_CLIP, KioskSettings
from recommender.features import FEATURE_NAMES, FEATURE_SCHEMA, MODEL_KINDS
from recommender.model import DEFAULT_CARD


def test_the_kind_columns_are_the_shipped_models_and_every_kind_has_one():
    shipped = json.loads(DEFAULT_CARD.read_text(encoding="utf-8"))["feature_names"]
    assert list(FEATURE_NAMES) == shipped
    assert [n for n in shipped if n.startswith("kind_")] == [f"kind_{k}" for k in MODEL_KINDS]
    assert FEATURE_SCHEMA == 1
    assert {k.model_kind for k in KINDS} <= set(MODEL_KINDS)


def _grown_schema(shipped_copy):
    """The trap itself: a model whose card lists one kind column more than this software's."""
    model, card = shipped_copy
    data = json.loads(card.read_text(encoding="utf-8"))
    data["feature_names"].insert(data["feature_names"].index("kind_furniture"), "kind_lip_gloss")
    card.write_text(json.dumps(data), encoding="utf-8")
    return model


def test_an_unusable_model_is_an_error_with_its_reason(shipped_copy, demo, caplog):
    model = _grown_schema(shipped_copy)
    with caplog.at_level(logging.ERROR, logger="kiosk.app.runtime"):
        advisor, problem = load_advisor(lambda: demo, model)
    assert advisor is None
    assert "no recommendations" in problem and "different feature schema" in problem and model.name in problem
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [problem]


def test_the_shipped_model_gives_an_advisor_and_no_problem(demo):
    advisor, problem = load_advisor(lambda: demo)
    assert advisor is not None and problem is None


def test_a_kiosk_without_its_model_says_so_in_healthz(shipped_copy, tmp_path, monkeypatch):
    model = _grown_schema(shipped_copy)
    monkeypatch.setattr(kiosk_runtime, "load_advisor", functools.partial(load_advisor, model_path=model))
    runtime = KioskRuntime(KioskSettings(source=str(DEMO_CLIP), data_dir=tmp_path / "data", speech=False))
    assert runtime.advisor is None
    client = TestClient(create_app(runtime), base_url=f"http://127.0.0.1:{runtime.settings.ui_port}")
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["status"] == "broken"
    assert "different feature schema" in answer.json()["broken"]["recommender"]
    # and the heartbeat carries it to the staff dashboard
    assert "different feature schema" in runtime._heartbeat_info().last_error
