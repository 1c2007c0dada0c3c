from __future__ import annotations

import csv
import io

from kiosk.backend.catalogue.csv_format import COLUMNS, LIST_SEPARATOR, neutralise
from kiosk.backend.catalogue.models import Product


def _fmt_number(x: float) -> str:
    return f"{x:g}"


def catalogue_csv(products: list[Product]) -> str:
    """The store's catalogue as CSV (UTF-8 with BOM so spreadsheets read the Arabic right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in products:
        base = [
            p.product_id,
            p.kind,
            p.brand,
            p.name_en,
            p.name_ar,
            p.description_en,
            p.description_ar,
            _fmt_number(p.price),
            p.aisle,
            LIST_SEPARATOR.join(p.tags),
            p.image_url or "",
            p.model_path or "",
            LIST_SEPARATOR.join(_fmt_number(d) for d in p.dimensions_m) if p.dimensions_m else "",
            LIST_SEPARATOR.join(p.style),
        ]
        rows = [
            [
                s.sku,
                s.name_en,
                s.name_ar,
                s.hex,
                s.finish,
                s.undertone,
                str(s.depth),
                str(s.stock),
                LIST_SEPARATOR.join(s.colors),
            ]
            for s in p.shades
        ] + [[v.sku, v.name_en, v.name_ar, v.hex, "", "", "", str(v.stock), ""] for v in p.variants]
        for shade in rows or [[""] * 9]:
            writer.writerow([neutralise(cell) for cell in base + shade])
    return "\ufeff" + out.getvalue()
