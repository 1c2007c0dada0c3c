"""Bootstrap simulator: shoppers, their choices from colour-science rules, and synthetic catalogues.

A new store has no interaction history, so the first model learns from simulated shoppers
whose choices follow published make-up practice, written as a utility over the shared pair
features (recommender.features), then graded 0..4:

- foundation / concealer: the closer the shade to the skin (ΔE2000) the better, with the
  undertone agreeing; concealer may sit a little lighter. Coverage and finish wishes count.
- lips, cheeks, eyes: a lightness contrast with the skin and a chroma that depend on the
  look asked for (natural / soft / bold) and the occasion; shades much lighter than deeper
  skin read ashy; undertone harmony (warm with warm, cool with cool); deeper skin carries
  more saturated blush; highlighter sits lighter than the skin; liner and brow go dark.
- furniture: style overlap, a colour that neither clashes nor vanishes in the room, fits the
  space; every category: a stated finish and budget.
Each shopper also has a private taste (contrast/chroma offsets, undertone weight) and every
item a noise term, so the grades are not a deterministic function of the features.
`Taste` holds the population-level rule offsets: the feedback-loop evaluation draws shoppers
whose taste differs from the bootstrap rules and checks the model learns it from their logs.

Skin colours are drawn for every Monk Skin Tone group with equal weight; MST bands follow
vision.color.monk_skin_tone (measured-skin L* 78..22), hue bands follow vision.color.undertone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from catalogue import FINISHES, Catalogue, parse_catalogue
from recommender.features import (
    COL,
    COVERAGES,
    INTENSITIES,
    MODEL_KINDS,
    OCCASIONS,
    ItemTable,
    ShopperProfile,
    build_features,
)
from vision.color import lab_to_rgb, monk_skin_tone, rgb_to_hex, undertone

# Kinds a shopper asks about, weighted like a makeup counter's traffic (furniture rarer). The
# simulator works in the model's kind columns (a product kind added later is ranked as one of
# them), so these, _RULES and the synthetic catalogues change only with the feature schema.
QUERY_KINDS = MODEL_KINDS
QUERY_WEIGHTS = np.array([4, 1, 2, 1, 1, 2, 1, 1, 4, 2, 2], dtype=float)
assert len(QUERY_WEIGHTS) == len(QUERY_KINDS), "one traffic weight per model kind"
GRADE_CUTS = (-3.2, -2.0, -1.0, -0.3)  # utility above the k-th cut earns grade k+1


@dataclass(frozen=True)
class Taste:
    """Population-level offsets on top of the colour rules (zero = the bootstrap rules)."""

    chroma_shift: float = 0.0  # wanted chroma above the rule's target
    contrast_shift: float = 0.0  # wanted extra lightness contrast (deeper shades)
    cool_bias: float = 0.0  # + likes cool shades, dislikes warm ones, whatever the skin


BOOTSTRAP_TASTE = Taste()
BOLDER_COOLER_TASTE = Taste(chroma_shift=14.0, contrast_shift=8.0, cool_bias=0.9)

# Colour rules per kind: target lightness contrast (skin L* − shade L*) and chroma for the
# natural / soft / bold looks; chroma_per_mst adds saturation for deeper skin (pigment
# must show on it); ashy penalises shades lighter than the skin on deeper skin.
_RULES = {
    "lipstick": dict(dL=(8, 16, 26), C=(26, 40, 52), chroma_per_mst=0.8, ashy=0.10),
    "lip_liner": dict(dL=(12, 18, 26), C=(22, 34, 46), chroma_per_mst=0.6, ashy=0.10),
    "blush": dict(dL=(2, 6, 12), C=(24, 32, 42), chroma_per_mst=1.5, ashy=0.08),
    "bronzer": dict(dL=(6, 10, 14), C=(20, 26, 32), chroma_per_mst=0.6, ashy=0.12),
    "highlighter": dict(dL=(-12, -18, -26), C=(10, 18, 28), chroma_per_mst=2.0, ashy=0.0),
    "eyeshadow": dict(dL=(10, 20, 32), C=(16, 26, 38), chroma_per_mst=0.5, ashy=0.05),
    "eyeliner": dict(dL=(30, 40, 55), C=(6, 10, 16), chroma_per_mst=0.0, ashy=0.10),
    "brow": dict(dL=(14, 20, 28), C=(12, 14, 16), chroma_per_mst=-0.3, ashy=0.10),
}
_SHIMMERY = ("shimmer", "metallic", "gloss")


def sample_skin_lab(rng: np.random.Generator, mst: int | None = None) -> tuple[float, float, float]:
    """A plausible measured skin colour in the given (or a uniformly drawn) MST group."""
    mst = int(rng.integers(1, 11)) if mst is None else mst
    hi = 78.0 if mst == 1 else 70.0 - 5.0 * (mst - 2)
    lo = 22.0 if mst == 10 else 70.0 - 5.0 * (mst - 1)
    L = rng.uniform(lo + 0.2, hi - 0.2)
    hue = rng.choice([rng.uniform(44, 52), rng.uniform(53, 61), rng.uniform(63, 71)])
    # measured skin chroma is highest at medium depth and lower for very light and deep skin
    chroma = rng.uniform(15, 25) if 40 < L < 70 else rng.uniform(11, 21)
    lab = (float(L), float(chroma * np.cos(np.radians(hue))), float(chroma * np.sin(np.radians(hue))))
    assert monk_skin_tone(np.array(lab)) == mst
    return lab


def sample_profile(rng: np.random.Generator, kind: str, median_price: float, mst: int | None = None):
    """(measured profile, true skin Lab): the camera estimate is noisier at low confidence."""
    true_lab = sample_skin_lab(rng, mst)
    confidence = float(rng.uniform(0.55, 1.0))
    noise = rng.normal(0.0, 1.0, 3) * (1.0 - confidence) * np.array([4.0, 1.5, 1.5])
    measured = np.array(true_lab) + noise
    measured[0] = np.clip(measured[0], 1.0, 99.0)

    def maybe(options, p_set):
        return str(rng.choice(options)) if rng.random() < p_set else None

    furniture = kind == "furniture"
    profile = ShopperProfile(
        skin_lab=tuple(float(v) for v in measured),
        confidence=confidence,
        finish=None if furniture else maybe(FINISHES, 0.4),
        coverage=maybe(COVERAGES, 0.5) if kind in ("foundation", "concealer") else None,
        intensity=None if furniture else maybe(INTENSITIES, 0.7),
        occasion=None if furniture else maybe(OCCASIONS, 0.5),
        budget_sar=float(median_price * rng.uniform(0.6, 1.8)) if rng.random() < 0.4 else None,
        styles=tuple(rng.choice(_STYLES, size=int(rng.integers(1, 3)), replace=False)) if furniture else (),
        room_colors=tuple(rgb_to_hex(rng.uniform(40, 240, 3)) for _ in range(2)) if furniture else (),
        max_width_m=float(rng.uniform(0.6, 2.6)) if furniture and rng.random() < 0.6 else None,
    )
    return profile, true_lab


@dataclass(frozen=True)
class ShopperLatent:
    """A shopper's private taste, never visible to the model."""

    contrast: float
    chroma: float
    undertone_weight: float

    @classmethod
    def draw(cls, rng: np.random.Generator) -> ShopperLatent:
        return cls(float(rng.normal(0, 4)), float(rng.normal(0, 5)), float(rng.uniform(0.3, 0.9)))


