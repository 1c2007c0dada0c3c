import numpy as np
import pytest

from recommender.features import (
    COL,
    N_FEATURES,
    FeatureError,
    ItemTable,
    ShopperProfile,
    build_features,
    candidates,
    check_finite,
)
from vision.color import delta_e2000, hex_to_lab


def test_skin_text_accepts_hex_and_lab_and_rejects_junk():
    hexed = ShopperProfile.from_skin_text("#8d5a3b")
    assert np.allclose(hexed.skin_lab, hex_to_lab("#8d5a3b"))
    lab = ShopperProfile.from_skin_text("55.0, 14, 20")
    assert lab.skin_lab == (55.0, 14.0, 20.0) and 1 <= lab.mst <= 10
    for bad in ("#12345", "red", "1,2", "nan,1,2", "150,0,0"):
        with pytest.raises(FeatureError):
            ShopperProfile.from_skin_text(bad)


def test_prefs_are_validated_with_a_clear_message():
    p = ShopperProfile.from_skin_text("#c68e6a").with_prefs(
        {"finish": "Matte", "budget": "120", "undertone": "cool"}
    )
    assert (p.finish, p.budget_sar, p.undertone) == ("matte", 120.0, "cool")
    with pytest.raises(FeatureError, match="unknown preference"):
        p.with_prefs({"colour": "red"})
    with pytest.raises(FeatureError, match="finish"):
        p.with_prefs({"finish": "velvet"})
    with pytest.raises(FeatureError, match="budget"):
        p.with_prefs({"budget": "-5"})


def test_pair_features_come_from_shared_colour_science(demo):
    table = ItemTable.build(candidates(demo, "foundation"))
    profile = ShopperProfile(skin_lab=(60.0, 13.0, 22.0), budget_sar=150.0, finish="dewy")
    rows = build_features(profile, table)
    assert rows.shape == (len(table), N_FEATURES) and rows.dtype == np.float32
    expected = delta_e2000(np.array(profile.skin_lab), table.lab)
    assert np.allclose(rows[:, COL["de2000"]], expected, atol=1e-3)
    assert np.allclose(rows[:, COL["contrast_L"]], 60.0 - table.lab[:, 0], atol=1e-3)
    prices = np.array([c.product.price_sar for c in table.items])
    assert np.array_equal(rows[:, COL["within_budget"]] == 1, prices <= 150)
    dewy = np.array([c.finish == "dewy" for c in table.items])
    assert np.array_equal(rows[:, COL["finish_match"]] == 1, dewy)
    # no column identifies an item: two catalogues with the same shade give the same row
    same = [
        i
        for i, c in enumerate(table.items)
        if c.hex == table.items[0].hex and c.finish == table.items[0].finish
    ]
    assert len(same) >= 1


def test_nan_features_are_refused(demo):
    table = ItemTable.build(candidates(demo, "lipstick"))
    rows = build_features(ShopperProfile(skin_lab=(50.0, 12.0, 18.0)), table)
    rows[3, COL["de2000"]] = np.nan
    with pytest.raises(FeatureError, match=r"de2000.*SAH-LIP-04"):
        check_finite(rows, tuple(c.sku for c in table.items))
