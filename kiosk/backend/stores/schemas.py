from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.backend.localtime import DEFAULT_TIMEZONE, validate_timezone

# An IANA zone name zoneinfo knows (e.g. Asia/Riyadh, Asia/Dubai); bad names are a 422 that says so.
TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(validate_timezone)]


class StoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name_en: str = Field(min_length=1, max_length=200)
    name_ar: str = Field(min_length=1, max_length=200)
    currency: str = Field(default="SAR", pattern="^[A-Z]{3}$")
    timezone: TimeZoneName = DEFAULT_TIMEZONE


class StoreOut(StoreIn):
    catalogue_version: int
    faq_version: int
