"""Kiosk registration (one-time token), revocation, heartbeat and health classification."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.auth.service import sha256_hex
from kiosk.backend.db import utcnow
from kiosk.backend.kiosks.models import Kiosk, ModelRelease
from kiosk.backend.settings import BackendSettings


@dataclass(frozen=True)
class NewKiosk:
    kiosk: Kiosk
    token: str  # shown once; only its hash is stored


def create_kiosk(db: Session, store_id: str, name: str, actor_id: int | None) -> NewKiosk:
    token = secrets.token_urlsafe(32)  # 256 bits from the OS CSPRNG
    kiosk = Kiosk(store_id=store_id, name=name, token_hash=sha256_hex(token))
    db.add(kiosk)
    db.flush()
    audit.record(db, actor_id, "kiosk.create", f"kiosk:{kiosk.id}", store_id, name=name)
    return NewKiosk(kiosk=kiosk, token=token)


def revoke_kiosk(db: Session, kiosk: Kiosk, actor_id: int | None) -> None:
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utcnow()
        audit.record(db, actor_id, "kiosk.revoke", f"kiosk:{kiosk.id}", kiosk.store_id)


def health(kiosk: Kiosk, settings: BackendSettings, now: dt.datetime | None = None) -> str:
    """healthy / stale / down / revoked / never-seen, from the last heartbeat and what it said."""
    if kiosk.revoked_at is not None:
        return "revoked"
    if kiosk.last_seen_at is None:
        return "never-seen"
    age = ((now or utcnow()) - kiosk.last_seen_at).total_seconds()
    if age > settings.kiosk_down_after_s:
        return "down"
    if age > settings.kiosk_stale_after_s or kiosk.camera_state != "ok" or kiosk.last_error:
        return "stale"
    return "healthy"


def current_model(db: Session) -> ModelRelease | None:
    return db.scalar(
        select(ModelRelease).order_by(ModelRelease.published_at.desc(), ModelRelease.id.desc()).limit(1)
    )
