"""The shade-gap report, computed from the store's shades as they are now (so an import or an
edit that empties a shelf shows at once) and the opted-in `skin_tone` events of the period.

A kiosk records a shopper's tone only as a Monk group and an undertone, so every shopper of a
cell is measured against the cell's reference skin (recommender.shade_match.reference_skin):
"no close match" means no in-stock shade within the `close` grade of that reference, judged
with today's shelf.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.backend.catalogue.models import Product, Shade
from kiosk.backend.sessions.models import SessionEvent
from kiosk.backend.shadegap.schemas import GapCell, ShadeGap
from recommender.shade_match import (
    CLOSE_MAX_DE,
    NEAR_MAX_DE,
    SKIN_MATCH_KINDS,
    grade_of,
    reference_skin,
)
from vision.color import delta_e2000

TONE_ORDER = ("warm", "neutral", "cool")  # as a shelf is labelled (W/N/C)


def _shoppers_by_tone(db: Session, store_id: str, start: dt.date, end: dt.date) -> dict[tuple[int, str], int]:
    """Distinct opted-in sessions per (mst, undertone); a session that corrected its tone counts
    once, with its last recorded tone."""
    rows = db.execute(
        select(SessionEvent.session_id, SessionEvent.data)
        .where(
            SessionEvent.store_id == store_id,
            SessionEvent.kind == "skin_tone",
            SessionEvent.day >= start,
            SessionEvent.day <= end,
        )
        .order_by(SessionEvent.at, SessionEvent.seq)
    )
    last: dict[str, tuple[int, str]] = {}
    for session_id, data in rows:
        last[session_id] = (int(data["mst"]), str(data["undertone"]))
    counts: dict[tuple[int, str], int] = {}
    for tone in last.values():
        counts[tone] = counts.get(tone, 0) + 1
    return counts


def shade_gap(db: Session, store_id: str, start: dt.date, end: dt.date, kind: str = "foundation") -> ShadeGap:
    if kind not in SKIN_MATCH_KINDS:
        raise ValueError(f"kind must be one of {SKIN_MATCH_KINDS}, got {kind!r}")
    shades = list(
        db.scalars(
            select(Shade)
            .join(Product, Shade.product_pk == Product.pk)
            .where(Product.store_id == store_id, Product.kind == kind, Shade.stock > 0)
            .order_by(Shade.sku)
        )
    )
    labs = np.array([(s.lab_l, s.lab_a, s.lab_b) for s in shades], dtype=np.float64).reshape(-1, 3)
    shoppers = _shoppers_by_tone(db, store_id, start, end)
    cells: list[GapCell] = []
    for mst in range(1, 11):
        for tone in TONE_ORDER:
            best, de = None, None
            if shades:
                dist = delta_e2000(np.array(reference_skin(mst, tone))[None, :], labs)
                i = int(np.argmin(dist))
                best, de = shades[i], round(float(dist[i]), 1)
            cells.append(
                GapCell(
                    mst=mst,
                    undertone=tone,
                    best_sku=best.sku if best else None,
                    best_name_en=best.name_en if best else None,
                    best_name_ar=best.name_ar if best else None,
                    best_hex=best.hex if best else None,
                    delta_e=de,
                    grade=grade_of(de) if de is not None else "none",
                    shoppers=shoppers.get((mst, tone), 0),
                )
            )
    return ShadeGap(
        store_id=store_id,
        kind=kind,
        start=start,
        end=end,
        close_max_de=CLOSE_MAX_DE,
        near_max_de=NEAR_MAX_DE,
        in_stock_shades=len(shades),
        cells=cells,
        shoppers=sum(shoppers.values()),
        shoppers_without_close_match=sum(c.shoppers for c in cells if c.grade != "close"),
    )
