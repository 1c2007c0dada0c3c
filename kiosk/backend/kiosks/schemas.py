from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    software_version: str = Field(max_length=64)
    model_version: str = Field(default="", max_length=64)
    fps: float = Field(ge=0, le=1000)
    camera_state: Literal["ok", "lost", "none"]
    uptime_s: float = Field(ge=0, le=10 * 365 * 86400)
    last_error: str | None = Field(default=None, max_length=500)


class HeartbeatReply(BaseModel):
    server_time: dt.datetime
    catalogue_version: int
    model_version: str | None
    settings: dict[str, int | float | str | bool]


class ModelInfo(BaseModel):
    version: str
    sha256: str
    size: int
    url: str


class KioskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)


class KioskOut(BaseModel):
    id: int
    store_id: str
    name: str
    health: str
    last_seen_at: dt.datetime | None
    software_version: str
    model_version: str
    fps: float
    camera_state: str
    uptime_s: float
    last_error: str
    revoked: bool


class KioskCreated(KioskOut):
    token: str = Field(description="shown once; store it on the kiosk")
