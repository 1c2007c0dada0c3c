from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.backend.db import Base, UTCDateTime, utcnow


class Kiosk(Base):
    """A kiosk device. Its bearer token is stored only as SHA-256 (a 256-bit random token
    needs no slow hash); revoking sets revoked_at and the token stops working at once."""

    __tablename__ = "kiosks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    software_version: Mapped[str] = mapped_column(String(64), default="")
    model_version: Mapped[str] = mapped_column(String(64), default="")
    fps: Mapped[float] = mapped_column(Float, default=0.0)
    camera_state: Mapped[str] = mapped_column(String(8), default="none")
    uptime_s: Mapped[float] = mapped_column(Float, default=0.0)
    last_error: Mapped[str] = mapped_column(String(500), default="")


class ModelRelease(Base):
    """A published recommender model; the newest one is what kiosks download."""

    __tablename__ = "model_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
