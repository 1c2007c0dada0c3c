"""Server-rendered staff pages (Arabic RTL by default, English on request). They call the same
services as the JSON API; forms carry the session's CSRF token and follow Post/Redirect/Get."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from catalogue import FINISHES, PRODUCT_KINDS, UNDERTONES
from kiosk.backend.analytics import service as analytics
from kiosk.backend.analytics.dependencies import Days
from kiosk.backend.auth import service as auth_service
from kiosk.backend.auth.responses import auth_error_headers, clear_session_cookie, set_session_cookie
from kiosk.backend.catalogue import importer
from kiosk.backend.catalogue import service as catalogue
from kiosk.backend.catalogue.dependencies import StoreProduct
from kiosk.backend.catalogue.schemas import ProductIn
from kiosk.backend.deps import DB, SESSION_COOKIE, ManageStore, ReadStore, Settings, Staff, StaffDep
from kiosk.backend.faq import service as faq
from kiosk.backend.faq.dependencies import StoreFaq, valid_faq
from kiosk.backend.faq.schemas import FaqIn, StoreInfo
from kiosk.backend.inputguard import RowIdQuery, row_id
from kiosk.backend.kiosks import service as kiosks
from kiosk.backend.kiosks.dependencies import StoreKiosk
from kiosk.backend.ratelimit import client_address
from kiosk.backend.sessions import service as sessions
from kiosk.backend.stores.service import visible_stores
from kiosk.backend.web import LANGS, lang_of, templates, translator

router = APIRouter(prefix="/admin", include_in_schema=False)


async def posted_form(request: Request) -> FormData:
    """The posted form, parsed once (the CSRF check already read it), for the pages whose fields
    repeat or vary; as a dependency the page itself stays a plain function run off the event loop."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def render(request: Request, name: str, staff: Staff | None, status: int = 200, **context) -> HTMLResponse:
    stores = []
    if staff is not None:
        with request.app.state.sessionmaker() as db:
            stores = visible_stores(db, staff.user)
    context.update(staff=staff, stores=stores, csrf=staff.session.csrf_token if staff else "")
    return templates.TemplateResponse(request, name, context, status_code=status)


