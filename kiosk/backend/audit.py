"""The audit log of staff changes to catalogue, kiosks, users and shopper data."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer
from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kiosk.backend.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    store_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


def record(
    db: Session, user_id: int | None, action: str, entity: str, store_id: str | None = None, **detail
) -> None:
    """Add an audit row in the caller's transaction, so the change and its record commit together."""
    db.add(AuditEntry(user_id=user_id, store_id=store_id, action=action, entity=entity, detail=detail))


# `at` keeps the form the log has always had: isoformat(), offset written as +00:00.
IsoTime = Annotated[dt.datetime, PlainSerializer(lambda at: at.isoformat(), return_type=str)]


class AuditRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: IsoTime
    user_id: int | None
    store_id: str | None
    action: str
    entity: str
    detail: dict[str, Any]


def recent(db: Session, limit: int) -> list[AuditRow]:
    """The newest entries first; `limit` is held to 1..1000."""
    rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(limit, 1000))))
    return [AuditRow.model_validate(r) for r in rows]
