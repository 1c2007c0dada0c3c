"""Kiosk registration (one-time token), revocation, heartbeat, health classification and the
store's kiosk list."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.auth.service import sha256_hex
from kiosk.backend.db import unit_of_work, utcnow
from kiosk.backend.kiosks.models import Kiosk, ModelRelease
from kiosk.backend.kiosks.schemas import Heartbeat, KioskOut
from kiosk.backend.settings import BackendSettings


@dataclass(frozen=True)
class NewKiosk:
    kiosk: Kiosk
    token: str  # shown once; only its hash is stored


def create_kiosk(db: Session, store_id: str, name: str, actor_id: int | None) -> NewKiosk:
    token = secrets.token_urlsafe(32)  # 256 bits from the OS CSPRNG
    with unit_of_work(db):
        kiosk = Kiosk(store_id=store_id, name=name, token_hash=sha256_hex(token))
        db.add(kiosk)
        db.flush()
        audit.record(db, actor_id, "kiosk.create", f"kiosk:{kiosk.id}", store_id, name=name)
    return NewKiosk(kiosk=kiosk, token=token)


def revoke_kiosk(db: Session, kiosk: Kiosk, actor_id: int | None) -> None:
    with unit_of_work(db):
        if kiosk.revoked_at is None:
            kiosk.revoked_at = utcnow()
            audit.record(db, actor_id, "kiosk.revoke", f"kiosk:{kiosk.id}", kiosk.store_id)


def record_heartbeat(db: Session, kiosk: Kiosk, beat: Heartbeat) -> None:
    with unit_of_work(db):
        kiosk.software_version = beat.software_version
        kiosk.model_version = beat.model_version
        kiosk.fps = beat.fps
        kiosk.camera_state = beat.camera_state
        kiosk.uptime_s = beat.uptime_s
        kiosk.last_error = beat.last_error or ""
        kiosk.last_seen_at = utcnow()


def get_kiosk(db: Session, store_id: str, kiosk_id: int) -> Kiosk | None:
    """The kiosk, or None when there is none or it belongs to another store."""
    kiosk = db.get(Kiosk, kiosk_id)
    return kiosk if kiosk is not None and kiosk.store_id == store_id else None


def list_kiosks(db: Session, store_id: str) -> list[Kiosk]:
    return list(db.scalars(select(Kiosk).where(Kiosk.store_id == store_id).order_by(Kiosk.id)))


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


def kiosk_out(k: Kiosk, settings: BackendSettings) -> KioskOut:
    """What staff see of a kiosk, in the API and on the admin's kiosks page."""
    return KioskOut(
        id=k.id,
        store_id=k.store_id,
        name=k.name,
        health=health(k, settings),
        last_seen_at=k.last_seen_at,
        software_version=k.software_version,
        model_version=k.model_version,
        fps=k.fps,
        camera_state=k.camera_state,
        uptime_s=k.uptime_s,
        last_error=k.last_error,
        revoked=k.revoked_at is not None,
    )


def current_model(db: Session) -> ModelRelease | None:
    return db.scalar(
        select(ModelRelease).order_by(ModelRelease.published_at.desc(), ModelRelease.id.desc()).limit(1)
    )
