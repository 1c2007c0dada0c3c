from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.backend.db import Base, UTCDateTime, utcnow


class Handoff(Base):
    """A look sent to the shopper's phone. Items are copied (names, shades, prices) at creation
    so the page shows what the shopper saw even if the catalogue changes; the snapshot is kept
    only when the shopper ticked "include my photo"."""

    __tablename__ = "handoffs"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    items: Mapped[list] = mapped_column(JSON, default=list)
    snapshot_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    views: Mapped[int] = mapped_column(Integer, default=0)
