from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

from kiosk.backend.catalogue.schemas import Ident

MAX_SNAPSHOT_BYTES = 300 * 1024


class HandoffItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: Ident
    shade_sku: Ident | None = None


class HandoffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID
    items: list[HandoffItem] = Field(min_length=1, max_length=20)
    snapshot_jpeg_b64: str | None = Field(
        default=None,
        max_length=(MAX_SNAPSHOT_BYTES * 4) // 3 + 4,
        description="only when the shopper chose to share it",
    )


class HandoffCreated(BaseModel):
    code: str = Field(description="8 characters for a person to read; opens nothing publicly")
    url: str = Field(description="/h/<token>, the QR link; the token carries 128 random bits")
    expires_at: dt.datetime


class SessionDeleted(BaseModel):
    code: str
    session_id: str
    events_deleted: int
