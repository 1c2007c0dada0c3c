"""The catalogue as the shopper's screen sees it, and the bridge from taps to a `Look`.

The page gets one JSON document (products grouped by makeup kind, shades with swatch colours,
full-look presets) so that it can draw every screen without asking again; the pipeline gets a
`vision.makeup.Look` built from the shopper's current selections.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from catalogue import MAKEUP_KINDS, PAINT_ORDER, Catalogue, Product, Shade, kind
from vision.makeup import Layer, Look

PRESETS_FILE = Path(__file__).with_name("presets.json")


@dataclass(frozen=True)
class Selection:
    """One product on the shopper's face."""

    product_id: str
    sku: str
    intensity: float


@dataclass(frozen=True)
class Preset:
    id: str
    name_en: str
    name_ar: str
    items: tuple[Selection, ...]


def load_presets(catalogue: Catalogue, path: Path = PRESETS_FILE) -> tuple[Preset, ...]:
    """Presets whose every shade is in this catalogue (a partial look would mislead)."""
    raw = json.loads(path.read_text(encoding="utf-8"))["presets"]
    presets = []
    for p in raw:
        items = []
        for item in p["items"]:
            try:
                product, shade = catalogue.shade(item["sku"])
            except KeyError:
                break
            items.append(Selection(product.id, shade.sku, float(item.get("intensity", 1.0))))
        else:
            presets.append(Preset(p["id"], p["name_en"], p["name_ar"], tuple(items)))
    return tuple(presets)


def shade_layer(product: Product, shade: Shade, intensity: float) -> Layer:
    colors = (shade.hex, *shade.colors)[: kind(product.kind).max_colors]
    return Layer(kind=product.kind, colors=colors, finish=shade.finish, intensity=intensity)


def build_look(catalogue: Catalogue, selections: dict[str, Selection]) -> Look:
    """Selections keyed by kind → a Look painted in vision's order (base first, lips last)."""
    layers = []
    for kind_id in PAINT_ORDER:
        sel = selections.get(kind_id)
        if sel is None:
            continue
        product, shade = catalogue.shade(sel.sku)
        layers.append(shade_layer(product, shade, sel.intensity))
    return Look(tuple(layers))


def _shade_json(shade: Shade) -> dict:
    return {
        "sku": shade.sku,
        "name_en": shade.name_en,
        "name_ar": shade.name_ar,
        "hex": shade.hex,
        "colors": [shade.hex, *shade.colors],
        "finish": shade.finish,
        "undertone": shade.undertone,
        "depth": shade.depth,
        "in_stock": shade.stock > 0,
    }


def _product_json(product: Product) -> dict:
    return {
        "id": product.id,
        "kind": product.kind,
        "brand": product.brand,
        "name_en": product.name_en,
        "name_ar": product.name_ar,
        "description_en": product.description_en,
        "description_ar": product.description_ar,
        "price": product.price_sar,
        "aisle": product.aisle,
        "shades": [_shade_json(s) for s in product.shades],
    }


def catalogue_json(catalogue: Catalogue, presets: tuple[Preset, ...]) -> dict:
    kinds = [k for k in MAKEUP_KINDS if catalogue.by_kind(k)]
    return {
        "version": catalogue.version,
        "currency": catalogue.currency,
        "kinds": [{"id": k, "name_en": kind(k).name_en, "name_ar": kind(k).name_ar} for k in kinds],
        "products": [_product_json(p) for k in kinds for p in catalogue.by_kind(k)],
        "furniture": [
            {
                "id": p.id,
                "brand": p.brand,
                "name_en": p.name_en,
                "name_ar": p.name_ar,
                "price": p.price_sar,
                "dimensions_m": list(p.dimensions_m) if p.dimensions_m else None,
                "variants": [
                    {
                        "sku": v.sku,
                        "name_en": v.name_en,
                        "name_ar": v.name_ar,
                        "hex": v.hex,
                        "in_stock": v.stock > 0,
                    }
                    for v in p.variants
                ],
            }
            for p in catalogue.by_kind("furniture")
            if p.model
        ],
        "presets": [
            {
                "id": p.id,
                "name_en": p.name_en,
                "name_ar": p.name_ar,
                "swatches": [catalogue.shade(i.sku)[1].hex for i in p.items],
            }
            for p in presets
        ],
    }
