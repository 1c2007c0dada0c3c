from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class GapCell(BaseModel):
    """One Monk group and undertone: the best in-stock shade for its reference skin, and the
    opted-in shoppers of that tone in the period."""

    mst: int
    undertone: str
    best_sku: str | None  # None when the store has no shade of the kind in stock
    best_name_en: str | None
    best_name_ar: str | None
    best_hex: str | None
    delta_e: float | None
    grade: str  # close / near / none (recommender.shade_match)
    shoppers: int


class ShadeGap(BaseModel):
    store_id: str
    kind: str
    start: dt.date
    end: dt.date
    close_max_de: float
    near_max_de: float
    in_stock_shades: int
    cells: list[GapCell]  # MST 1..10 × warm, neutral, cool
    shoppers: int  # opted-in shoppers whose tone the kiosk recorded in the period
    shoppers_without_close_match: int  # of those, tones whose cell has no close in-stock shade
