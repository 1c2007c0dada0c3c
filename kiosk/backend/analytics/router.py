from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from kiosk.backend.analytics import service
from kiosk.backend.analytics.schemas import Kpis
from kiosk.backend.catalogue.csv_format import neutralise
from kiosk.backend.db import utcnow
from kiosk.backend.deps import DB, ReadStore, StaffDep
from kiosk.backend.inputguard import RowIdQuery
from kiosk.backend.localtime import in_zone

staff_api = APIRouter(prefix="/api/v1/stores/{store_id}", tags=["analytics"])

MAX_RANGE_DAYS = 366


def date_range(start: dt.date | None, end: dt.date | None, zone: str) -> tuple[dt.date, dt.date]:
    """The days asked for, by default the last 30 ending today in the store's zone (events are
    filed under the store's local day, so a shop's evening is not split at UTC midnight)."""
    end = end or in_zone(utcnow(), zone).date()
    start = start or end - dt.timedelta(days=29)
    if start > end or (end - start).days > MAX_RANGE_DAYS:
        raise HTTPException(422, f"start must be before end and at most {MAX_RANGE_DAYS} days apart")
    return start, end


Day = Annotated[dt.date | None, Query()]


@staff_api.get("/kpis")
def get_kpis(
    store_id: str,
    store: ReadStore,
    staff: StaffDep,
    db: DB,
    start: Day = None,
    end: Day = None,
    kiosk_id: RowIdQuery = None,
) -> Kpis:
    return service.kpis(db, store_id, *date_range(start, end, store.timezone), kiosk_id)


@staff_api.get("/kpis.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def kpis_csv(
    store_id: str, store: ReadStore, staff: StaffDep, db: DB, start: Day = None, end: Day = None
) -> Response:
    k = service.kpis(db, store_id, *date_range(start, end, store.timezone))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["day", "sessions", "tryons", "baskets", "handoffs"])
    for row in k.per_day:
        writer.writerow([row.day.isoformat(), row.sessions, row.tryons, row.baskets, row.handoffs])
    writer.writerow([])
    writer.writerow(["kpi", "value"])
    for name in (
        "sessions",
        "avg_duration_s",
        "consent_rate",
        "tryons_per_session",
        "recommendation_acceptance",
        "basket_conversion",
        "handoffs",
        "assistant_containment",
        "help_requests",
        "median_response_s",
    ):
        value = getattr(k, name)
        writer.writerow([name, "" if value is None else value])
    for ranked in k.top_products:
        writer.writerow([neutralise(f"top_product:{ranked.key}"), ranked.count])
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="kpis-{store_id}.csv"'},
    )
