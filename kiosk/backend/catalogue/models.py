from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiosk.backend.db import Base, UTCDateTime, utcnow


class Product(Base):
    """One product of one store's catalogue (price, stock and aisle differ per store)."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("store_id", "product_id"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    brand: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_ar: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[float] = mapped_column(Float)
    aisle: Mapped[str] = mapped_column(String(32), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    image_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    model_path: Mapped[str | None] = mapped_column(String(300), nullable=True)
    model_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model_triangles: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dimensions_m: Mapped[list | None] = mapped_column(JSON, nullable=True)
    style: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    changed_in: Mapped[int] = mapped_column(
        Integer, default=0
    )  # the store catalogue version of the last write
    shades: Mapped[list[Shade]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Shade.position", lazy="selectin"
    )
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.position", lazy="selectin"
    )


class Shade(Base):
    __tablename__ = "shades"
    __table_args__ = (UniqueConstraint("store_id", "sku"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_pk: Mapped[int] = mapped_column(ForeignKey("products.pk", ondelete="CASCADE"), index=True)
    store_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    sku: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    hex: Mapped[str] = mapped_column(String(7))
    lab_l: Mapped[float] = mapped_column(Float)
    lab_a: Mapped[float] = mapped_column(Float)
    lab_b: Mapped[float] = mapped_column(Float)
    finish: Mapped[str] = mapped_column(String(16))
    undertone: Mapped[str] = mapped_column(String(16))
    depth: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    colors: Mapped[list] = mapped_column(JSON, default=list)
    product: Mapped[Product] = relationship(back_populates="shades")


class Variant(Base):
    """A furniture material/colour option."""

    __tablename__ = "variants"
    __table_args__ = (UniqueConstraint("store_id", "sku"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_pk: Mapped[int] = mapped_column(ForeignKey("products.pk", ondelete="CASCADE"), index=True)
    store_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    sku: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    hex: Mapped[str] = mapped_column(String(7))
    stock: Mapped[int] = mapped_column(Integer, default=0)
    product: Mapped[Product] = relationship(back_populates="variants")


class RemovedProduct(Base):
    """A deleted product, kept so a kiosk pulling `?since=<version>` learns to drop it."""

    __tablename__ = "removed_products"

    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    removed_in: Mapped[int] = mapped_column(Integer)