def utility(
    rows: np.ndarray,
    kind: str,
    true_profile: ShopperProfile,
    latent: ShopperLatent,
    taste: Taste,
    rng: np.random.Generator,
) -> np.ndarray:
    """Utility of each item (rows built against the TRUE skin) for this shopper."""
    c = {name: rows[:, i].astype(np.float64) for name, i in COL.items()}
    n = rows.shape[0]
    u = np.zeros(n)
    tone_term = (c["undertone_agree"] - 0.5) * 2.0  # +1 same, 0 neutral, -1 opposite
    mst = true_profile.mst
    if kind in ("foundation", "concealer"):
        de = c["de2000"]
        if kind == "concealer":  # one step lighter than the skin is fine, darker is not
            de = de - np.clip(-c["contrast_L"], 0, 3) * 0.6
        u += -de / 2.2 + latent.undertone_weight * 0.8 * tone_term
        u += np.where(c["coverage_match"] == 1, 0.4, np.where(c["coverage_match"] == 0, -0.3, 0.0))
    elif kind == "furniture":
        style = c["style_overlap"]
        u += np.where(style >= 0, 1.6 * style - 0.6, 0.0)
        room = c["room_de_min"]
        u += np.where(room >= 0, -np.abs(room - 18.0) / 12.0, 0.0)
        u += np.where(c["fits_width"] == 0, -2.5, 0.0)
    else:
        rule = _RULES[kind]
        look = true_profile.intensity or ("soft" if latent.contrast < 2 else "bold")
        level = INTENSITIES.index(look)
        evening = true_profile.occasion in ("evening", "wedding")
        target_dL = rule["dL"][level] + latent.contrast + taste.contrast_shift + (5 if evening else 0)
        # a shade cannot be much deeper than near-black: deep skin's contrast target shrinks
        target_dL = np.minimum(target_dL, true_profile.skin_lab[0] - 12.0) if target_dL > 0 else target_dL
        target_C = (
            rule["C"][level] + rule["chroma_per_mst"] * (mst - 1) + latent.chroma + taste.chroma_shift
        ) + (6 if evening else 0)
        u += -(((c["contrast_L"] - target_dL) / 10.0) ** 2) - ((c["shade_chroma"] - target_C) / 14.0) ** 2
        u += -rule["ashy"] * np.clip(-c["contrast_L"] - 4, 0, None) * (mst / 5.0)
        u += latent.undertone_weight * 0.7 * tone_term + taste.cool_bias * -c["shade_undertone"] * 0.6
        shimmery = sum(c[f"finish_{f}"] for f in _SHIMMERY)
        if true_profile.occasion in ("evening", "wedding"):
            u += 0.3 * shimmery
        elif true_profile.occasion in ("everyday", "office"):
            u += -0.3 * shimmery
    u += np.where(c["finish_match"] == 1, 0.5, np.where(c["finish_match"] == 0, -0.25, 0.0))
    over = c["price_to_budget"] - 1.0
    u += np.where(c["within_budget"] == 0, -0.8 - 2.0 * over, 0.0)
    return u + rng.normal(0.0, 0.3, n)


