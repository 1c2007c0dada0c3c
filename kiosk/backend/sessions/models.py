from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.backend.db import Base, UTCDateTime, utcnow


class SessionEvent(Base):
    """One append-only shopper-session event. `event_id` is the primary key, so a repeat is
    ignored by the database itself; product/shade/day are copied out of `data` at ingest so
    the dashboard can group in plain SQL on both SQLite and PostgreSQL."""

    __tablename__ = "session_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[str] = mapped_column(String(64), index=True)
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    product_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    shade_sku: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class IngestBatch(Base):
    """An acknowledged batch, remembered by (kiosk, Idempotency-Key) with the body's hash so a
    retry is answered again and a reused key with another body is refused."""

    __tablename__ = "ingest_batches"
    __table_args__ = (UniqueConstraint("kiosk_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    accepted: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
