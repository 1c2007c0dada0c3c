"""Demo data for `make demo` and tests: store riyadh-01 with the demo catalogue, an admin, a
kiosk with a token and a small bilingual FAQ. Running it twice changes nothing and returns the
same credentials (the kiosk token is kept in the data directory, since only its hash is in the
database)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from catalogue import DEMO_CATALOGUE, load_catalogue
from kiosk.backend.auth.service import create_user, sha256_hex, user_by_email
from kiosk.backend.catalogue import service as catalogue
from kiosk.backend.catalogue.schemas import ProductIn
from kiosk.backend.db import make_engine, make_sessionmaker, migrate, session_scope
from kiosk.backend.faq.schemas import FaqIn
from kiosk.backend.faq.service import save_entry
from kiosk.backend.kiosks.models import Kiosk, ModelRelease
from kiosk.backend.kiosks.service import current_model
from kiosk.backend.settings import DEFAULT_DATA_DIR
from kiosk.backend.stores.models import Store

STORE_ID = "riyadh-01"
ADMIN_EMAIL = "admin@maraya.example"
ADMIN_PASSWORD = "maraya-demo-admin"  # demo only; `kiosk backend create-admin` makes real accounts
KIOSK_NAME = "demo-kiosk-1"
RECOMMENDER_MODEL = Path(__file__).resolve().parents[2] / "models" / "recommender.onnx"

FAQ = [
    FaqIn(
        question_en="What are the store's opening hours?",
        question_ar="ما هي ساعات عمل المتجر؟",
        answer_en="We are open Saturday to Thursday 10 am – 11 pm, and Friday 4 pm – 11 pm.",
        answer_ar="نفتح من السبت إلى الخميس من ١٠ صباحاً حتى ١١ مساءً، والجمعة من ٤ عصراً حتى ١١ مساءً.",
        tags=["hours"],
    ),
    FaqIn(
        question_en="Can I return or exchange a product?",
        question_ar="هل يمكنني إرجاع منتج أو استبداله؟",
        answer_en="Unopened products can be returned or exchanged within 14 days with the receipt.",
        answer_ar="يمكن إرجاع المنتجات غير المفتوحة أو استبدالها خلال ١٤ يوماً مع الإيصال.",
        tags=["returns", "exchange"],
    ),
    FaqIn(
        question_en="Which payment options do you accept?",
        question_ar="ما طرق الدفع المتاحة؟",
        answer_en="Mada, Visa, Mastercard, Apple Pay, STC Pay and cash.",
        answer_ar="مدى، فيزا، ماستركارد، Apple Pay، STC Pay والدفع نقداً.",
        tags=["payment"],
    ),
    FaqIn(
        question_en="How does the virtual try-on work?",
        question_ar="كيف تعمل التجربة الافتراضية؟",
        answer_en="Accept the camera notice, pick a product and shade, and see it on your face live. "
        "Nothing is recorded; press Stop at any time.",
        answer_ar="وافق على إشعار الكاميرا، واختر المنتج والدرجة، وشاهدها على وجهك مباشرة. "
        "لا يُسجَّل شيء، ويمكنك الضغط على إيقاف في أي وقت.",
        tags=["try-on", "privacy"],
    ),
]


@dataclass(frozen=True)
class DemoSeed:
    admin_email: str
    admin_password: str
    kiosk_token: str
    store_id: str


def _token_file(database_url: str, data_dir: Path) -> Path:
    # One file per database, so two demo databases never share a kiosk token.
    return data_dir / f"demo-kiosk-token-{hashlib.sha256(database_url.encode()).hexdigest()[:12]}.txt"


def seed_demo(database_url: str, data_dir: Path = DEFAULT_DATA_DIR) -> DemoSeed:
    migrate(database_url)
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    data_dir.mkdir(parents=True, exist_ok=True)
    token_path = _token_file(database_url, data_dir)
    try:
        with session_scope(factory) as db:
            cat = load_catalogue(DEMO_CATALOGUE)
            store = db.get(Store, STORE_ID)
            if store is None:
                store = Store(
                    id=STORE_ID,
                    name_en="Maraya Riyadh — Kingdom Centre",
                    name_ar="مرايا الرياض — المملكة سنتر",
                    currency=cat.currency,
                    hours_en=FAQ[0].answer_en,
                    hours_ar=FAQ[0].answer_ar,
                    returns_en=FAQ[1].answer_en,
                    returns_ar=FAQ[1].answer_ar,
                    payment_en=FAQ[2].answer_en,
                    payment_ar=FAQ[2].answer_ar,
                )
                db.add(store)
                db.flush()
                raw = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
                for product in raw["products"]:
                    catalogue.upsert_product(db, STORE_ID, ProductIn.model_validate(product), None)
                for entry in FAQ:
                    save_entry(db, STORE_ID, entry, None)
            if user_by_email(db, ADMIN_EMAIL) is None:
                create_user(db, ADMIN_EMAIL, ADMIN_PASSWORD, "admin", [STORE_ID], None)
            token = token_path.read_text().strip() if token_path.exists() else ""
            kiosk = db.scalar(select(Kiosk).where(Kiosk.store_id == STORE_ID, Kiosk.name == KIOSK_NAME))
            if (
                kiosk is None
                or not token
                or kiosk.token_hash != sha256_hex(token)
                or kiosk.revoked_at is not None
            ):
                token = secrets.token_urlsafe(32)
                if kiosk is None:
                    db.add(Kiosk(store_id=STORE_ID, name=KIOSK_NAME, token_hash=sha256_hex(token)))
                else:
                    kiosk.token_hash, kiosk.revoked_at = sha256_hex(token), None
                token_path.write_text(token + "\n")
                token_path.chmod(0o600)
            if RECOMMENDER_MODEL.exists() and current_model(db) is None:
                publish_model(db, RECOMMENDER_MODEL, "demo-1", data_dir)
    finally:
        engine.dispose()
    return DemoSeed(
        admin_email=ADMIN_EMAIL, admin_password=ADMIN_PASSWORD, kiosk_token=token, store_id=STORE_ID
    )


def publish_model(db, path: Path, version: str, data_dir: Path) -> ModelRelease:
    """Copies a recommender model into the data directory and makes it the current release."""
    blob = path.read_bytes()
    sha = hashlib.sha256(blob).hexdigest()
    target = data_dir / "models" / f"{sha}.onnx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(blob)
    release = ModelRelease(version=version, sha256=sha, size=len(blob), filename=target.name)
    db.add(release)
    return release