def grades(u: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(GRADE_CUTS), u, side="right").astype(np.int64)


@dataclass(frozen=True)
class SimQuery:
    """One simulated shopper asking about one kind: model inputs and true graded relevance."""

    kind: str
    profile: ShopperProfile
    rows: np.ndarray  # features against the measured profile (what the model sees)
    grades: np.ndarray
    table: ItemTable
    true_lab: tuple[float, float, float]  # the skin itself, which the camera only estimates


def simulate_query(
    rng: np.random.Generator,
    table: ItemTable,
    kind: str,
    taste: Taste = BOOTSTRAP_TASTE,
    mst: int | None = None,
) -> SimQuery:
    median_price = float(np.median(table.price))
    profile, true_lab = sample_profile(rng, kind, median_price, mst)
    true_profile = replace(profile, skin_lab=true_lab)
    true_rows = build_features(true_profile, table)
    g = grades(utility(true_rows, kind, true_profile, ShopperLatent.draw(rng), taste, rng))
    return SimQuery(kind, profile, build_features(profile, table), g, table, true_lab)


# ---------------------------------------------------------------- synthetic catalogues

_STYLES = np.array(["modern", "minimal", "classic", "cozy", "wood", "light", "traditional", "textile"])
_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _shade(sku, name, lab, finish, tone, stock, depth=None):
    hexv = rgb_to_hex(lab_to_rgb(np.array(lab)))
    return {
        "sku": sku,
        "name_en": name,
        "name_ar": name.translate(_AR_DIGITS),
        "hex": hexv,
        "finish": finish,
        "undertone": tone,
        "depth": depth if depth is not None else monk_skin_tone(np.array(lab)),
        "stock": stock,
    }


def _product(pid, kind, brand, price, shades, tags=()):
    return {
        "id": pid, "kind": kind, "brand": brand, "name_en": f"{brand} {kind}", "name_ar": f"{brand} {kind}",
        "price_sar": round(float(price), 0), "aisle": "X1", "tags": [kind, *tags], "shades": shades,
    }  # fmt: skip


