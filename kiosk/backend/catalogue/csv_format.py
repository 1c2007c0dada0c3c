"""The catalogue's CSV layout (one row per shade or furniture variant; product columns repeat)
and the formula-injection guard shared by export and import."""

from __future__ import annotations

PRODUCT_COLUMNS = (
    "product_id",
    "kind",
    "brand",
    "name_en",
    "name_ar",
    "description_en",
    "description_ar",
    "price_sar",
    "aisle",
    "tags",
    "image_url",
    "model",
    "dimensions_m",
    "style",
)
SHADE_COLUMNS = (
    "sku",
    "shade_name_en",
    "shade_name_ar",
    "hex",
    "finish",
    "undertone",
    "depth",
    "stock",
    "colors",
)
COLUMNS = PRODUCT_COLUMNS + SHADE_COLUMNS
LIST_SEPARATOR = "|"

# A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix a would-be formula with an apostrophe so spreadsheets show it as text."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def restore(cell: str) -> str:
    """Undo `neutralise` so that an exported file imports back unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell
