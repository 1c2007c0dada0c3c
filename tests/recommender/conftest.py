"""Shared fixtures: a tiny ranker trained here (seconds) so tests do not depend on a retrain of
the shipped model, and the shipped model itself where the product behaviour is under test."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from catalogue import load_catalogue
from recommender.data import BootstrapSource
from recommender.model import DEFAULT_CARD, DEFAULT_MODEL, TrainParams, train_ranker, write_model
from recommender.simulator import synthetic_catalogue


@pytest.fixture(scope="session")
def demo():
    return load_catalogue()


@pytest.fixture(scope="session")
def tiny_data(demo):
    cats = [demo, synthetic_catalogue(np.random.default_rng(5), "t5")]
    return BootstrapSource(cats, 120, seed=3).build()


@pytest.fixture(scope="session")
def tiny_model(tiny_data, tmp_path_factory):
    """(native LightGBM model, onnx path, card path) of a 30-tree ranker."""
    out = tmp_path_factory.mktemp("tiny")
    params = TrainParams(n_estimators=30, seed=1)
    native = train_ranker(tiny_data, params)
    write_model(native, tiny_data, params, out / "tiny.onnx", out / "tiny_card.json")
    return native, out / "tiny.onnx", out / "tiny_card.json"


@pytest.fixture()
def shipped_copy(tmp_path) -> tuple[Path, Path]:
    """A private copy of the shipped model + card that a test may damage."""
    model, card = tmp_path / "recommender.onnx", tmp_path / "recommender_card.json"
    shutil.copy(DEFAULT_MODEL, model)
    shutil.copy(DEFAULT_CARD, card)
    return model, card
