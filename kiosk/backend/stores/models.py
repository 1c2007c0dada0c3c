from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.backend.db import Base, UTCDateTime, utcnow
from kiosk.backend.localtime import DEFAULT_TIMEZONE


class Store(Base):
    """A shop. Catalogue, FAQ, kiosks and staff scopes all hang off it; the two version
    counters are bumped in SQL (never read-modify-write) so kiosks' ETags change atomically."""

    __tablename__ = "stores"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="SAR")
    # IANA zone every time shown to shoppers and staff is converted to (the database keeps UTC).
    timezone: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE
    )
    hours_en: Mapped[str] = mapped_column(Text, default="")
    hours_ar: Mapped[str] = mapped_column(Text, default="")
    returns_en: Mapped[str] = mapped_column(Text, default="")
    returns_ar: Mapped[str] = mapped_column(Text, default="")
    payment_en: Mapped[str] = mapped_column(Text, default="")
    payment_ar: Mapped[str] = mapped_column(Text, default="")
    catalogue_version: Mapped[int] = mapped_column(Integer, default=1)
    faq_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
