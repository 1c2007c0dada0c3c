"""The shade-gap report as JSON, as a formula-safe CSV, and as an admin page (table + chart)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse

from kiosk.backend.admin.pages import render
from kiosk.backend.analytics.dependencies import DateRange, Days
from kiosk.backend.catalogue.csv_format import neutralise
from kiosk.backend.deps import DB, ReadStore, StaffDep
from kiosk.backend.shadegap import service
from kiosk.backend.shadegap.schemas import ShadeGap

staff_api = APIRouter(prefix="/api/v1/stores/{store_id}", tags=["shade gap"])
page = APIRouter(prefix="/admin", include_in_schema=False)

Kind = Annotated[Literal["foundation", "concealer"], Query()]


def _report(db, store_id: str, days: DateRange, kind: str) -> ShadeGap:
    try:
        return service.shade_gap(db, store_id, days.first, days.last, kind)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc


@staff_api.get("/shade-gap")
def get_shade_gap(
    store_id: str,
    days: Days,
    staff: StaffDep,
    db: DB,
    kind: Kind = "foundation",
) -> ShadeGap:
    return _report(db, store_id, days, kind)


@staff_api.get("/shade-gap.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def shade_gap_csv(
    store_id: str,
    days: Days,
    staff: StaffDep,
    db: DB,
    kind: Kind = "foundation",
) -> Response:
    gap = _report(db, store_id, days, kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["mst", "undertone", "best_sku", "best_name_en", "best_name_ar", "best_hex",
                     "delta_e2000", "grade", "shoppers"])  # fmt: skip
    for c in gap.cells:
        writer.writerow([
            c.mst, c.undertone, neutralise(c.best_sku or ""), neutralise(c.best_name_en or ""),
            neutralise(c.best_name_ar or ""), c.best_hex or "", "" if c.delta_e is None else c.delta_e,
            c.grade, c.shoppers,
        ])  # fmt: skip
    writer.writerow([])
    writer.writerow(["period", f"{gap.start.isoformat()}..{gap.end.isoformat()}"])
    writer.writerow(["shoppers_sharing_tone", gap.shoppers])
    writer.writerow(["shoppers_without_close_match", gap.shoppers_without_close_match])
    writer.writerow(["close_max_delta_e2000", gap.close_max_de])
    writer.writerow(["near_max_delta_e2000", gap.near_max_de])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="shade-gap-{store_id}-{kind}.csv"'},
    )


@page.get("/{store_id}/shade-gap", response_class=HTMLResponse)
def shade_gap_page(
    store_id: str,
    store: ReadStore,
    days: Days,
    request: Request,
    staff: StaffDep,
    db: DB,
    kind: Kind = "foundation",
):
    gap = _report(db, store_id, days, kind)
    rows = [gap.cells[i : i + 3] for i in range(0, len(gap.cells), 3)]
    return render(request, "shadegap.html", staff, store=store, gap=gap, rows=rows)
