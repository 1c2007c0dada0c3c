"""The reporting period a dashboard, KPI or shade-gap request asks for, checked once for the API
and the admin pages alike (422 for a reversed or over-long range). It chains on `ReadStore`, whose
zone sets the default days, so a store the person may not read is refused (403) before that."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query

from kiosk.backend.db import utcnow
from kiosk.backend.deps import ReadStore
from kiosk.backend.localtime import in_zone

MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    first: dt.date
    last: dt.date  # inclusive


def valid_date_range(
    store: ReadStore,
    start: Annotated[dt.date | None, Query()] = None,
    end: Annotated[dt.date | None, Query()] = None,
) -> DateRange:
    """The days asked for, by default the last 30 ending today in the store's zone (events are
    filed under the store's local day, so a shop's evening is not split at UTC midnight)."""
    last = end or in_zone(utcnow(), store.timezone).date()
    first = start or last - dt.timedelta(days=29)
    if first > last or (last - first).days > MAX_RANGE_DAYS:
        raise HTTPException(422, f"start must be before end and at most {MAX_RANGE_DAYS} days apart")
    return DateRange(first, last)


Days = Annotated[DateRange, Depends(valid_date_range)]
