"""How close a complexion shade is to a shopper's skin, in words a shopper can trust.

The one place the match grades and their ΔE2000 thresholds live; the recommender, the kiosk
screen, the assistant and the backend's shade-gap report all grade with `grade_of`.

Thresholds, from what a person sees (CIEDE2000):
- ≲ 1: not visible even side by side in a viewing booth.
- ~2: just noticeable side by side on skin (perceptibility thresholds for skin-coloured
  samples sit around 1–2; Paravina et al. 2015 put the 50:50 perceptibility of tooth and
  gingiva-coloured samples at 0.8–1.4 and acceptability at 1.8–2.7).
- ≤ 3 (`close`): a difference most observers accept as "the same colour" on the face, where
  foundation is blended into skin and never seen in a side-by-side patch; the acceptability
  figures above.
- ≤ 6 (`near`): clearly visible as a line or mask at the jaw, yet one step of the range —
  wearable with blending, or mixed with a neighbouring shade.
- > 6 (`none`): a different colour; shown only as "the nearest we have", never "for you".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from catalogue import UNDERTONES, Catalogue
from vision.color import MST_SWATCHES, delta_e2000, hex_to_lab

CLOSE_MAX_DE = 3.0
NEAR_MAX_DE = 6.0
GRADES = ("close", "near", "none")
# Kinds whose shade must match the skin itself (colour kinds are chosen for contrast, not match).
SKIN_MATCH_KINDS = ("foundation", "concealer")
# Undertone hue angles h_ab (degrees) for the reference skins: vision.color.undertone calls
# ≤ 52° cool and ≥ 62° warm; these sit inside each band.
UNDERTONE_HUE = {"cool": 48.0, "neutral": 57.0, "warm": 66.0}


def grade_of(delta_e: float) -> str:
    if delta_e <= CLOSE_MAX_DE:
        return "close"
    if delta_e <= NEAR_MAX_DE:
        return "near"
    return "none"


@dataclass(frozen=True)
class NearestShade:
    sku: str
    product_id: str
    hex: str
    delta_e: float
    grade: str
    in_stock: bool


@dataclass(frozen=True)
class ShadeMatch:
    """The best in-stock shade of a kind for one skin colour, and the nearest overall when that
    one is out of stock (the kiosk says so and names the in-stock one as the next best)."""

    kind: str
    best: NearestShade | None  # best in stock; None when nothing of the kind is in stock
    nearest_out_of_stock: NearestShade | None  # only when closer than `best`

    @property
    def grade(self) -> str:
        return self.best.grade if self.best else "none"


def match_skin(skin_lab: tuple[float, float, float], catalogue: Catalogue, kind: str) -> ShadeMatch:
    shades = [(p, s) for p in catalogue.by_kind(kind) for s in p.shades]
    if not shades:
        return ShadeMatch(kind, None, None)
    labs = np.array([s.lab for _, s in shades], dtype=np.float64)
    de = delta_e2000(np.asarray(skin_lab, dtype=np.float64)[None, :], labs)

    def entry(i: int) -> NearestShade:
        p, s = shades[i]
        d = round(float(de[i]), 1)
        return NearestShade(s.sku, p.id, s.hex, d, grade_of(d), s.stock > 0)

    stocked = np.array([s.stock > 0 for _, s in shades])
    best = entry(int(np.flatnonzero(stocked)[np.argmin(de[stocked])])) if stocked.any() else None
    overall = int(np.argmin(de))
    missing = entry(overall) if not stocked[overall] else None
    return ShadeMatch(kind, best, missing)


def reference_skin(mst: int, tone: str) -> tuple[float, float, float]:
    """A reference skin colour for a Monk group and undertone: the MST swatch's L* and chroma
    at the undertone's hue angle (the skin_tone events a kiosk sends carry only these two)."""
    if not 1 <= mst <= 10 or tone not in UNDERTONES:
        raise ValueError(f"no reference skin for MST {mst!r} / undertone {tone!r}")
    L, a, b = hex_to_lab(MST_SWATCHES[mst - 1])
    chroma, hue = float(np.hypot(a, b)), np.radians(UNDERTONE_HUE[tone])
    return float(L), chroma * float(np.cos(hue)), chroma * float(np.sin(hue))
