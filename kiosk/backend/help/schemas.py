from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class HelpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID
    reason: Literal["shopper", "assistant"]
    note: str = Field(
        default="", max_length=200, description="kiosk-made context (e.g. the intent), never shopper words"
    )


class HelpCreated(BaseModel):
    id: int
    status: Literal["open"]


class HelpState(BaseModel):
    id: int
    status: Literal["open", "acknowledged", "resolved"]
    acknowledged_at: dt.datetime | None


class HelpOut(HelpState):
    kiosk_id: int
    kiosk_name: str
    reason: str
    note: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None
