from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class Ranked(BaseModel):
    key: str
    count: int


class DayRow(BaseModel):
    day: dt.date
    sessions: int
    tryons: int
    baskets: int
    handoffs: int


class Kpis(BaseModel):
    store_id: str
    start: dt.date
    end: dt.date
    kiosk_id: int | None
    sessions: int
    avg_duration_s: float | None
    consent_rate: float | None
    tryons_per_session: float | None
    recommendation_acceptance: float | None
    basket_conversion: float | None
    handoffs: int
    assistant_questions: int
    assistant_containment: float | None
    help_requests: int
    median_response_s: float | None
    top_products: list[Ranked]
    top_shades: list[Ranked]
    per_kiosk: list[Ranked]
    per_day: list[DayRow]
