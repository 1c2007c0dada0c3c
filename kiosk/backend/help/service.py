"""Help requests: raised by kiosks, queued for the store's staff, acknowledged and resolved."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.backend.db import unit_of_work, utcnow
from kiosk.backend.help.models import HelpRequest
from kiosk.backend.help.schemas import HelpIn, HelpOut, HelpState
from kiosk.backend.kiosks.models import Kiosk


def raise_request(db: Session, kiosk: Kiosk, body: HelpIn) -> HelpRequest:
    with unit_of_work(db):
        req = HelpRequest(
            store_id=kiosk.store_id,
            kiosk_id=kiosk.id,
            session_id=str(body.session_id),
            reason=body.reason,
            note=body.note,
        )
        db.add(req)
    return req


def get_request(db: Session, store_id: str, help_id: int) -> HelpRequest | None:
    """The request, or None when there is none or it belongs to another store."""
    req = db.get(HelpRequest, help_id)
    return req if req is not None and req.store_id == store_id else None


def state_of(req: HelpRequest) -> HelpState:
    return HelpState(id=req.id, status=req.status, acknowledged_at=req.acknowledged_at)


def queue(db: Session, store_id: str, include_resolved: bool = False) -> list[HelpOut]:
    """Open and acknowledged requests, oldest first (plus the last resolved ones on request)."""
    q = (
        select(HelpRequest, Kiosk.name)
        .join(Kiosk, Kiosk.id == HelpRequest.kiosk_id)
        .where(HelpRequest.store_id == store_id)
        .order_by(HelpRequest.created_at, HelpRequest.id)
    )
    if not include_resolved:
        q = q.where(HelpRequest.status != "resolved")
    return [
        HelpOut(
            id=r.id,
            status=r.status,
            acknowledged_at=r.acknowledged_at,
            kiosk_id=r.kiosk_id,
            kiosk_name=name,
            reason=r.reason,
            note=r.note,
            created_at=r.created_at,
            resolved_at=r.resolved_at,
        )
        for r, name in db.execute(q.limit(200))
    ]


def acknowledge(db: Session, req: HelpRequest, user_id: int) -> None:
    with unit_of_work(db):
        if req.status == "open":
            req.status = "acknowledged"
            req.acknowledged_at = utcnow()
            req.acknowledged_by = user_id


def resolve(db: Session, req: HelpRequest, user_id: int) -> None:
    with unit_of_work(db):
        if req.status != "resolved":
            acknowledge(db, req, user_id)  # an unacknowledged request still gets a response time
            req.status = "resolved"
            req.resolved_at = utcnow()
