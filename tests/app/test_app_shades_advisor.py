"""The kiosk's shade advisor passes the match grade of every complexion recommendation to the
screen, and names a closer shade that is sold out next to the in-stock one shown instead."""

from __future__ import annotations

from dataclasses import replace

import pytest

from catalogue import load_catalogue
from kiosk.app.runtime import ShadeAdvisor
from recommender.runtime import Recommender
from recommender.shade_match import match_skin
from vision.color import MST_SWATCHES, hex_to_lab
from vision.skin import SkinTone


@pytest.fixture(scope="module")
def recommender():
    return Recommender()


def tone_of(hex_value: str, mst: int) -> SkinTone:
    lab = tuple(float(v) for v in hex_to_lab(hex_value))
    return SkinTone(lab=lab, ita=0.0, ita_class="", mst=mst, undertone="neutral", confidence=0.9)


def test_complexion_picks_carry_grades_and_colour_picks_do_not(recommender):
    demo = load_catalogue()
    recs = ShadeAdvisor(recommender, lambda: demo)(tone_of(MST_SWATCHES[7], 8), None)
    by_kind = {demo.shade(r.sku)[0].kind: r for r in recs}
    assert by_kind["foundation"].grade == "close" and by_kind["foundation"].delta_e < 3
    assert by_kind["lipstick"].grade is None
    assert all(r.closer_out_of_stock is None for r in recs)


def test_a_sold_out_nearest_shade_is_named_with_the_next_best(recommender):
    demo = load_catalogue()
    skin = tuple(hex_to_lab(MST_SWATCHES[7]))
    gone = match_skin(skin, demo, "foundation").best.sku
    sold_out = replace(
        demo,
        products=tuple(
            replace(p, shades=tuple(replace(s, stock=0) if s.sku == gone else s for s in p.shades))
            for p in demo.products
        ),
    )
    recs = ShadeAdvisor(recommender, lambda: sold_out)(tone_of(MST_SWATCHES[7], 8), None)
    foundation = [r for r in recs if sold_out.shade(r.sku)[0].kind == "foundation"]
    assert foundation[0].closer_out_of_stock == gone and foundation[0].sku != gone
    assert all(r.closer_out_of_stock is None for r in foundation[1:])
