"""Catalogue reads and writes for one store. Every write bumps the store's catalogue version
in SQL, which is the ETag kiosks poll with, and is a unit of work (`db.unit_of_work`): its own
commit when a route calls it, one step of the import when the importer does."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.catalogue.models import Product, RemovedProduct, Shade, Variant
from kiosk.backend.catalogue.schemas import ProductIn, ProductOut, ShadeOut
from kiosk.backend.db import unit_of_work
from kiosk.backend.stores.models import Store
from vision.color import hex_to_lab


class SkuTaken(ValueError):
    pass


class ProductExists(ValueError):
    pass


def bump_catalogue_version(db: Session, store_id: str) -> int:
    """Increments the store's catalogue version in SQL (the row lock orders concurrent writers)
    and returns the new value."""
    db.execute(
        update(Store).where(Store.id == store_id).values(catalogue_version=Store.catalogue_version + 1)
    )
    return db.scalar(select(Store.catalogue_version).where(Store.id == store_id))


def list_products(db: Session, store_id: str) -> list[Product]:
    return list(
        db.scalars(
            select(Product).where(Product.store_id == store_id).order_by(Product.kind, Product.product_id)
        )
    )


def get_product(db: Session, store_id: str, product_id: str) -> Product | None:
    return db.scalar(select(Product).where(Product.store_id == store_id, Product.product_id == product_id))


def _shade_row(store_id: str, position: int, s) -> Shade:
    L, a, b = (float(x) for x in hex_to_lab(s.hex))
    return Shade(
        store_id=store_id,
        position=position,
        sku=s.sku,
        name_en=s.name_en,
        name_ar=s.name_ar,
        hex=s.hex,
        lab_l=L,
        lab_a=a,
        lab_b=b,
        finish=s.finish,
        undertone=s.undertone,
        depth=s.depth,
        stock=s.stock,
        colors=list(s.colors),
    )


def _check_skus_free(db: Session, store_id: str, data: ProductIn, own_pk: int | None) -> None:
    shade_skus = [s.sku for s in data.shades]
    variant_skus = [v.sku for v in data.variants]
    for model, skus in ((Shade, shade_skus), (Variant, variant_skus)):
        if not skus:
            continue
        clash = db.scalars(
            select(model.sku).where(
                model.store_id == store_id, model.sku.in_(skus), model.product_pk != (own_pk or -1)
            )
        ).all()
        if clash:
            raise SkuTaken(f"sku(s) already used by another product: {', '.join(sorted(clash))}")


def create_product(db: Session, store_id: str, data: ProductIn, actor_id: int | None) -> Product:
    """A new product; ProductExists when the id is taken (a change goes through upsert_product)."""
    with unit_of_work(db):
        if get_product(db, store_id, data.id) is not None:
            raise ProductExists(f"product {data.id} already exists; use PUT to change it")
        return upsert_product(db, store_id, data, actor_id)


def upsert_product(db: Session, store_id: str, data: ProductIn, actor_id: int | None) -> Product:
    """Create or replace one product (its shades and variants included). The model file fields
    survive an edit that does not mention them."""
    with unit_of_work(db):
        product = get_product(db, store_id, data.id)
        _check_skus_free(db, store_id, data, product.pk if product else None)
        created = product is None
        if created:
            product = Product(store_id=store_id, product_id=data.id)
            db.add(product)
        else:
            product.shades.clear()
            product.variants.clear()
            db.flush()  # the old SKUs must be gone before the new rows reuse them
        product.kind = data.kind
        product.brand = data.brand
        product.name_en, product.name_ar = data.name_en, data.name_ar
        product.description_en, product.description_ar = data.description_en, data.description_ar
        product.price = data.price_sar
        product.aisle = data.aisle
        product.tags = list(data.tags)
        product.image_url = data.image_url
        if data.model is not None:
            product.model_path = data.model
        product.dimensions_m = list(data.dimensions_m) if data.dimensions_m else None
        product.style = list(data.style)
        product.shades.extend(_shade_row(store_id, i, s) for i, s in enumerate(data.shades))
        product.variants.extend(
            Variant(
                store_id=store_id,
                position=i,
                sku=v.sku,
                name_en=v.name_en,
                name_ar=v.name_ar,
                hex=v.hex,
                stock=v.stock,
            )
            for i, v in enumerate(data.variants)
        )
        product.changed_in = bump_catalogue_version(db, store_id)
        db.execute(
            delete(RemovedProduct).where(
                RemovedProduct.store_id == store_id, RemovedProduct.product_id == data.id
            )
        )
        audit.record(
            db,
            actor_id,
            "product.create" if created else "product.update",
            f"product:{data.id}",
            store_id,
            shades=len(data.shades),
        )
        db.flush()
    return product


def delete_product(db: Session, product: Product, actor_id: int | None) -> None:
    store_id = product.store_id
    with unit_of_work(db):
        db.delete(product)
        version = bump_catalogue_version(db, store_id)
        db.merge(RemovedProduct(store_id=store_id, product_id=product.product_id, removed_in=version))
        audit.record(db, actor_id, "product.delete", f"product:{product.product_id}", store_id)


def product_json(p: Product) -> dict:
    """The product in catalogue/schema.py's schema (what kiosks, import and export use)."""
    out = {
        "id": p.product_id,
        "kind": p.kind,
        "brand": p.brand,
        "name_en": p.name_en,
        "name_ar": p.name_ar,
        "description_en": p.description_en,
        "description_ar": p.description_ar,
        "price_sar": p.price,
        "aisle": p.aisle,
        "tags": list(p.tags),
        "image_url": p.image_url,
        "shades": [
            {
                "sku": s.sku,
                "name_en": s.name_en,
                "name_ar": s.name_ar,
                "hex": s.hex,
                "finish": s.finish,
                "undertone": s.undertone,
                "depth": s.depth,
                "stock": s.stock,
                "colors": list(s.colors),
            }
            for s in p.shades
        ],
    }
    if p.kind == "furniture":
        out.update(
            model=p.model_path,
            dimensions_m=list(p.dimensions_m) if p.dimensions_m else None,
            variants=[
                {"sku": v.sku, "name_en": v.name_en, "name_ar": v.name_ar, "hex": v.hex, "stock": v.stock}
                for v in p.variants
            ],
            style=list(p.style),
        )
    return out


def product_out(p: Product) -> ProductOut:
    data = product_json(p)
    data["shades"] = [
        ShadeOut(**s, lab=(sh.lab_l, sh.lab_a, sh.lab_b))
        for s, sh in zip(data["shades"], p.shades, strict=True)
    ]
    return ProductOut(**data, model_sha256=p.model_sha256, updated_at=p.updated_at.isoformat())


def catalogue_json(db: Session, store: Store, since: int | None = None) -> dict:
    """The store's catalogue; with `since` (a version the kiosk holds) only the products
    written after it plus the ids of those removed (`removed`), so a kiosk applies a delta."""
    body = {"store_id": store.id, "currency": store.currency, "version": store.catalogue_version}
    if since is None or not 0 < since <= store.catalogue_version:
        return {**body, "products": [product_json(p) for p in list_products(db, store.id)]}
    changed = [p for p in list_products(db, store.id) if p.changed_in > since]
    removed = db.scalars(
        select(RemovedProduct.product_id).where(
            RemovedProduct.store_id == store.id, RemovedProduct.removed_in > since
        )
    )
    return {
        **body,
        "since": since,
        "products": [product_json(p) for p in changed],
        "removed": sorted(removed),
    }