def synthetic_catalogue(rng: np.random.Generator, store_id: str) -> Catalogue:
    """A random but plausible store: foundation ranges with random depth coverage (some stop
    short of deep skin, on purpose), and lip/cheek/eye shades spread over the colours real
    ranges use. Different shapes from the demo catalogue so the model cannot memorise it."""
    products = []
    for b in range(int(rng.integers(1, 4))):
        brand = f"B{b}"
        n_levels = int(rng.integers(6, 22))
        deepest = rng.uniform(22, 45)
        palest = rng.uniform(78, 92)
        tones = [t for t in ("warm", "neutral", "cool") if rng.random() < 0.8] or ["neutral"]
        finish = str(rng.choice(["natural", "matte", "dewy", "satin"]))
        coverage = str(rng.choice(COVERAGES))
        shades = []
        for i, L in enumerate(np.linspace(palest, deepest, n_levels)):
            for tone in tones:
                hue = {"warm": 68, "neutral": 58, "cool": 49}[tone] + rng.normal(0, 2)
                chroma = (12 + 12 * np.sin(np.pi * (92 - L) / 75)) * rng.uniform(0.9, 1.15)
                lab = (
                    L + rng.normal(0, 0.7),
                    chroma * np.cos(np.radians(hue)),
                    chroma * np.sin(np.radians(hue)),
                )
                stock = int(rng.integers(0, 15)) if rng.random() < 0.1 else int(rng.integers(1, 15))
                shades.append(_shade(f"{store_id}-{brand}-F{i}{tone[0]}", f"{i + 1}{tone[0].upper()}", lab,
                                     finish, tone, stock))  # fmt: skip
        price = rng.uniform(90, 260)
        products.append(_product(f"{store_id}-{brand}-fnd", "foundation", brand, price, shades,
                                 (f"{coverage} coverage",)))  # fmt: skip
    con = [
        _shade(f"{store_id}-CON{i}", f"C{i}", (L, 11.0, 18.0), "natural", "neutral", 10)
        for i, L in enumerate(np.linspace(rng.uniform(85, 93), rng.uniform(25, 40), int(rng.integers(4, 12))))
    ]
    products.append(
        _product(f"{store_id}-con", "concealer", "B0", rng.uniform(60, 160), con, ("full coverage",))
    )
    colour_kinds = {
        "lipstick": ((18, 72), (5, 65), (-15, 45), 14),
        "lip_liner": ((18, 60), (10, 55), (-5, 35), 5),
        "blush": ((38, 78), (15, 50), (-5, 38), 7),
        "bronzer": ((25, 65), (8, 22), (15, 35), 4),
        "highlighter": ((65, 95), (-2, 12), (0, 40), 4),
        "eyeshadow": ((15, 75), (-30, 35), (-35, 45), 10),
        "eyeliner": ((3, 30), (-5, 12), (-25, 15), 4),
        "brow": ((10, 55), (0, 10), (2, 20), 4),
    }
    for kind, ((l0, l1), (a0, a1), (b0, b1), typical) in colour_kinds.items():
        n = max(2, int(typical * rng.uniform(0.5, 2.5)))
        shades = []
        for i in range(n):
            lab = (rng.uniform(l0, l1), rng.uniform(a0, a1), rng.uniform(b0, b1))
            hue = np.degrees(np.arctan2(lab[2], lab[1])) % 360
            tone = "warm" if 30 <= hue <= 120 else ("cool" if hue < 15 or hue > 200 else "neutral")
            finish = str(rng.choice(["matte", "satin", "gloss", "sheer", "shimmer", "metallic"]))
            stock = 0 if rng.random() < 0.08 else int(rng.integers(1, 20))
            shades.append(
                _shade(f"{store_id}-{kind[:3]}{i}", f"{kind} {i + 1}", lab, finish, tone, stock, depth=5)
            )
        products.append(_product(f"{store_id}-{kind}", kind, "B1", rng.uniform(40, 220), shades))
    for i in range(int(rng.integers(3, 9))):
        variants = [
            {"sku": f"{store_id}-fur{i}-{j}", "name_en": f"colour {j}", "name_ar": f"لون {j}",
             "hex": rgb_to_hex(rng.uniform(30, 240, 3)), "stock": int(rng.integers(0, 6))}
            for j in range(int(rng.integers(1, 4)))
        ]  # fmt: skip
        products.append({
            "id": f"{store_id}-fur{i}", "kind": "furniture", "brand": "D", "name_en": f"item {i}",
            "name_ar": f"قطعة {i}", "price_sar": round(float(rng.uniform(300, 5000))), "aisle": "F",
            "tags": ["furniture"], "dimensions_m": [float(rng.uniform(0.4, 2.8)), 0.8, 0.8],
            "variants": variants, "style": list(rng.choice(_STYLES, size=2, replace=False)),
        })  # fmt: skip
    return parse_catalogue({"store_id": store_id, "currency": "SAR", "version": 1, "products": products})


