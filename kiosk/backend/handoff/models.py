from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.backend.db import Base, UTCDateTime, utcnow


class Handoff(Base):
    """A look sent to the shopper's phone, opened by /h/<token> (the QR link). The short `code`
    is printed on the page so staff can erase the session at the till; it opens nothing publicly.
    Items are copied (names, shades, prices) at creation so the page shows what the shopper saw
    even if the catalogue changes; the snapshot is kept only when the shopper ticked "include my
    photo", and is dropped as soon as the link has expired."""

    __tablename__ = "handoffs"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # short, for staff at the till
    # The link's secret: SHA-256 of a 128-bit random token, so a copy of the database opens no look.
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, index=True, nullable=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    kiosk_id: Mapped[int] = mapped_column(ForeignKey("kiosks.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(String(36), index=True)
    items: Mapped[list] = mapped_column(JSON, default=list)
    snapshot_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    views: Mapped[int] = mapped_column(Integer, default=0)
