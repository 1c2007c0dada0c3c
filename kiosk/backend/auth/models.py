from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.backend.db import Base, UTCDateTime, utcnow
from kiosk.backend.stores.models import Store

ROLES = ("admin", "manager", "staff")

user_stores = Table(
    "user_stores",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    stores: Mapped[list[Store]] = relationship(secondary=user_stores, lazy="selectin")

    def can_access(self, store_id: str) -> bool:
        """Admins see every store; managers and staff only the stores they are assigned to."""
        return self.role == "admin" or any(s.id == store_id for s in self.stores)


class StaffSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie value is stored, so a database
    leak does not hand out live sessions."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """One checked sign-in (who, from where, whether it worked), kept a day for looking into
    attacks. The throttling itself runs on `LoginThrottle` rows."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    email: Mapped[str] = mapped_column(String(254))
    success: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginThrottle(Base):
    """A sign-in failure budget's count in its current window (see auth/throttle.py)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)  # failures (and attempts in flight) in this window
    window_start: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
