"""Look-ups of a shopper's look: by the QR link's token on the public routes (404 unknown, 410
expired) and by the short code staff type at the till (404 outside the store). Both are
throttled per address before the look-up, since both are guessable by someone trying many."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path

from kiosk.backend.db import utcnow
from kiosk.backend.deps import DB, ManageStore
from kiosk.backend.handoff import service
from kiosk.backend.handoff.models import Handoff
from kiosk.backend.ratelimit import AddressThrottle

# token_urlsafe(16) is 22 characters; anything far off that shape is refused before a lookup.
Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
ShortCode = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9 ]+$")]


def live_look(token: Token, _throttle: AddressThrottle, db: DB) -> Handoff:
    handoff = service.by_token(db, token)
    if handoff is None:
        raise HTTPException(404, "no such look")
    if service.forget_expired_photo(db, handoff, utcnow()):
        raise HTTPException(410, "this look link has expired")
    return handoff


def valid_look_code(code: ShortCode, store: ManageStore, _throttle: AddressThrottle, db: DB) -> Handoff:
    handoff = service.by_code(db, store.id, code)
    if handoff is None:
        raise HTTPException(404, "no such look code in this store")
    return handoff


LiveLook = Annotated[Handoff, Depends(live_look)]
StoreLookCode = Annotated[Handoff, Depends(valid_look_code)]
