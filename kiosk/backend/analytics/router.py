from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Response

from kiosk.backend.analytics import service
from kiosk.backend.analytics.dependencies import Days
from kiosk.backend.analytics.schemas import Kpis
from kiosk.backend.catalogue.csv_format import neutralise
from kiosk.backend.deps import DB, StaffDep
from kiosk.backend.inputguard import RowIdQuery

staff_api = APIRouter(prefix="/api/v1/stores/{store_id}", tags=["analytics"])


@staff_api.get("/kpis")
def get_kpis(store_id: str, days: Days, staff: StaffDep, db: DB, kiosk_id: RowIdQuery = None) -> Kpis:
    return service.kpis(db, store_id, days.first, days.last, kiosk_id)


@staff_api.get("/kpis.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def kpis_csv(store_id: str, days: Days, staff: StaffDep, db: DB) -> Response:
    k = service.kpis(db, store_id, days.first, days.last)
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
