"""Staff-facing catalogue schemas. The product shape is the one of catalogue/schema.py
(the kiosk's catalogue JSON), so one JSON file can be imported, exported and pulled alike."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from catalogue import FINISHES, PRODUCT_KINDS, UNDERTONES
from vision.color import hex_to_rgb

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=4000)]
Tag = Annotated[str, Field(min_length=1, max_length=40)]


def _hex(value: str) -> str:
    hex_to_rgb(value)  # raises ValueError naming the bad value
    return "#" + value.strip().lstrip("#").lower()


class ShadeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Ident
    name_en: Name
    name_ar: Name
    hex: str = Field(examples=["#9e1b32"])
    finish: str
    undertone: str
    depth: int = Field(ge=1, le=10)
    stock: int = Field(ge=0, le=1_000_000)
    colors: list[str] = Field(default_factory=list, max_length=8)

    _hex_ok = field_validator("hex")(classmethod(lambda cls, v: _hex(v)))
    _colors_ok = field_validator("colors")(classmethod(lambda cls, v: [_hex(c) for c in v]))

    @field_validator("finish")
    @classmethod
    def _finish(cls, v: str) -> str:
        if v not in FINISHES:
            raise ValueError(f"finish must be one of {', '.join(FINISHES)}")
        return v

    @field_validator("undertone")
    @classmethod
    def _undertone(cls, v: str) -> str:
        if v not in UNDERTONES:
            raise ValueError(f"undertone must be one of {', '.join(UNDERTONES)}")
        return v


class ShadeOut(ShadeIn):
    lab: tuple[float, float, float]


class VariantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Ident
    name_en: Name
    name_ar: Name
    hex: str
    stock: int = Field(ge=0, le=1_000_000)

    _hex_ok = field_validator("hex")(classmethod(lambda cls, v: _hex(v)))


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Ident
    kind: str
    brand: Name
    name_en: Name
    name_ar: Name
    description_en: Text = ""
    description_ar: Text = ""
    price_sar: float = Field(ge=0, le=10_000_000)
    aisle: str = Field(default="", max_length=32)
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    image_url: str | None = Field(default=None, max_length=500, pattern=r"^(https?://|/)[^\s<>\"']*$")
    shades: list[ShadeIn] = Field(default_factory=list, max_length=200)
    model: str | None = Field(default=None, max_length=300)
    dimensions_m: tuple[float, float, float] | None = None
    variants: list[VariantIn] = Field(default_factory=list, max_length=50)
    style: list[Tag] = Field(default_factory=list, max_length=20)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in PRODUCT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(PRODUCT_KINDS)}")
        return v

    @field_validator("dimensions_m")
    @classmethod
    def _dims(cls, v):
        if v is not None and not all(0.01 <= d <= 20 for d in v):
            raise ValueError("each dimension must be between 0.01 and 20 metres")
        return v

    @model_validator(mode="after")
    def _unique_skus(self) -> ProductIn:
        skus = [s.sku for s in self.shades] + [v.sku for v in self.variants]
        dup = {s for s in skus if skus.count(s) > 1}
        if dup:
            raise ValueError(f"duplicate sku(s) in product: {', '.join(sorted(dup))}")
        return self


class ProductOut(ProductIn):
    shades: list[ShadeOut] = Field(default_factory=list)  # type: ignore[assignment]
    model_sha256: str | None = None
    updated_at: str


class ImportError_(BaseModel):
    row: int
    column: str
    reason: str


class ImportReport(BaseModel):
    imported: int
    errors: list[ImportError_] = Field(default_factory=list)


class ModelUploadResult(BaseModel):
    product_id: str
    format: str
    triangles: int
    vertices: int
    dimensions_m: tuple[float, float, float]
    sha256: str
    model: str


class KioskCatalogue(BaseModel):
    """`GET /api/v1/kiosk/catalogue`: the store's catalogue in catalogue/schema.py's shape; with
    `?since` only the products written after that version, plus the ids removed since."""

    store_id: str
    currency: str
    version: int
    products: list[ProductIn]
    since: int | None = Field(default=None, description="only in a delta")
    removed: list[str] | None = Field(default=None, description="only in a delta")
