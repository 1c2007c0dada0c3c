"""Bulk catalogue import from CSV or JSON: every row is validated first and the whole file is
written in one transaction, or nothing is; staff get (row, column, reason) for each problem."""

from __future__ import annotations

import csv
import io
import json

from pydantic import ValidationError
from sqlalchemy.orm import Session

from kiosk.backend import audit
from kiosk.backend.catalogue import service
from kiosk.backend.catalogue.csv_format import COLUMNS, LIST_SEPARATOR, PRODUCT_COLUMNS, restore
from kiosk.backend.catalogue.schemas import ImportError_, ImportReport, ProductIn
from kiosk.backend.db import unit_of_work
from kiosk.backend.inputguard import PROBLEM, loads_json

MAX_ROWS = 20_000


class _Refused(Exception):
    """A row the database refuses mid-import; raised out of the unit of work so it rolls back."""

    def __init__(self, error: ImportError_):
        super().__init__(error.reason)
        self.error = error


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def _product_dict(rows: list[tuple[int, dict]]) -> dict:
    first = rows[0][1]
    kind = first["kind"]
    dims = _split(first.get("dimensions_m", ""))
    product = {
        "id": first["product_id"],
        "kind": kind,
        "brand": first["brand"],
        "name_en": first["name_en"],
        "name_ar": first["name_ar"],
        "description_en": first["description_en"],
        "description_ar": first["description_ar"],
        "price_sar": first["price_sar"],
        "aisle": first["aisle"],
        "tags": _split(first["tags"]),
        "image_url": first["image_url"] or None,
        "model": first["model"] or None,
        "dimensions_m": dims or None,
        "style": _split(first["style"]),
        "shades": [],
        "variants": [],
    }
    for _, row in rows:
        if not row["sku"]:
            continue
        if kind == "furniture":
            product["variants"].append(
                {
                    "sku": row["sku"],
                    "name_en": row["shade_name_en"],
                    "name_ar": row["shade_name_ar"],
                    "hex": row["hex"],
                    "stock": row["stock"],
                }
            )
        else:
            product["shades"].append(
                {
                    "sku": row["sku"],
                    "name_en": row["shade_name_en"],
                    "name_ar": row["shade_name_ar"],
                    "hex": row["hex"],
                    "finish": row["finish"],
                    "undertone": row["undertone"],
                    "depth": row["depth"],
                    "stock": row["stock"],
                    "colors": _split(row["colors"]),
                }
            )
    return product


def _csv_column(loc: tuple) -> tuple[int | None, str]:
    """Pydantic error location -> (index of the shade/variant row or None, CSV column name)."""
    if loc and loc[0] in ("shades", "variants") and len(loc) >= 3 and isinstance(loc[1], int):
        field = str(loc[2])
        return loc[1], {"name_en": "shade_name_en", "name_ar": "shade_name_ar"}.get(field, field)
    field = str(loc[0]) if loc else "product_id"
    return None, {"id": "product_id"}.get(field, field)


def parse_csv(text: str) -> tuple[list[tuple[list[int], ProductIn]], list[ImportError_]]:
    errors: list[ImportError_] = []
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [ImportError_(row=1, column=c, reason="missing column") for c in missing]
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, raw in enumerate(reader, start=2):  # row 1 is the header, as a spreadsheet numbers it
        if number - 1 > MAX_ROWS:
            errors.append(ImportError_(row=number, column="", reason=f"more than {MAX_ROWS} rows"))
            break
        if None in raw:
            errors.append(ImportError_(row=number, column="", reason="more cells than columns"))
            continue
        row = {k: restore((v or "").strip()) for k, v in raw.items() if k in COLUMNS}
        if not row["product_id"]:
            errors.append(ImportError_(row=number, column="product_id", reason="empty"))
            continue
        group = groups.setdefault(row["product_id"], [])
        if group:
            first_number, first = group[0]
            for col in PRODUCT_COLUMNS:
                if row[col] != first[col]:
                    errors.append(
                        ImportError_(row=number, column=col, reason=f"differs from row {first_number}")
                    )
        group.append((number, row))
    products = []
    for rows in groups.values():
        numbers = [n for n, r in rows if r["sku"]] or [rows[0][0]]
        try:
            products.append(([n for n, _ in rows], ProductIn.model_validate(_product_dict(rows))))
        except ValidationError as exc:
            for err in exc.errors():
                index, column = _csv_column(tuple(err["loc"]))
                row_number = numbers[index] if index is not None and index < len(numbers) else rows[0][0]
                errors.append(ImportError_(row=row_number, column=column, reason=err["msg"]))
    return products, errors


def parse_json(text: str) -> tuple[list[tuple[list[int], ProductIn]], list[ImportError_]]:
    try:
        data = loads_json(text)
    except json.JSONDecodeError as exc:
        return [], [ImportError_(row=exc.lineno, column="", reason=f"not valid JSON: {exc.msg}")]
    except ValueError as exc:  # too deep, or text the database cannot store
        return [], [ImportError_(row=0, column="", reason=str(exc))]
    items = data.get("products") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return [], [ImportError_(row=0, column="products", reason="expected a list of products")]
    products, errors = [], []
    for number, raw in enumerate(items[: MAX_ROWS + 1], start=1):  # row = the product's position in the list
        try:
            products.append(([number], ProductIn.model_validate(raw)))
        except ValidationError as exc:
            for err in exc.errors():
                column = ".".join(str(p) for p in err["loc"]) or "product"
                errors.append(ImportError_(row=number, column=column, reason=err["msg"]))
    return products, errors


def _cross_checks(products: list[tuple[list[int], ProductIn]]) -> list[ImportError_]:
    errors, seen_ids, seen_skus = [], {}, {}
    for rows, p in products:
        if p.id in seen_ids:
            errors.append(
                ImportError_(row=rows[0], column="product_id", reason=f"repeats row {seen_ids[p.id]}")
            )
        seen_ids.setdefault(p.id, rows[0])
        for sku in [s.sku for s in p.shades] + [v.sku for v in p.variants]:
            if sku in seen_skus and seen_skus[sku] != p.id:
                errors.append(
                    ImportError_(row=rows[0], column="sku", reason=f"{sku} also used by {seen_skus[sku]}")
                )
            seen_skus.setdefault(sku, p.id)
    return errors


def import_file(db: Session, store_id: str, filename: str, data: bytes, actor_id: int | None) -> ImportReport:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ImportReport(
            imported=0, errors=[ImportError_(row=0, column="", reason=f"not UTF-8 text: {exc.reason}")]
        )
    if "\x00" in text:  # valid UTF-8, but no database column may hold it
        return ImportReport(imported=0, errors=[ImportError_(row=0, column="", reason=PROBLEM)])
    looks_json = filename.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")
    products, errors = (parse_json if looks_json else parse_csv)(text)
    errors += _cross_checks(products)
    if not errors and not products:
        errors.append(ImportError_(row=0, column="", reason="the file has no products"))
    if errors:
        return ImportReport(imported=0, errors=sorted(errors, key=lambda e: (e.row, e.column)))
    try:
        with unit_of_work(db):  # the whole file or nothing: one unit around every product's
            for rows, product in products:
                try:
                    service.upsert_product(db, store_id, product, actor_id)
                except service.SkuTaken as exc:
                    raise _Refused(ImportError_(row=rows[0], column="sku", reason=str(exc))) from None
            audit.record(
                db, actor_id, "catalogue.import", f"store:{store_id}", store_id, products=len(products)
            )
    except _Refused as refused:
        return ImportReport(imported=0, errors=[refused.error])
    return ImportReport(imported=len(products))
