"""The product catalogue as the kiosk, the recommender and the backend's demo seed see it.

One typed schema for every consumer so that a shade's colour, finish and stock mean the same
thing everywhere. The JSON on disk (assets/catalogue/demo_catalogue.json, or the copy a kiosk
pulled from the backend) is validated on load; a bad file raises CatalogueError naming the
product and field at fault.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.kinds import FINISHES, PRODUCT_KINDS, UNDERTONES
from vision.color import hex_to_lab, hex_to_rgb

DEMO_CATALOGUE = Path(__file__).resolve().parent.parent / "assets" / "catalogue" / "demo_catalogue.json"


class CatalogueError(ValueError):
    """The catalogue file is unreadable or a record breaks the schema."""


@dataclass(frozen=True)
class Shade:
    sku: str
    name_en: str
    name_ar: str
    hex: str
    finish: str
    undertone: str
    depth: int  # 1 (fairest) .. 10 (deepest), on the Monk scale
    stock: int
    colors: tuple[str, ...] = ()  # extra colours of a multi-colour layer (eyeshadow palettes)

    @property
    def lab(self) -> tuple[float, float, float]:
        L, a, b = hex_to_lab(self.hex)
        return float(L), float(a), float(b)


@dataclass(frozen=True)
class Variant:
    """A furniture material/colour option."""

    sku: str
    name_en: str
    name_ar: str
    hex: str
    stock: int


@dataclass(frozen=True)
class Product:
    id: str
    kind: str
    brand: str
    name_en: str
    name_ar: str
    description_en: str
    description_ar: str
    price_sar: float
    aisle: str
    tags: tuple[str, ...]
    shades: tuple[Shade, ...] = ()
    # furniture only
    model: str | None = None  # path under assets/furniture/
    dimensions_m: tuple[float, float, float] | None = None  # width, depth, height
    variants: tuple[Variant, ...] = ()
    style: tuple[str, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    store_id: str
    currency: str
    version: int
    products: tuple[Product, ...] = field(default_factory=tuple)

    def by_kind(self, kind: str) -> list[Product]:
        return [p for p in self.products if p.kind == kind]

    def shade(self, sku: str) -> tuple[Product, Shade]:
        for product in self.products:
            for shade in product.shades:
                if shade.sku == sku:
                    return product, shade
        raise KeyError(sku)


def _shade(raw: dict, where: str) -> Shade:
    hex_to_rgb(raw["hex"])  # raises with the bad value
    for extra in raw.get("colors", []):
        hex_to_rgb(extra)
    if raw["finish"] not in FINISHES:
        raise CatalogueError(f"{where}: finish {raw['finish']!r} is not one of {FINISHES}")
    if raw["undertone"] not in UNDERTONES:
        raise CatalogueError(f"{where}: undertone {raw['undertone']!r} is not one of {UNDERTONES}")
    if not 1 <= int(raw["depth"]) <= 10:
        raise CatalogueError(f"{where}: depth must be 1..10")
    return Shade(
        sku=raw["sku"],
        name_en=raw["name_en"],
        name_ar=raw["name_ar"],
        hex=raw["hex"].lower(),
        finish=raw["finish"],
        undertone=raw["undertone"],
        depth=int(raw["depth"]),
        stock=int(raw["stock"]),
        colors=tuple(c.lower() for c in raw.get("colors", [])),
    )


def _product(raw: dict) -> Product:
    where = f"product {raw.get('id', '?')}"
    if raw.get("kind") not in PRODUCT_KINDS:
        raise CatalogueError(f"{where}: kind {raw.get('kind')!r} is not one of {PRODUCT_KINDS}")
    try:
        dims = raw.get("dimensions_m")
        return Product(
            id=raw["id"],
            kind=raw["kind"],
            brand=raw["brand"],
            name_en=raw["name_en"],
            name_ar=raw["name_ar"],
            description_en=raw.get("description_en", ""),
            description_ar=raw.get("description_ar", ""),
            price_sar=float(raw["price_sar"]),
            aisle=raw["aisle"],
            tags=tuple(raw.get("tags", [])),
            shades=tuple(_shade(s, f"{where} shade {s.get('sku', '?')}") for s in raw.get("shades", [])),
            model=raw.get("model"),
            dimensions_m=tuple(float(d) for d in dims) if dims else None,
            variants=tuple(Variant(**v) for v in raw.get("variants", [])),
            style=tuple(raw.get("style", [])),
        )
    except KeyError as exc:
        raise CatalogueError(f"{where}: missing field {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        raise CatalogueError(f"{where}: {exc}") from exc


def parse_catalogue(data: dict) -> Catalogue:
    try:
        products = tuple(_product(p) for p in data["products"])
        return Catalogue(
            store_id=data["store_id"],
            currency=data.get("currency", "SAR"),
            version=int(data["version"]),
            products=products,
        )
    except KeyError as exc:
        raise CatalogueError(f"catalogue: missing field {exc.args[0]!r}") from exc


def load_catalogue(path: Path = DEMO_CATALOGUE) -> Catalogue:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"cannot read catalogue {path}: {exc}") from exc
    return parse_catalogue(data)
