import json
import threading

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from recommender.features import COL, FeatureError, ShopperProfile
from recommender.model import sha256_of
from recommender.runtime import ModelError, Recommender, load_model
from vision.color import delta_e2000, hex_to_lab

DEEP = ShopperProfile(skin_lab=(33.0, 12.0, 16.0))
MEDIUM = ShopperProfile(skin_lab=(57.0, 14.0, 21.0))


@pytest.fixture(scope="module")
def rec():
    return Recommender()


def _recard(model_path, card_path, data: bytes) -> None:
    """Write model bytes and make the card's sha256 agree, so only the content is at fault."""
    model_path.write_bytes(data)
    card = json.loads(card_path.read_text())
    card["sha256"] = sha256_of(data)
    card_path.write_text(json.dumps(card))


def test_foundation_for_each_depth_is_close_to_the_skin(rec, demo):
    for profile in (MEDIUM, DEEP):
        items = rec.recommend(profile, demo, "foundation", top_n=5)
        assert len(items) == 5
        best = min(float(delta_e2000(np.array(profile.skin_lab), hex_to_lab(r.hex))) for r in items)
        assert best < 5.0
        assert all(r.reason_en and r.reason_ar for r in items)


def test_filters_stock_budget_and_diversifies(rec, demo):
    out_of_stock = {s.sku for p in demo.products for s in p.shades if s.stock == 0}
    bold = MEDIUM.with_prefs({"intensity": "bold", "budget": "90"})
    items = rec.recommend(bold, demo, "lipstick", top_n=5)
    assert items and not {r.sku for r in items} & out_of_stock
    assert all(r.price_sar <= 90 for r in items)
    assert any("budget" in r.reason_en for r in items) and any("ميزانيتك" in r.reason_ar for r in items)
    labs = np.array([hex_to_lab(r.hex) for r in rec.recommend(MEDIUM, demo, "lipstick", top_n=5)])
    pairwise = delta_e2000(labs[:, None, :], labs[None, :, :])[np.triu_indices(len(labs), 1)]
    assert pairwise.min() > 3.0  # no two near-identical shades in the five


def test_empty_candidates_give_an_empty_list(rec, demo):
    assert rec.recommend(MEDIUM, demo, "lipstick", budget_sar=1.0) == []
    assert rec.recommend(MEDIUM, demo, "lipstick", top_n=0) == []
    no_lips = type(demo)(
        demo.store_id, demo.currency, demo.version, tuple(p for p in demo.products if p.kind != "lipstick")
    )
    assert rec.recommend(MEDIUM, no_lips, "lipstick") == []


def test_nan_in_features_is_an_error_not_a_ranking(rec, demo):
    _, rows, _ = rec.rank(MEDIUM, demo, "blush")
    rows[0, COL["skin_L"]] = np.nan
    with pytest.raises(FeatureError, match="skin_L"):
        rec.score(rows)


def test_corrupt_file_names_the_file(shipped_copy):
    model, card = shipped_copy
    _recard(model, card, b"\x08\x07not an onnx model at all")
    with pytest.raises(ModelError, match=str(model.name)):
        load_model(model, card)


def test_sha_mismatch_is_refused(shipped_copy):
    model, card = shipped_copy
    good = model.read_bytes()
    model.write_bytes(good + b"\0")
    with pytest.raises(ModelError, match="does not match its card"):
        load_model(model, card)
    model.write_bytes(good)
    with pytest.raises(ModelError, match="published"):
        load_model(model, card, expected_sha256="0" * 64)


def _sum_model(width: int, ir: int = 8, opset: int = 11) -> bytes:
    """A valid ONNX graph summing its input row (IR 8 so this onnxruntime can load it)."""
    x = helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, width])
    y = helper.make_tensor_value_info("score", TensorProto.FLOAT, [None, 1])
    node = helper.make_node("ReduceSum", ["features"], ["score"], axes=[1], keepdims=1)
    m = helper.make_model(
        helper.make_graph([node], "g", [x], [y]), opset_imports=[helper.make_opsetid("", opset)]
    )
    m.ir_version = ir
    return m.SerializeToString()


def test_wrong_input_width_is_refused(shipped_copy):
    model, card = shipped_copy
    _recard(model, card, _sum_model(10))
    with pytest.raises(ModelError, match=rf"{model.name}.*expected one \(N, "):
        load_model(model, card)


@pytest.mark.parametrize("ir, opset", [(onnx.IR_VERSION + 50, 11), (8, 99)], ids=["ir", "opset"])
def test_unsupported_ir_or_opset_is_refused(shipped_copy, ir, opset):
    model, card = shipped_copy
    _recard(model, card, _sum_model(10, ir=ir, opset=opset))
    with pytest.raises(ModelError, match=f"{model.name}: onnxruntime cannot load it"):
        load_model(model, card)


def test_swap_verifies_and_falls_back(tiny_model, shipped_copy, demo):
    _, tiny_path, tiny_card = tiny_model
    rec = Recommender(*shipped_copy)
    shipped_version = rec.version
    broken = tiny_path.with_name("broken.onnx")
    broken.write_bytes(tiny_path.read_bytes()[:100])
    with pytest.raises(ModelError):
        rec.swap(broken, tiny_card)
    assert rec.version == shipped_version and rec.recommend(MEDIUM, demo, "blush")
    new_version = rec.swap(tiny_path, tiny_card, expected_sha256=sha256_of(tiny_path.read_bytes()))
    assert rec.version == new_version != shipped_version


def test_recommend_is_thread_safe_during_swaps(tiny_model, shipped_copy, demo):
    _, tiny_path, tiny_card = tiny_model
    rec = Recommender(*shipped_copy)
    errors: list[BaseException] = []
    stop = threading.Event()

    def shopper() -> None:
        try:
            while not stop.is_set():
                assert len(rec.recommend(DEEP, demo, "foundation", top_n=3)) == 3
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=shopper) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(10):
        rec.swap(*((tiny_path, tiny_card) if i % 2 else shipped_copy))
    stop.set()
    for t in threads:
        t.join()
    assert not errors


def test_a_published_file_without_its_card_loads_only_with_the_published_sha(tiny_model, tmp_path, demo):
    _, tiny_path, tiny_card = tiny_model
    alone = tmp_path / "pulled.onnx"
    alone.write_bytes(tiny_path.read_bytes())
    with pytest.raises(ModelError, match=r"pulled_card\.json"):
        load_model(alone)
    digest = sha256_of(alone.read_bytes())
    loaded = load_model(alone, expected_sha256=digest)
    assert loaded.version == json.loads(tiny_card.read_text())["version"]
    rec = Recommender()
    assert rec.swap(alone, expected_sha256=digest) == loaded.version
    assert rec.recommend(MEDIUM, demo, "foundation")
