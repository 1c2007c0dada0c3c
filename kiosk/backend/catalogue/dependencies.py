"""Look-ups shared by the catalogue routes and the admin's catalogue pages: each answers 404 in
this one place, after the store's scope check (403) it chains on has passed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException

from kiosk.backend.catalogue import mesh_upload, service
from kiosk.backend.catalogue.models import Product
from kiosk.backend.deps import DB, KioskDep, ReadStore, Settings


def valid_product(product_id: str, store: ReadStore, db: DB) -> Product:
    product = service.get_product(db, store.id, product_id)
    if product is None:
        raise HTTPException(404, f"no product {product_id} in this store")
    return product


def valid_asset(name: str, kiosk: KioskDep, settings: Settings) -> Path:
    """A normalised 3D model staff uploaded (the catalogue's `model` is `uploads/<name>`)."""
    path = mesh_upload.stored_path(settings.data_dir, name)
    if path is None:
        raise HTTPException(404, "no such model file")
    return path


StoreProduct = Annotated[Product, Depends(valid_product)]
StoredAsset = Annotated[Path, Depends(valid_asset)]
