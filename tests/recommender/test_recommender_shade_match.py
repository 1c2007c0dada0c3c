"""Honest complexion matches: ΔE2000 grades, the demo range against every Monk swatch, sold-out
nearest shades, and the derivation of the demo range from the real brand ranges."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from catalogue import DEMO_CATALOGUE, Catalogue
from recommender.features import ShopperProfile
from recommender.runtime import Recommender
from recommender.shade_match import (
    CLOSE_MAX_DE,
    NEAR_MAX_DE,
    grade_of,
    match_skin,
    reference_skin,
)
from vision.color import MST_SWATCHES, delta_e2000, hex_to_lab, undertone

ROOT = Path(__file__).resolve().parents[2]
SHARED_SHADES = ROOT.parent / "shared" / "data" / "foundation-shades" / "allShades.csv"


@pytest.fixture(scope="module")
def recommender():
    return Recommender()


def test_grades_follow_the_documented_thresholds():
    assert grade_of(0.0) == "close"
    assert grade_of(CLOSE_MAX_DE) == "close"
    assert grade_of(CLOSE_MAX_DE + 0.1) == "near"
    assert grade_of(NEAR_MAX_DE) == "near"
    assert grade_of(NEAR_MAX_DE + 0.1) == "none"


@pytest.mark.parametrize("mst", range(1, 11))
def test_demo_top_foundation_is_within_de6_of_every_monk_swatch(recommender, demo, mst):
    profile = ShopperProfile.from_skin_text(MST_SWATCHES[mst - 1])
    top = recommender.recommend(profile, demo, "foundation", top_n=1)[0]
    de = float(delta_e2000(np.array(profile.skin_lab), hex_to_lab(top.hex)))
    assert de < 6.0, f"MST {mst}: top foundation {top.sku} is ΔE2000 {de:.1f} away"
    assert top.delta_e == pytest.approx(de, abs=0.06)
    assert top.grade == grade_of(top.delta_e)


def test_demo_foundation_range_spans_light_to_deep_with_undertones(demo):
    shades = [s for p in demo.by_kind("foundation") for s in p.shades]
    skus = {s.sku for s in shades}
    assert len(skus) >= 40
    lightness = [s.lab[0] for s in shades]
    assert max(lightness) > 90 and min(lightness) < 20  # the real ranges' extremes
    assert {s.undertone for s in shades} == {"warm", "neutral", "cool"}
    assert all(s.undertone == undertone(np.array(s.lab)) for s in shades)


def test_colour_kinds_carry_distance_but_no_match_grade(recommender, demo):
    profile = ShopperProfile.from_skin_text("#825c43")
    lip = recommender.recommend(profile, demo, "lipstick", top_n=2)
    assert lip and all(r.grade is None and r.delta_e > 0 for r in lip)


def _deep_removed(demo: Catalogue, below_l: float) -> Catalogue:
    products = tuple(
        replace(p, shades=tuple(s for s in p.shades if s.lab[0] >= below_l))
        if p.kind in ("foundation", "concealer")
        else p
        for p in demo.products
    )
    return replace(demo, products=products)


def test_poor_match_is_graded_none_and_explained_as_nearest(recommender, demo):
    shallow = _deep_removed(demo, 45.0)
    profile = ShopperProfile.from_skin_text(MST_SWATCHES[9])
    recs = recommender.recommend(profile, shallow, "foundation", top_n=3)
    assert recs and all(r.grade == "none" for r in recs)
    assert "not a match" in recs[0].reason_en and "ليست مطابقة" in recs[0].reason_ar
    assert match_skin(profile.skin_lab, shallow, "foundation").grade == "none"


def test_sold_out_nearest_shade_is_named_with_the_next_best(demo):
    profile = ShopperProfile.from_skin_text(MST_SWATCHES[7])
    before = match_skin(profile.skin_lab, demo, "foundation")
    assert before.nearest_out_of_stock is None
    gone = before.best.sku
    products = tuple(
        replace(p, shades=tuple(replace(s, stock=0) if s.sku == gone else s for s in p.shades))
        for p in demo.products
    )
    after = match_skin(profile.skin_lab, replace(demo, products=products), "foundation")
    assert after.nearest_out_of_stock.sku == gone and not after.nearest_out_of_stock.in_stock
    assert after.best.sku != gone and after.best.delta_e >= before.best.delta_e


def test_reference_skin_keeps_swatch_depth_and_lands_in_its_undertone():
    for mst in (2, 6, 9):
        for tone in ("warm", "neutral", "cool"):
            lab = reference_skin(mst, tone)
            assert lab[0] == pytest.approx(hex_to_lab(MST_SWATCHES[mst - 1])[0])
            assert undertone(np.array(lab)) == tone
    with pytest.raises(ValueError, match="MST 11"):
        reference_skin(11, "warm")


@pytest.mark.slow
def test_demo_ranges_are_derived_from_the_real_ranges(require_shared):
    """The checked-in ranges are exactly what the derivation script makes of ../shared."""
    shades_csv = require_shared(SHARED_SHADES)
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import derive_shade_range
    finally:
        sys.path.remove(str(ROOT / "tools"))
    derived = derive_shade_range.derive(shades_csv, DEMO_CATALOGUE)
    assert derived == json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    real = set(derive_shade_range.read_real_shades(shades_csv))
    ranged = [p for p in derived["products"] if p["id"] in derive_shade_range.RANGES]
    assert all(s["hex"] in real for p in ranged for s in p["shades"])
