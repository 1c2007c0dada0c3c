"""Dashboard KPIs per store, kiosk and day, computed from the append-only session events."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.backend.analytics.schemas import DayRow, Kpis, Ranked
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.kiosks.models import Kiosk
from kiosk.backend.sessions.models import SessionEvent


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def kpis(db: Session, store_id: str, start: dt.date, end: dt.date, kiosk_id: int | None = None) -> Kpis:
    where = [SessionEvent.store_id == store_id, SessionEvent.day >= start, SessionEvent.day <= end]
    if kiosk_id is not None:
        where.append(SessionEvent.kiosk_id == kiosk_id)
    counts = dict(
        db.execute(select(SessionEvent.kind, func.count()).where(*where).group_by(SessionEvent.kind)).all()
    )
    sessions = counts.get("session_started", 0)

    def distinct_sessions(kind: str) -> int:
        q = select(func.count(func.distinct(SessionEvent.session_id))).where(
            *where, SessionEvent.kind == kind
        )
        return db.scalar(q) or 0

    def top(column) -> list[Ranked]:
        q = (
            select(column, func.count())
            .where(*where, SessionEvent.kind == "product_tried", column.is_not(None))
            .group_by(column)
            .order_by(func.count().desc(), column)
            .limit(5)
        )
        return [Ranked(key=k, count=n) for k, n in db.execute(q)]

    # Durations and assistant outcomes sit in the JSON payload; reading them in Python keeps one
    # query that works the same on SQLite and PostgreSQL.
    durations, answered, escalated = [], 0, 0
    for kind, data in db.execute(
        select(SessionEvent.kind, SessionEvent.data).where(
            *where, SessionEvent.kind.in_(("session_ended", "assistant_question"))
        )
    ):
        if kind == "session_ended":
            durations.append(data.get("duration_ms", 0) / 1000)
        elif data.get("answered") and not data.get("escalated"):
            answered += 1
        elif data.get("escalated"):
            escalated += 1

    per_day: dict[dt.date, Counter] = defaultdict(Counter)
    for day, kind, n in db.execute(
        select(SessionEvent.day, SessionEvent.kind, func.count())
        .where(
            *where, SessionEvent.kind.in_(("session_started", "product_tried", "added_to_basket", "handoff"))
        )
        .group_by(SessionEvent.day, SessionEvent.kind)
    ):
        per_day[day][kind] = n
    per_kiosk = [
        Ranked(key=name, count=n)
        for name, n in db.execute(
            select(Kiosk.name, func.count())
            .select_from(SessionEvent)
            .join(Kiosk, Kiosk.id == SessionEvent.kiosk_id)
            .where(*where, SessionEvent.kind == "session_started")
            .group_by(Kiosk.name)
            .order_by(func.count().desc())
        )
    ]

    start_dt = dt.datetime.combine(start, dt.time(), dt.UTC)
    end_dt = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    help_where = [
        HelpRequest.store_id == store_id,
        HelpRequest.created_at >= start_dt,
        HelpRequest.created_at < end_dt,
    ]
    if kiosk_id is not None:
        help_where.append(HelpRequest.kiosk_id == kiosk_id)
    helps = db.execute(select(HelpRequest.created_at, HelpRequest.acknowledged_at).where(*help_where)).all()
    waits = [(ack - created).total_seconds() for created, ack in helps if ack is not None]
    questions = counts.get("assistant_question", 0)
    return Kpis(
        store_id=store_id,
        start=start,
        end=end,
        kiosk_id=kiosk_id,
        sessions=sessions,
        avg_duration_s=round(statistics.fmean(durations), 1) if durations else None,
        consent_rate=_ratio(
            counts.get("consent_given", 0), counts.get("consent_given", 0) + counts.get("consent_declined", 0)
        ),
        tryons_per_session=_ratio(counts.get("product_tried", 0), sessions),
        recommendation_acceptance=_ratio(
            counts.get("recommendation_accepted", 0), counts.get("recommendation_shown", 0)
        ),
        basket_conversion=_ratio(distinct_sessions("added_to_basket"), sessions),
        handoffs=counts.get("handoff", 0),
        assistant_questions=questions,
        assistant_containment=_ratio(questions - escalated, questions),
        help_requests=len(helps),
        median_response_s=round(statistics.median(waits), 1) if waits else None,
        top_products=top(SessionEvent.product_id),
        top_shades=top(SessionEvent.shade_sku),
        per_kiosk=per_kiosk,
        per_day=[
            DayRow(
                day=day,
                sessions=c["session_started"],
                tryons=c["product_tried"],
                baskets=c["added_to_basket"],
                handoffs=c["handoff"],
            )
            for day, c in sorted(per_day.items())
        ],
    )
