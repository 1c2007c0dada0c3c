"""Kiosk catalogue pull (ETag) and staff catalogue management: CRUD, import/export, 3D models."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kiosk.backend.catalogue import exporter, importer, mesh_upload, service
from kiosk.backend.catalogue.dependencies import StoredAsset, StoreProduct
from kiosk.backend.catalogue.schemas import (
    ImportReport,
    KioskCatalogue,
    ModelUploadResult,
    ProductIn,
    ProductOut,
)
from kiosk.backend.deps import DB, KioskStore, ManageStore, ReadStore, Settings, StaffDep
from kiosk.backend.etag import etag_matches

kiosk_api = APIRouter(prefix="/api/v1/kiosk", tags=["kiosk"])
staff_api = APIRouter(prefix="/api/v1/stores/{store_id}", tags=["catalogue"])


@kiosk_api.get(
    "/catalogue",
    response_model=KioskCatalogue,
    responses={304: {"description": "unchanged since If-None-Match"}},
)
def kiosk_catalogue(
    request: Request, store: KioskStore, db: DB, since: Annotated[int | None, Query(ge=0)] = None
) -> Response:
    """The full catalogue, or with `?since=<version>` only what changed after that version."""
    etag = f'"{store.catalogue_version}"'
    if etag_matches(request, etag):
        return Response(status_code=304, headers={"ETag": etag})
    body = json.dumps(service.catalogue_json(db, store, since), ensure_ascii=False)
    return Response(body, media_type="application/json", headers={"ETag": etag})


@kiosk_api.get("/assets/{name}", responses={404: {}, 200: {"content": {"application/octet-stream": {}}}})
def kiosk_asset(path: StoredAsset) -> Response:
    """A normalised 3D model uploaded by staff (the catalogue's `model` is `uploads/<name>`)."""
    return Response(path.read_bytes(), media_type="application/octet-stream")


@staff_api.get("/products")
def list_products(store: ReadStore, db: DB) -> list[ProductOut]:
    return [service.product_out(p) for p in service.list_products(db, store.id)]


@staff_api.get("/products/{product_id}")
def get_product(product: StoreProduct) -> ProductOut:
    return service.product_out(product)


@staff_api.post("/products", status_code=201, responses={409: {"description": "id or sku already used"}})
def create_product(store: ManageStore, body: ProductIn, staff: StaffDep, db: DB) -> ProductOut:
    try:
        product = service.create_product(db, store.id, body, staff.user.id)
    except (service.ProductExists, service.SkuTaken) as exc:
        raise HTTPException(409, str(exc)) from None
    return service.product_out(product)


@staff_api.put("/products/{product_id}", responses={409: {"description": "sku already used"}})
def replace_product(
    store: ManageStore, product_id: str, body: ProductIn, staff: StaffDep, db: DB
) -> ProductOut:
    if body.id != product_id:
        raise HTTPException(422, "the body's id must match the product id in the path")
    try:
        product = service.upsert_product(db, store.id, body, staff.user.id)
    except service.SkuTaken as exc:
        raise HTTPException(409, str(exc)) from None
    return service.product_out(product)


@staff_api.delete("/products/{product_id}", status_code=204)
def delete_product(_store: ManageStore, product: StoreProduct, staff: StaffDep, db: DB) -> Response:
    service.delete_product(db, product, staff.user.id)
    return Response(status_code=204)


@staff_api.post(
    "/catalogue/import",
    responses={422: {"model": ImportReport, "description": "nothing imported; errors per row"}},
)
def import_catalogue(
    store: ManageStore,
    staff: StaffDep,
    db: DB,
    file: Annotated[UploadFile, File(description="CSV or JSON")],
) -> ImportReport:
    report = importer.import_file(db, store.id, file.filename or "", file.file.read(), staff.user.id)
    if report.errors:
        return JSONResponse(report.model_dump(), status_code=422)
    return report


@staff_api.get(
    "/catalogue/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def export_catalogue(store: ReadStore, db: DB) -> Response:
    return Response(
        exporter.catalogue_csv(service.list_products(db, store.id)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="catalogue-{store.id}.csv"'},
    )


@staff_api.post(
    "/products/{product_id}/model",
    responses={413: {"description": "file too large"}, 415: {"description": "not a 3D model"}, 422: {}},
)
async def upload_model(
    _store: ManageStore,
    product: StoreProduct,
    staff: StaffDep,
    db: DB,
    settings: Settings,
    file: Annotated[
        UploadFile, File(description="GLB, glTF (embedded buffers), OBJ, PLY, or a ZIP with one of them")
    ],
    up_axis: Annotated[str, Form(pattern="^[yz]$")] = "y",
) -> ModelUploadResult:
    if product.kind != "furniture":
        raise HTTPException(422, "3D models belong to furniture products only")
    data = await file.read(settings.upload_max_bytes + 1)
    if len(data) > settings.upload_max_bytes:
        raise HTTPException(413, f"file larger than {settings.upload_max_bytes} bytes")
    try:
        mesh = await run_in_threadpool(
            mesh_upload.validate_and_store, data, settings, up_axis, product.dimensions_m
        )
    except mesh_upload.UploadRejected as exc:
        raise HTTPException(exc.status, exc.message) from None
    return await run_in_threadpool(mesh_upload.attach_to_product, db, product, mesh, staff.user.id)