# ---------------------------------------------------------------- kiosk session logs

EXAMINE_ETA = 1.0  # P(shopper looks at position k) = (1/k)^eta: the position bias logs carry


def simulate_sessions(
    rng: np.random.Generator,
    catalogue: Catalogue,
    tables: dict[str, ItemTable],
    kinds: tuple[str, ...],
    rank: Callable[[np.ndarray], np.ndarray],
    taste: Taste,
    n_sessions: int,
    shown: int = 8,
    model_version: str = "bootstrap",
) -> list[dict]:
    """Kiosk sessions as backend events (kiosk/backend/API.md): the kiosk shows the model's
    top `shown - 1` items plus one random exploration slot; shoppers look down the list with
    position bias and try / accept / add to basket / hand off by their true taste."""
    events: list[dict] = []
    for _ in range(n_sessions):
        kind = str(rng.choice(kinds))
        table = tables[kind]
        in_stock = np.array([c.stock > 0 for c in table.items])
        sub = table.subset(np.flatnonzero(in_stock))
        q = simulate_query(rng, sub, kind, taste)
        order = list(np.argsort(-rank(q.rows), kind="stable"))
        top = order[: shown - 1]
        rest = order[shown - 1 :]
        if rest:  # the exploration slot: a random item at a random position
            top.insert(int(rng.integers(0, len(top) + 1)), int(rng.choice(rest)))
        session = _uuid(rng)
        seq = iter(range(10_000))

        def emit(kind_: str, data: dict, _session=session, _seq=seq) -> None:
            events.append({
                "event_id": _uuid(rng),
                "session_id": _session, "seq": next(_seq), "at": "2026-11-22T10:00:00Z", "kind": kind_,
                "data": data,
            })  # fmt: skip

        emit("session_started", {"mode": "furniture" if kind == "furniture" else "makeup"})
        emit("consent_given", {})
        emit("skin_tone", {"mst": q.profile.mst, "undertone": q.profile.undertone})
        basket = 0
        for pos, i in enumerate(top, start=1):
            item = sub.items[i]
            ids = {"product_id": item.product.id, "shade_sku": item.sku}
            emit("recommendation_shown", {**ids, "position": pos, "model_version": model_version})
            if rng.random() > (1.0 / pos) ** EXAMINE_ETA:
                continue
            g = int(q.grades[i])
            if g >= 2 or rng.random() < 0.1:
                emit("product_tried", {**ids, "dwell_ms": int(1500 + 1500 * g)})
            if g >= 3 and rng.random() < 0.8:
                emit("recommendation_accepted", {**ids, "position": pos, "model_version": model_version})
            if g >= 4 and rng.random() < 0.7:
                emit("added_to_basket", ids)
                basket += 1
        if basket:
            emit("handoff", {"code": "SIM", "items": basket, "snapshot": False})
        emit("session_ended", {"reason": "done", "duration_ms": 60_000})
    return events


def _uuid(rng: np.random.Generator) -> str:
    """A uuid4-shaped id drawn from the simulation's generator, so runs are reproducible."""
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def skin_from_bucket(mst: int, tone: str) -> tuple[float, float, float]:
    """A representative skin Lab for the coarse (MST, undertone) a session event carries."""
    L = 74.0 if mst == 1 else (26.0 if mst == 10 else 70.0 - 5.0 * (mst - 1) + 2.5)
    hue = {"cool": 48.0, "neutral": 57.0, "warm": 67.0}[tone]
    chroma = 19.0 if L > 40 else 14.5
    lab = (L, chroma * float(np.cos(np.radians(hue))), chroma * float(np.sin(np.radians(hue))))
    assert undertone(np.array(lab)) == tone and monk_skin_tone(np.array(lab)) == mst
    return lab
