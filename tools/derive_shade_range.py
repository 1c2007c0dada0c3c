"""Derive the demo catalogue's foundation and concealer ranges from real brand ranges.

    .venv/bin/python tools/derive_shade_range.py [--shades ../shared/data/foundation-shades/allShades.csv]

Reads the 6,816 real foundation shades of `../shared/data/foundation-shades/allShades.csv`
(The Pudding, MIT) in place — never copied into the repo — and rewrites the shades of the demo
catalogue's foundation and concealer products in assets/catalogue/demo_catalogue.json. Brands
and names stay fictional; the colours are real swatch colours.

Why this selection: shades are picked greedily, each one a real swatch colour, to minimise the
weighted ΔE2000 from a set of "demand" colours to their nearest pick (facility location on
ΔE2000, the distance a shopper sees). The demand blends two views of skin:
- the real shades themselves (75% of the weight), each weighted by 1 / (how many real shades
  share its L* band) so every depth counts the same: real ranges crowd the light-medium depths
  (only ~4.5% of real swatches have L* < 35), and plain k-means would leave deep skin with
  nothing close;
- skin as the kiosk's camera measures it (25%), drawn from recommender.simulator's skin model
  (MST 1-10 evenly, a fixed seed far from the evaluation's): swatch photos run more saturated
  than measured skin (median chroma 29 against 11-25), so a range fitted to the photos alone
  leaves real shoppers between shades.
The result is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

from catalogue import DEMO_CATALOGUE, parse_catalogue
from recommender.simulator import sample_skin_lab
from vision.color import delta_e2000, hex_to_lab, monk_skin_tone, undertone

SHARED_SHADES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "foundation-shades" / "allShades.csv"
)
L_BANDS = 40  # depth bands for the equal-weight-per-depth objective
SKIN_WEIGHT = 0.3  # share of the demand that is measured skin rather than real shades
SKIN_SAMPLES = 3000
SKIN_SEED = 1  # recommender.evaluate draws its shoppers from seeds >= 10,000
CAP_DE = 30.0  # a demand colour farther than this from every pick counts as this far
# product id → (sku prefix, number of shades, finish, stock per shade)
RANGES = {
    "fnd-sahra-skin": ("SAH-FND", 56, "natural", 12),
    "fnd-lumen-serum": ("LUM-FND", 24, "dewy", 8),
    "con-sahra-cover": ("SAH-CON", 24, "natural", 10),
}
TONE_NAMES = {
    "warm": ("W", "Warm", "دافئ"),
    "neutral": ("N", "Neutral", "محايد"),
    "cool": ("C", "Cool", "بارد"),
}


def read_real_shades(path: Path) -> list[str]:
    """Distinct swatch hexes of every real shade, sorted (so the run is deterministic)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return sorted({row["hex"].strip().lower() for row in csv.DictReader(fh) if row["hex"].strip()})


def demand(labs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(colours to serve, their weights): the real shades, equal weight per L* band, and
    measured skin."""
    L = labs[:, 0]
    band = np.clip(((L - L.min()) / (np.ptp(L) + 1e-9) * L_BANDS).astype(int), 0, L_BANDS - 1)
    real_w = 1.0 / np.bincount(band, minlength=L_BANDS)[band]
    rng = np.random.default_rng(SKIN_SEED)
    skins = np.array([sample_skin_lab(rng) for _ in range(SKIN_SAMPLES)], dtype=np.float64)
    weights = np.concatenate([
        real_w / real_w.sum() * (1.0 - SKIN_WEIGHT), np.full(len(skins), SKIN_WEIGHT / len(skins))
    ])  # fmt: skip
    return np.vstack([labs, skins]), weights


def pick_order(labs: np.ndarray, n: int) -> list[int]:
    """Greedy facility location on ΔE2000 over the real shades: the first k picks are the
    k-shade range, so one run serves every range size."""
    targets, weight = demand(labs)
    dist = np.empty((len(labs), len(targets)), np.float32)
    for i in range(0, len(labs), 512):
        dist[i : i + 512] = delta_e2000(labs[i : i + 512, None, :], targets[None, :, :])
    nearest = np.full(len(targets), CAP_DE, np.float32)
    chosen: list[int] = []
    for _ in range(n):
        gain = (np.maximum(nearest[None, :] - dist, 0.0) * weight[None, :]).sum(axis=1)
        best = int(np.argmax(gain))
        chosen.append(best)
        nearest = np.minimum(nearest, dist[best])
    return chosen


def shade_records(hexes: list[str], prefix: str, finish: str, stock: int) -> list[dict]:
    records = []
    for rank, hexv in enumerate(hexes, start=1):
        lab = hex_to_lab(hexv)
        tone = undertone(lab)
        letter, tone_en, tone_ar = TONE_NAMES[tone]
        records.append({
            "sku": f"{prefix}-{rank}{letter}", "name_en": f"{rank}{letter} {tone_en}",
            "name_ar": f"{rank}{letter} {tone_ar}", "hex": hexv, "finish": finish, "undertone": tone,
            "depth": monk_skin_tone(lab), "stock": stock,
        })  # fmt: skip
    return records


def derive(shades_csv: Path, catalogue_path: Path) -> dict:
    hexes = read_real_shades(shades_csv)
    labs = np.array([hex_to_lab(h) for h in hexes], dtype=np.float64)
    data = json.loads(catalogue_path.read_text(encoding="utf-8"))
    by_id = {p["id"]: p for p in data["products"]}
    order = pick_order(labs, max(n for _, n, _, _ in RANGES.values()))
    for product_id, (prefix, n, finish, stock) in RANGES.items():
        picked = [hexes[i] for i in sorted(order[:n], key=lambda i: -labs[i, 0])]  # lightest first
        by_id[product_id]["shades"] = shade_records(picked, prefix, finish, stock)
    parse_catalogue(data)  # refuse to write a catalogue the kiosk would reject
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shades", type=Path, default=SHARED_SHADES)
    parser.add_argument("--catalogue", type=Path, default=DEMO_CATALOGUE)
    args = parser.parse_args(argv)
    if not args.shades.is_file():
        print(f"derive_shade_range: {args.shades} not found (it lives in ../shared)", file=sys.stderr)
        return 2
    data = derive(args.shades, args.catalogue)
    args.catalogue.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for product_id, (_, n, _, _) in RANGES.items():
        print(f"{product_id}: {n} shades")
    return 0


if __name__ == "__main__":
    sys.exit(main())
