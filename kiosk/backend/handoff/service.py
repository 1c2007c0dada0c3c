"""Looks a kiosk hands to a shopper's phone: creating one (with its 128-bit link token, stored
hashed), finding it by token or short code, counting its views and dropping an expired photo."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.backend.auth.service import sha256_hex
from kiosk.backend.catalogue.service import get_product
from kiosk.backend.db import unit_of_work, utcnow
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.handoff.schemas import MAX_SNAPSHOT_BYTES, HandoffIn
from kiosk.backend.kiosks.models import Kiosk
from kiosk.backend.stores.models import Store

# The short code is only for a person to read out or type (staff erasing a session at the till,
# behind sign-in and a per-address throttle); it opens nothing publicly. No 0/O, 1/I/L.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
TOKEN_BYTES = 16  # the QR link's secret: 128 bits from the OS CSPRNG (DESIGN.md, privacy)


class HandoffRejected(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class NewHandoff:
    handoff: Handoff
    token: str  # goes into the link once; only its hash is stored


def _snapshot(b64: str | None) -> bytes | None:
    if b64 is None:
        return None
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise HandoffRejected("snapshot_jpeg_b64", "not valid base64") from None
    if len(raw) > MAX_SNAPSHOT_BYTES:
        raise HandoffRejected("snapshot_jpeg_b64", f"snapshot larger than {MAX_SNAPSHOT_BYTES} bytes")
    if not raw.startswith(b"\xff\xd8\xff"):
        raise HandoffRejected("snapshot_jpeg_b64", "snapshot is not a JPEG image")
    return raw


def create(db: Session, kiosk: Kiosk, body: HandoffIn, ttl_minutes: int) -> NewHandoff:
    items = []
    for i, item in enumerate(body.items):
        product = get_product(db, kiosk.store_id, item.product_id)
        if product is None:
            raise HandoffRejected(f"items.{i}.product_id", f"no product {item.product_id} in this store")
        shade = None
        if item.shade_sku is not None:
            shade = next((s for s in product.shades if s.sku == item.shade_sku), None) or next(
                (v for v in product.variants if v.sku == item.shade_sku), None
            )
            if shade is None:
                raise HandoffRejected(
                    f"items.{i}.shade_sku", f"no shade {item.shade_sku} in {item.product_id}"
                )
        items.append(
            {
                "product_id": product.product_id,
                "brand": product.brand,
                "name_en": product.name_en,
                "name_ar": product.name_ar,
                "price": product.price,
                "aisle": product.aisle,
                "shade_sku": shade.sku if shade else None,
                "shade_name_en": shade.name_en if shade else None,
                "shade_name_ar": shade.name_ar if shade else None,
                "hex": shade.hex if shade else None,
            }
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    handoff = Handoff(
        code=new_code(),
        token_sha256=sha256_hex(token),
        store_id=kiosk.store_id,
        kiosk_id=kiosk.id,
        session_id=str(body.session_id),
        items=items,
        snapshot_jpeg=_snapshot(body.snapshot_jpeg_b64),
        expires_at=utcnow() + dt.timedelta(minutes=ttl_minutes),
    )
    with unit_of_work(db):
        db.add(handoff)
    return NewHandoff(handoff=handoff, token=token)


def by_token(db: Session, token: str) -> Handoff | None:
    return db.scalar(select(Handoff).where(Handoff.token_sha256 == sha256_hex(token)))


def by_code(db: Session, store_id: str, code: str) -> Handoff | None:
    """The look with this short code (as a person types it), or None outside the store."""
    handoff = db.get(Handoff, code.strip().upper())
    return handoff if handoff is not None and handoff.store_id == store_id else None


def forget_expired_photo(db: Session, handoff: Handoff, now: dt.datetime) -> bool:
    """Drops the photo of an expired look at once, committed even though the caller goes on to
    answer 410 (the purge removes the rest of the row later); True when the look has expired."""
    if handoff.expires_at >= now:
        return False
    if handoff.snapshot_jpeg is not None:
        with unit_of_work(db):
            handoff.snapshot_jpeg = None
    return True


def store_of(db: Session, handoff: Handoff) -> Store:
    return db.get(Store, handoff.store_id)


def count_view(db: Session, handoff: Handoff) -> None:
    with unit_of_work(db):
        handoff.views += 1
