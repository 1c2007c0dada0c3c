from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from kiosk.backend.localtime import DEFAULT_TIMEZONE
from kiosk.backend.stores.schemas import TimeZoneName

LongText = Annotated[str, Field(min_length=1, max_length=2000)]


class FaqIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_en: LongText
    question_ar: LongText
    answer_en: LongText
    answer_ar: LongText
    tags: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=20
    )


class FaqOut(FaqIn):
    id: int


class StoreInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name_en: str = Field(min_length=1, max_length=200)
    name_ar: str = Field(min_length=1, max_length=200)
    hours_en: str = Field(default="", max_length=2000)
    hours_ar: str = Field(default="", max_length=2000)
    returns_en: str = Field(default="", max_length=2000)
    returns_ar: str = Field(default="", max_length=2000)
    payment_en: str = Field(default="", max_length=2000)
    payment_ar: str = Field(default="", max_length=2000)
    timezone: TimeZoneName = DEFAULT_TIMEZONE


class KioskFaq(BaseModel):
    version: int
    entries: list[FaqOut]
    store: StoreInfo
