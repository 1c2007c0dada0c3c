"""The one feature schema shared by training and inference, so that the two cannot drift.

A row describes one (shopper, candidate item) pair. Every column is either about the shopper
(skin colour, stated preferences), about the item (shade colour, finish, price, kind) or about
the pair (ΔE2000 and lightness contrast between skin and shade, undertone agreement, price
against budget...). No column names a sku, product or store: the model scores catalogues it
has never seen because it only sees how an item relates to the shopper.

The ONNX model's card stores FEATURE_NAMES; the runtime refuses a model whose card lists a
different schema (a model trained on other columns would rank silently wrong).

The kind columns are frozen (`MODEL_KINDS`, FEATURE_SCHEMA 1) rather than derived from the
catalogue's kinds: a new product kind is encoded in the column of the kind it ranks like
(`KindSpec.ranked_as`), so the shipped model keeps working without a retrain. A kind that
names no column stops the import with a message saying what to do.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from catalogue import FINISHES, KIND_BY_ID, KINDS, UNDERTONES, Catalogue, Product
from vision.color import delta_e2000, hex_to_lab, ita_degrees, monk_skin_tone, undertone

INTENSITIES = ("natural", "soft", "bold")
COVERAGES = ("light", "medium", "full")
OCCASIONS = ("everyday", "office", "evening", "wedding")
UNDERTONE_CODE = {"cool": -1.0, "neutral": 0.0, "warm": 1.0}
UNSET = -1.0  # code of a preference the shopper did not state (trees split it off cleanly)

# The model's kind columns, frozen with the feature schema: models/recommender.onnx was trained
# on exactly these. Adding a column is a new FEATURE_SCHEMA and a retrain; adding a product kind
# is not (it names one of these in `ranked_as`).
FEATURE_SCHEMA = 1
MODEL_KINDS = (
    "lipstick", "lip_liner", "blush", "bronzer", "highlighter", "eyeshadow", "eyeliner", "brow",
    "foundation", "concealer", "furniture",
)  # fmt: skip

SHOPPER_FEATURES = (
    "skin_L", "skin_a", "skin_b", "skin_chroma", "skin_hue", "skin_ita", "skin_mst",
    "skin_undertone", "skin_confidence",
    "pref_finish_set", "pref_coverage", "pref_intensity", "pref_occasion", "pref_has_budget",
)  # fmt: skip
ITEM_FEATURES = (
    "shade_L", "shade_a", "shade_b", "shade_chroma", "shade_hue", "shade_depth", "shade_undertone",
    *(f"finish_{f}" for f in FINISHES),
    *(f"kind_{k}" for k in MODEL_KINDS),
    "item_coverage", "log_price",
)  # fmt: skip
PAIR_FEATURES = (
    "de2000", "contrast_L", "contrast_chroma", "hue_diff", "depth_diff", "undertone_agree",
    "finish_match", "coverage_match", "price_to_budget", "within_budget",
    "style_overlap", "room_de_min", "fits_width",
)  # fmt: skip
FEATURE_NAMES: tuple[str, ...] = SHOPPER_FEATURES + ITEM_FEATURES + PAIR_FEATURES
N_FEATURES = len(FEATURE_NAMES)
COL = {name: i for i, name in enumerate(FEATURE_NAMES)}


class FeatureError(ValueError):
    """A feature row cannot be trusted (NaN/inf) or a profile/preference is invalid."""


class FeatureSchemaError(RuntimeError):
    """A product kind has no column in the frozen feature schema: the software, not its input, is wrong."""


def _check_kinds_ranked() -> None:
    """Every product kind must be scored as one of the model's kind columns. Raised at import, so
    a kind the model cannot rank fails every test run and every start instead of ranking silently
    wrong (or, as before, dropping the kiosk's recommendations)."""
    for spec in KINDS:
        if spec.model_kind not in MODEL_KINDS:
            raise FeatureSchemaError(
                f"product kind {spec.id!r} is ranked as {spec.model_kind!r}, which is not a kind column "
                f"of recommender feature schema {FEATURE_SCHEMA} ({', '.join(MODEL_KINDS)}). In "
                "catalogue/kinds.py set ranked_as= to the kind it ranks like, or add the column to "
                "MODEL_KINDS in recommender/features.py, bump FEATURE_SCHEMA and retrain "
                "models/recommender.onnx (python -m recommender.train)."
            )


_check_kinds_ranked()


def _hue_deg(a, b):
    return np.degrees(np.arctan2(b, a)) % 360.0


@dataclass(frozen=True)
class ShopperProfile:
    """What the kiosk knows about the shopper in front of it: measured skin and stated wishes."""

    skin_lab: tuple[float, float, float]
    confidence: float = 1.0  # of the skin estimate, 0..1
    undertone_override: str | None = None  # the shopper corrected the measured undertone
    finish: str | None = None
    coverage: str | None = None
    intensity: str | None = None
    occasion: str | None = None
    budget_sar: float | None = None
    styles: tuple[str, ...] = ()  # furniture
    room_colors: tuple[str, ...] = ()  # furniture: hex colours already in the room
    max_width_m: float | None = None  # furniture

    def __post_init__(self) -> None:
        lab = tuple(float(v) for v in self.skin_lab)
        if len(lab) != 3 or not all(math.isfinite(v) for v in lab):
            raise FeatureError(f"skin Lab must be three finite numbers, got {self.skin_lab!r}")
        if not 0.0 <= lab[0] <= 100.0:
            raise FeatureError(f"skin L* must be in 0..100, got {lab[0]}")
        object.__setattr__(self, "skin_lab", lab)
        if not (math.isfinite(self.confidence) and 0.0 <= self.confidence <= 1.0):
            raise FeatureError(f"confidence must be in 0..1, got {self.confidence}")
        for name, value, allowed in (
            ("undertone", self.undertone_override, UNDERTONES),
            ("finish", self.finish, FINISHES),
            ("coverage", self.coverage, COVERAGES),
            ("intensity", self.intensity, INTENSITIES),
            ("occasion", self.occasion, OCCASIONS),
        ):
            if value is not None and value not in allowed:
                raise FeatureError(f"{name} {value!r} is not one of {allowed}")
        for limit, label in ((self.budget_sar, "budget"), (self.max_width_m, "max_width")):
            if limit is not None and not (math.isfinite(limit) and limit > 0):
                raise FeatureError(f"{label} must be a positive number, got {limit}")
        for color in self.room_colors:
            hex_to_lab(color)  # raises ValueError naming the bad colour

    @property
    def mst(self) -> int:
        return monk_skin_tone(np.array(self.skin_lab))

    @property
    def ita(self) -> float:
        return float(ita_degrees(np.array(self.skin_lab)))

    @property
    def undertone(self) -> str:
        return self.undertone_override or undertone(np.array(self.skin_lab))

    @classmethod
    def from_skin_text(cls, text: str, confidence: float = 1.0) -> ShopperProfile:
        """'#c68e6a' or 'L,a,b' (what `kiosk recommend --skin` accepts)."""
        text = text.strip()
        if text.startswith("#") or re.fullmatch(r"[0-9a-fA-F]{6}", text):
            try:
                lab = hex_to_lab(text)
            except ValueError as exc:
                raise FeatureError(str(exc)) from exc
            return cls(skin_lab=tuple(float(v) for v in lab), confidence=confidence)
        parts = text.split(",")
        try:
            values = tuple(float(p) for p in parts)
        except ValueError:
            values = ()
        if len(values) != 3:
            raise FeatureError(f"skin must be #rrggbb or 'L,a,b', got {text!r}")
        return cls(skin_lab=values, confidence=confidence)

    def with_prefs(self, prefs: dict[str, str]) -> ShopperProfile:
        """Apply key=value preferences as typed by a person; unknown keys are an error."""
        changes: dict[str, object] = {}
        for key, value in prefs.items():
            value = value.strip()
            if key in ("finish", "coverage", "intensity", "occasion"):
                changes[key] = value.lower()
            elif key == "undertone":
                changes["undertone_override"] = value.lower()
            elif key in ("budget", "budget_sar", "max_width", "max_width_m"):
                try:
                    number = float(value)
                except ValueError as exc:
                    raise FeatureError(f"{key} must be a number, got {value!r}") from exc
                changes["budget_sar" if key.startswith("budget") else "max_width_m"] = number
            elif key in ("style", "styles"):
                changes["styles"] = tuple(s.strip().lower() for s in value.split(";") if s.strip())
            elif key in ("room_colors", "room"):
                changes["room_colors"] = tuple(s.strip() for s in value.split(";") if s.strip())
            else:
                raise FeatureError(
                    f"unknown preference {key!r}; known: finish, coverage, intensity, occasion, "
                    "undertone, budget, style, room_colors, max_width"
                )
        try:
            return replace(self, **changes)
        except ValueError as exc:
            raise FeatureError(str(exc)) from exc


@dataclass(frozen=True)
class Recommendation:
    """One ranked item as the kiosk UI and `kiosk recommend` show it."""

    sku: str
    product_id: str
    kind: str
    brand: str
    product_name_en: str
    product_name_ar: str
    shade_name_en: str
    shade_name_ar: str
    hex: str
    price_sar: float
    score: float
    reason_en: str
    reason_ar: str
    delta_e: float  # ΔE2000 between the shopper's skin and the shade
    grade: str | None  # recommender.shade_match grade for skin-matched kinds, else None


@dataclass(frozen=True)
class Candidate:
    """One thing that can be recommended: a makeup shade or a furniture colour variant."""

    product: Product
    sku: str
    name_en: str
    name_ar: str
    hex: str
    finish: str | None
    undertone: str
    depth: int
    stock: int


def _coverage_of(product: Product) -> float:
    for i, level in enumerate(COVERAGES):
        if f"{level} coverage" in product.tags:
            return float(i)
    return UNSET


def candidates(catalogue: Catalogue, kind: str) -> list[Candidate]:
    """Every shade (makeup) or colour variant (furniture) of a kind, in catalogue order."""
    out: list[Candidate] = []
    for product in catalogue.by_kind(kind):
        for s in product.shades:
            out.append(
                Candidate(
                    product, s.sku, s.name_en, s.name_ar, s.hex, s.finish, s.undertone, s.depth, s.stock
                )
            )
        for v in product.variants:
            lab = hex_to_lab(v.hex)
            out.append(
                Candidate(
                    product,
                    v.sku,
                    v.name_en,
                    v.name_ar,
                    v.hex,
                    None,
                    undertone(lab),
                    monk_skin_tone(lab),
                    v.stock,
                )
            )
    return out


@dataclass(frozen=True)
class ItemTable:
    """Item columns of a candidate list, computed once per catalogue and reused per shopper."""

    items: tuple[Candidate, ...]
    lab: np.ndarray  # (n, 3)
    block: np.ndarray  # (n, len(ITEM_FEATURES)) in ITEM_FEATURES order
    price: np.ndarray
    width: np.ndarray  # furniture width in m, NaN when not furniture
    styles: tuple[frozenset[str], ...] = field(default=())

    @classmethod
    def build(cls, items: list[Candidate]) -> ItemTable:
        n = len(items)
        lab = np.array([hex_to_lab(c.hex) for c in items], dtype=np.float64).reshape(n, 3)
        block = np.zeros((n, len(ITEM_FEATURES)), dtype=np.float64)
        idx = {name: i for i, name in enumerate(ITEM_FEATURES)}
        block[:, idx["shade_L"]] = lab[:, 0]
        block[:, idx["shade_a"]] = lab[:, 1]
        block[:, idx["shade_b"]] = lab[:, 2]
        block[:, idx["shade_chroma"]] = np.hypot(lab[:, 1], lab[:, 2])
        block[:, idx["shade_hue"]] = _hue_deg(lab[:, 1], lab[:, 2])
        for i, c in enumerate(items):
            block[i, idx["shade_depth"]] = c.depth
            block[i, idx["shade_undertone"]] = UNDERTONE_CODE[c.undertone]
            if c.finish is not None:
                block[i, idx[f"finish_{c.finish}"]] = 1.0
            block[i, idx[f"kind_{KIND_BY_ID[c.product.kind].model_kind}"]] = 1.0
            block[i, idx["item_coverage"]] = _coverage_of(c.product)
            block[i, idx["log_price"]] = math.log1p(c.product.price_sar)
        price = np.array([c.product.price_sar for c in items], dtype=np.float64)
        width = np.array(
            [c.product.dimensions_m[0] if c.product.dimensions_m else np.nan for c in items], dtype=np.float64
        )
        styles = tuple(frozenset(s.lower() for s in c.product.style) for c in items)
        return cls(tuple(items), lab, block, price, width, styles)

    def __len__(self) -> int:
        return len(self.items)

    def subset(self, index: np.ndarray) -> ItemTable:
        index = np.asarray(index, dtype=int)
        return ItemTable(
            tuple(self.items[i] for i in index),
            self.lab[index],
            self.block[index],
            self.price[index],
            self.width[index],
            tuple(self.styles[i] for i in index),
        )


def shopper_vector(p: ShopperProfile) -> np.ndarray:
    L, a, b = p.skin_lab
    return np.array(
        [
            L, a, b, math.hypot(a, b), float(_hue_deg(a, b)), p.ita, p.mst,
            UNDERTONE_CODE[p.undertone], p.confidence,
            0.0 if p.finish is None else 1.0,
            UNSET if p.coverage is None else COVERAGES.index(p.coverage),
            UNSET if p.intensity is None else INTENSITIES.index(p.intensity),
            UNSET if p.occasion is None else OCCASIONS.index(p.occasion),
            0.0 if p.budget_sar is None else 1.0,
        ],
        dtype=np.float64,
    )  # fmt: skip


def build_features(profile: ShopperProfile, table: ItemTable) -> np.ndarray:
    """(n, N_FEATURES) float32 rows for one shopper against every item of the table."""
    n = len(table)
    shopper = shopper_vector(profile)
    skin = np.array(profile.skin_lab)
    lab = table.lab
    pair = np.empty((n, len(PAIR_FEATURES)), dtype=np.float64)
    pair[:, 0] = delta_e2000(skin[None, :], lab) if n else 0.0
    pair[:, 1] = skin[0] - lab[:, 0]  # positive: the shade is deeper than the skin
    pair[:, 2] = np.hypot(lab[:, 1], lab[:, 2]) - shopper[COL["skin_chroma"]]
    hue_diff = _hue_deg(lab[:, 1], lab[:, 2]) - shopper[COL["skin_hue"]]
    pair[:, 3] = (hue_diff + 180.0) % 360.0 - 180.0
    depth = table.block[:, ITEM_FEATURES.index("shade_depth")]
    pair[:, 4] = depth - profile.mst
    shade_tone = table.block[:, ITEM_FEATURES.index("shade_undertone")]
    skin_tone = UNDERTONE_CODE[profile.undertone]
    # 1 same undertone, 0.5 when one side is neutral, 0 for warm against cool
    pair[:, 5] = 1.0 - np.abs(shade_tone - skin_tone) / 2.0
    if profile.finish is None:
        pair[:, 6] = UNSET
    else:
        pair[:, 6] = table.block[:, ITEM_FEATURES.index(f"finish_{profile.finish}")]
    coverage = table.block[:, ITEM_FEATURES.index("item_coverage")]
    if profile.coverage is None:
        pair[:, 7] = UNSET
    else:
        pair[:, 7] = np.where(coverage == UNSET, UNSET, (coverage == COVERAGES.index(profile.coverage)) * 1.0)
    if profile.budget_sar is None:
        pair[:, 8] = 0.0
        pair[:, 9] = 1.0
    else:
        pair[:, 8] = table.price / profile.budget_sar
        pair[:, 9] = (table.price <= profile.budget_sar) * 1.0
    wanted = {s.lower() for s in profile.styles}
    pair[:, 10] = [len(s & wanted) / max(len(s), 1) if s else 0.0 for s in table.styles] if wanted else UNSET
    if profile.room_colors and n:
        room = np.array([hex_to_lab(c) for c in profile.room_colors])
        pair[:, 11] = delta_e2000(lab[:, None, :], room[None, :, :]).min(axis=1)
    else:
        pair[:, 11] = UNSET
    if profile.max_width_m is None:
        pair[:, 12] = UNSET
    else:
        pair[:, 12] = np.where(np.isnan(table.width), UNSET, (table.width <= profile.max_width_m) * 1.0)
    rows = np.concatenate([np.broadcast_to(shopper, (n, shopper.size)), table.block, pair], axis=1)
    return rows.astype(np.float32)


def check_finite(rows: np.ndarray, skus: list[str] | tuple[str, ...] = ()) -> None:
    """Refuse NaN/inf: a tree model would route them down a default branch and rank silently wrong."""
    bad = ~np.isfinite(rows)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        who = f" (item {skus[r]})" if skus else ""
        raise FeatureError(f"feature {FEATURE_NAMES[c]!r} is {rows[r, c]} in row {r}{who}; refusing to score")
