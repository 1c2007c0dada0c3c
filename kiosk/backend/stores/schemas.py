from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    name_en: str = Field(min_length=1, max_length=200)
    name_ar: str = Field(min_length=1, max_length=200)
    currency: str = Field(default="SAR", pattern="^[A-Z]{3}$")


class StoreOut(StoreIn):
    catalogue_version: int
    faq_version: int