def _same_origin(request: Request) -> bool:
    """Login forms have no session yet, so their CSRF guard is the Origin (or Referer) header."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return True  # non-browser clients send neither; browsers always send Origin on POST
    return urlparse(source).netloc == request.headers.get("host")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request):
    return render(request, "login.html", None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    db: DB,
    settings: Settings,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
):
    if not _same_origin(request):
        raise HTTPException(403, "cross-site sign-in refused")
    try:
        signed = auth_service.sign_in(db, settings, email[:254], password[:256], client_address(request))
    except auth_service.AuthError as exc:
        t = translator(lang_of(request))
        message = t("wrong_login") if exc.status == 401 else t("too_many_logins")
        page = render(request, "login.html", None, status=exc.status, error=message, email=email[:254])
        page.headers.update(auth_error_headers(exc))
        return page
    response = RedirectResponse("/admin", status_code=303)
    set_session_cookie(response, signed.cookie_value, settings)
    return response


@router.post("/logout")
def logout(request: Request, staff: StaffDep, db: DB):
    auth_service.sign_out(db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/admin/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/lang/{lang}")
def set_lang(lang: str, request: Request, next: str = "/admin"):
    if lang not in LANGS:
        raise HTTPException(404, "unknown language")
    target = next if next.startswith("/") and not next.startswith("//") else "/admin"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", path="/")
    return response


@router.get("")
def home(staff: StaffDep, db: DB):
    stores = visible_stores(db, staff.user)
    if not stores:
        raise HTTPException(403, "your account is not assigned to any store")
    return RedirectResponse(f"/admin/{stores[0].id}/dashboard", status_code=303)


@router.get("/{store_id}/dashboard", response_class=HTMLResponse)
def dashboard(
    store: ReadStore,
    days: Days,
    request: Request,
    staff: StaffDep,
    db: DB,
    kiosk_id: RowIdQuery = None,
):
    k = analytics.kpis(db, store.id, days.first, days.last, kiosk_id)
    store_kiosks = kiosks.list_kiosks(db, store.id)
    return render(
        request,
        "dashboard.html",
        staff,
        store=store,
        k=k,
        kiosks=store_kiosks,
        kiosk_id=kiosk_id,
        chart_data=k.model_dump(mode="json"),
    )


@router.get("/{store_id}/catalogue", response_class=HTMLResponse)
def catalogue_page(store: ReadStore, request: Request, staff: StaffDep, db: DB):
    return render(
        request, "catalogue.html", staff, store=store, products=catalogue.list_products(db, store.id)
    )


def _edit_context(store, product: dict, errors=None, saved=False) -> dict:
    return dict(
        store=store,
        p=product,
        errors=errors or [],
        saved=saved,
        kinds=PRODUCT_KINDS,
        finishes=FINISHES,
        undertones=UNDERTONES,
    )


@router.get("/{store_id}/catalogue/{product_id}", response_class=HTMLResponse)
def product_page(
    store: ReadStore, product: StoreProduct, request: Request, staff: StaffDep, saved: bool = False
):
    return render(
        request, "product.html", staff, **_edit_context(store, catalogue.product_json(product), saved=saved)
    )


def _product_from_form(form, product_id: str, existing: dict) -> dict:
    data = dict(existing)
    for name in ("kind", "brand", "name_en", "name_ar", "description_en", "description_ar", "aisle"):
        data[name] = str(form.get(name, "")).strip()
    data["id"] = product_id
    data["price_sar"] = str(form.get("price_sar", "")).strip()
    data["tags"] = [t.strip() for t in str(form.get("tags", "")).split(",") if t.strip()]
    columns = ("sku", "name_en", "name_ar", "hex", "finish", "undertone", "depth", "stock")
    lists = {c: form.getlist(f"shade_{c}") for c in columns}
    shades = []
    for i in range(len(lists["sku"])):
        row = {c: str(lists[c][i]).strip() if i < len(lists[c]) else "" for c in columns}
        if not any(row.values()):
            continue
        old = next((s for s in existing.get("shades", []) if s["sku"] == row["sku"]), None)
        row["colors"] = old["colors"] if old else []
        shades.append(row)
    data["shades"] = shades
    return data


@router.post("/{store_id}/catalogue/{product_id}", response_class=HTMLResponse)
def product_save(
    store: ManageStore, product: StoreProduct, request: Request, staff: StaffDep, db: DB, form: PostedForm
):
    data = _product_from_form(form, product.product_id, catalogue.product_json(product))
    try:
        catalogue.upsert_product(db, store.id, ProductIn.model_validate(data), staff.user.id)
    except ValidationError as exc:
        errors = [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        return render(request, "product.html", staff, status=422, **_edit_context(store, data, errors))
    except catalogue.SkuTaken as exc:
        return render(
            request, "product.html", staff, status=409, **_edit_context(store, data, [("sku", str(exc))])
        )
    return RedirectResponse(f"/admin/{store.id}/catalogue/{product.product_id}?saved=1", status_code=303)


@router.get("/{store_id}/import", response_class=HTMLResponse)
def import_page(store: ManageStore, request: Request, staff: StaffDep):
    return render(request, "import.html", staff, store=store, report=None)


@router.post("/{store_id}/import", response_class=HTMLResponse)
def import_submit(
    store: ManageStore,
    request: Request,
    staff: StaffDep,
    db: DB,
    file: Annotated[UploadFile, File()],
):
    report = importer.import_file(db, store.id, file.filename or "", file.file.read(), staff.user.id)
    status = 422 if report.errors else 200
    return render(request, "import.html", staff, status=status, store=store, report=report)


@router.get("/{store_id}/kiosks", response_class=HTMLResponse)
def kiosks_page(store: ReadStore, request: Request, staff: StaffDep, db: DB, settings: Settings):
    rows = [kiosks.kiosk_out(k, settings) for k in kiosks.list_kiosks(db, store.id)]
    return render(request, "kiosks.html", staff, store=store, kiosks=rows, new_token=None)


@router.post("/{store_id}/kiosks", response_class=HTMLResponse)
def kiosk_create(
    store: ManageStore,
    request: Request,
    staff: StaffDep,
    db: DB,
    settings: Settings,
    name: Annotated[str, Form()],
):
    name = name.strip()[:120]
    if not name:
        raise HTTPException(422, "a kiosk needs a name")
    made = kiosks.create_kiosk(db, store.id, name, staff.user.id)
    rows = [kiosks.kiosk_out(k, settings) for k in kiosks.list_kiosks(db, store.id)]
    # The token is rendered once, in this response only (never stored in clear, never redirected).
    return render(request, "kiosks.html", staff, store=store, kiosks=rows, new_token=made.token)


@router.post("/{store_id}/kiosks/{kiosk_id}/revoke")
def kiosk_revoke(store: ManageStore, kiosk: StoreKiosk, staff: StaffDep, db: DB):
    kiosks.revoke_kiosk(db, kiosk, staff.user.id)
    return RedirectResponse(f"/admin/{store.id}/kiosks", status_code=303)


@router.get("/{store_id}/faq", response_class=HTMLResponse)
def faq_page(store: ReadStore, request: Request, staff: StaffDep, db: DB, errors: str = ""):
    return render(
        request, "faq.html", staff, store=store, entries=faq.entries(db, store.id), info=faq.store_info(store)
    )


@router.post("/{store_id}/faq")
def faq_save(store: ManageStore, staff: StaffDep, db: DB, form: PostedForm):
    fields = {
        k: str(form.get(k, "")).strip() for k in ("question_en", "question_ar", "answer_en", "answer_ar")
    }
    fields["tags"] = [t.strip() for t in str(form.get("tags", "")).split(",") if t.strip()]
    entry = None
    if form.get("id"):
        try:
            faq_id = row_id(str(form.get("id")))
        except ValueError as exc:
            raise HTTPException(422, f"id: {exc}") from None
        entry = valid_faq(faq_id, store, db)
    try:
        faq.save_entry(db, store.id, FaqIn.model_validate(fields), staff.user.id, entry)
    except ValidationError as exc:
        raise HTTPException(422, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())) from None
    return RedirectResponse(f"/admin/{store.id}/faq", status_code=303)


@router.post("/{store_id}/faq/{faq_id}/delete")
def faq_delete(store: ManageStore, entry: StoreFaq, staff: StaffDep, db: DB):
    faq.delete_entry(db, entry, staff.user.id)
    return RedirectResponse(f"/admin/{store.id}/faq", status_code=303)


@router.post("/{store_id}/info")
def info_save(store: ManageStore, staff: StaffDep, db: DB, form: PostedForm):
    try:
        info = StoreInfo.model_validate({k: str(form.get(k, "")).strip() for k in StoreInfo.model_fields})
    except ValidationError as exc:
        raise HTTPException(422, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())) from None
    faq.save_store_info(db, store, info, staff.user.id)
    return RedirectResponse(f"/admin/{store.id}/faq", status_code=303)


@router.get("/{store_id}/help", response_class=HTMLResponse)
def help_page(store: ReadStore, request: Request, staff: StaffDep):
    return render(request, "help.html", staff, store=store)


@router.get("/{store_id}/privacy", response_class=HTMLResponse)
def privacy_page(store: ManageStore, request: Request, staff: StaffDep, erased: int | None = None):
    return render(request, "privacy.html", staff, store=store, erased=erased)


@router.post("/{store_id}/privacy/erase")
def privacy_erase(
    store: ManageStore,
    request: Request,
    staff: StaffDep,
    db: DB,
    session_id: Annotated[str, Form()],
):
    """Staff erase a shopper session by its id (the shopper's written request names it)."""
    try:
        session = uuid.UUID(session_id.strip())
    except ValueError:
        return render(request, "privacy.html", staff, status=422, store=store, erased=None, bad_id=True)
    erased = sessions.erase(db, store.id, str(session), staff.user.id, "session")
    return RedirectResponse(f"/admin/{store.id}/privacy?erased={erased.rows}", status_code=303)
