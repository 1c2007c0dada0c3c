"""Templates and the Arabic/English strings of the server-rendered pages. Arabic is the
default (right-to-left); the choice lives in a `lang` cookie set by /admin/lang/{lang}."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from catalogue import FINISH_NAMES, KIND_NAMES, UNDERTONE_NAMES
from kiosk.backend.localtime import format_datetime

LANGS = ("ar", "en")

STRINGS: dict[str, tuple[str, str]] = {  # key: (Arabic, English)
    "app": ("مرايا — لوحة الإدارة", "Maraya — admin"),
    "sign_in": ("تسجيل الدخول", "Sign in"),
    "sign_out": ("تسجيل الخروج", "Sign out"),
    "email": ("البريد الإلكتروني", "E-mail"),
    "password": ("كلمة المرور", "Password"),
    "dashboard": ("لوحة المؤشرات", "Dashboard"),
    "catalogue": ("الكتالوج", "Catalogue"),
    "import": ("استيراد", "Import"),
    "export_csv": ("تصدير CSV", "Export CSV"),
    "kiosks": ("الأكشاك", "Kiosks"),
    "faq": ("الأسئلة الشائعة", "FAQ"),
    "help_queue": ("طلبات المساعدة", "Help queue"),
    "privacy": ("الخصوصية", "Privacy"),
    "erase_session": ("حذف بيانات جلسة متسوّق", "Erase a shopper's session"),
    "erase_help": (
        "أدخل معرّف الجلسة من طلب المتسوّق. تُحذف أحداث الجلسة ودرجة البشرة"
        " وطلبات المساعدة والإطلالات مع صورها.",
        "Enter the session id from the shopper's request. Its events, skin tone, help requests and"
        " looks (with photos) are deleted.",
    ),
    "session_id": ("معرّف الجلسة", "Session id"),
    "erase": ("حذف", "Erase"),
    "erased_rows": ("السجلات المحذوفة", "Rows erased"),
    "bad_session_id": ("معرّف الجلسة غير صالح", "That is not a valid session id"),
    "product": ("المنتج", "Product"),
    "kind": ("النوع", "Kind"),
    "brand": ("العلامة", "Brand"),
    "name_en": ("الاسم (إنجليزي)", "Name (English)"),
    "name_ar": ("الاسم (عربي)", "Name (Arabic)"),
    "description_en": ("الوصف (إنجليزي)", "Description (English)"),
    "description_ar": ("الوصف (عربي)", "Description (Arabic)"),
    "price": ("السعر", "Price"),
    "aisle": ("الممر", "Aisle"),
    "tags": ("الوسوم", "Tags"),
    "shades": ("الدرجات", "Shades"),
    "sku": ("رمز المنتج", "SKU"),
    "colour": ("اللون", "Colour"),
    "finish": ("اللمسة", "Finish"),
    "undertone": ("الطابع اللوني", "Undertone"),
    "depth": ("العمق", "Depth"),
    "stock": ("المخزون", "Stock"),
    "save": ("حفظ", "Save"),
    "saved": ("تم الحفظ", "Saved"),
    "add_shade": ("إضافة درجة", "Add shade"),
    "remove": ("حذف", "Remove"),
    "edit": ("تعديل", "Edit"),
    "upload": ("رفع", "Upload"),
    "import_help": (
        "ملف CSV أو JSON. يُستورد الملف كاملاً أو لا يُستورد شيء؛ تظهر الأخطاء لكل صف.",
        "A CSV or JSON file. Either the whole file is imported or nothing is; errors are listed per row.",
    ),
    "import_ok": ("تم استيراد المنتجات", "Products imported"),
    "import_failed": (
        "لم يُستورد شيء. صحّح الأخطاء التالية ثم أعد المحاولة:",
        "Nothing was imported. Fix these and retry:",
    ),
    "row": ("الصف", "Row"),
    "column": ("العمود", "Column"),
    "reason": ("السبب", "Reason"),
    "new_kiosk": ("كشك جديد", "New kiosk"),
    "name": ("الاسم", "Name"),
    "health": ("الحالة", "Health"),
    "last_seen": ("آخر ظهور", "Last seen"),
    "version": ("الإصدار", "Version"),
    "camera": ("الكاميرا", "Camera"),
    "revoke": ("إلغاء", "Revoke"),
    "token_once": (
        "رمز الكشك (يظهر مرة واحدة فقط، انسخه الآن):",
        "Kiosk token (shown only once; copy it now):",
    ),
    "question_en": ("السؤال (إنجليزي)", "Question (English)"),
    "question_ar": ("السؤال (عربي)", "Question (Arabic)"),
    "answer_en": ("الإجابة (إنجليزي)", "Answer (English)"),
    "answer_ar": ("الإجابة (عربي)", "Answer (Arabic)"),
    "add": ("إضافة", "Add"),
    "store_info": ("معلومات المتجر", "Store information"),
    "hours_en": ("ساعات العمل (إنجليزي)", "Opening hours (English)"),
    "hours_ar": ("ساعات العمل (عربي)", "Opening hours (Arabic)"),
    "returns_en": ("الاسترجاع (إنجليزي)", "Returns (English)"),
    "returns_ar": ("الاسترجاع (عربي)", "Returns (Arabic)"),
    "payment_en": ("الدفع (إنجليزي)", "Payment (English)"),
    "payment_ar": ("الدفع (عربي)", "Payment (Arabic)"),
    "live": ("مباشر", "Live"),
    "no_requests": ("لا توجد طلبات مفتوحة", "No open requests"),
    "acknowledge": ("استلام", "Acknowledge"),
    "resolve": ("تم", "Resolve"),
    "waiting": ("بانتظار", "Waiting"),
    "open": ("مفتوح", "Open"),
    "acknowledged": ("تم الاستلام", "Acknowledged"),
    "kiosk": ("الكشك", "Kiosk"),
    "sessions": ("الجلسات", "Sessions"),
    "avg_duration": ("متوسط المدة (ث)", "Average duration (s)"),
    "consent_rate": ("نسبة الموافقة", "Consent opt-in rate"),
    "tryons_per_session": ("تجارب لكل جلسة", "Try-ons per session"),
    "reco_acceptance": ("قبول التوصيات", "Recommendation acceptance"),
    "basket_conversion": ("التحويل إلى السلة", "Basket conversion"),
    "handoffs": ("الإطلالات المرسلة", "Handoffs"),
    "containment": ("أسئلة أُجيبت دون موظف", "Assistant containment"),
    "help_requests": ("طلبات المساعدة", "Help requests"),
    "median_response": ("وسيط زمن الاستجابة (ث)", "Median response (s)"),
    "top_products": ("أكثر المنتجات تجربة", "Top products"),
    "top_shades": ("أكثر الدرجات تجربة", "Top shades"),
    "per_day": ("حسب اليوم", "Per day"),
    "from": ("من", "From"),
    "to": ("إلى", "To"),
    "show": ("عرض", "Show"),
    "your_look": ("إطلالتك", "Your look"),
    "total": ("المجموع", "Total"),
    "expires": ("ينتهي", "Expires"),
    "look_note": (
        "اعرض هذه الصفحة لموظف المتجر للعثور على المنتجات.",
        "Show this page to a member of staff to find the products.",
    ),
    "sar": ("ر.س", "SAR"),
    "language": ("English", "العربية"),
    "wrong_login": ("بريد أو كلمة مرور غير صحيحة", "Wrong e-mail or password"),
    "users": ("الموظفون", "Staff accounts"),
    "new_user": ("حساب جديد", "New account"),
    "role": ("الدور", "Role"),
    "role_admin": ("مدير النظام", "Admin"),
    "role_manager": ("مدير متجر", "Manager"),
    "role_staff": ("موظف", "Staff"),
    "stores_ids": ("المتاجر (رموز مفصولة بفواصل)", "Stores (ids, comma-separated)"),
    "new_password": ("كلمة مرور جديدة", "New password"),
    "reset_password": ("تعيين كلمة المرور", "Reset password"),
    "status": ("الحالة", "Status"),
    "active": ("نشط", "Active"),
    "inactive": ("موقوف", "Deactivated"),
    "activate": ("إعادة التفعيل", "Reactivate"),
    "deactivate": ("إيقاف الحساب", "Deactivate"),
    "end_sessions": ("إنهاء الجلسات", "End sessions"),
    "too_many_logins": (
        "محاولات دخول كثيرة. أعد المحاولة بعد قليل.",
        "Too many sign-in attempts. Try again in a little while.",
    ),
    # shade-gap report (kiosk/backend/shadegap)
    "shade_gap": ("فجوة الدرجات", "Shade gap"),
    "shade_gap_intro": (
        "لكل مجموعة من مقياس مونك ولكل طابع لوني: أقرب درجة متوفرة ومدى بعدها (ΔE2000)، وعدد المتسوّقين"
        " الذين شاركوا لون بشرتهم في هذه الفترة ولم تتوفر لهم درجة مطابقة بالمخزون الحالي.",
        "For each Monk group and undertone: the closest shade in stock and how far it is (ΔE2000), and"
        " how many shoppers who shared their tone in this period had no close match with today's stock.",
    ),
    "shade_gap_chart": (
        "أقرب درجة متوفرة (ΔE2000، الأقل أفضل)",
        "Closest in-stock shade (ΔE2000, lower is better)",
    ),
    "shade_kind": ("المنتج", "Product"),
    "kind_foundation": ("كريم الأساس", "Foundation"),
    "kind_concealer": ("الكونسيلر", "Concealer"),
    "shoppers_sharing_tone": ("متسوّقون شاركوا لون بشرتهم", "Shoppers who shared their tone"),
    "shoppers_without_close_match": ("منهم بلا درجة مطابقة", "Of them, no close match"),
    "in_stock_shades": ("درجات متوفرة", "Shades in stock"),
    "monk_group": ("مجموعة مونك", "Monk group"),
    "undertone_warm": ("دافئ", "warm"),
    "undertone_neutral": ("محايد", "neutral"),
    "undertone_cool": ("بارد", "cool"),
    "grade_close": ("مطابقة قريبة", "Close match"),
    "grade_near": ("قريبة بفرق ظاهر", "Near, visibly different"),
    "grade_none": ("لا توجد درجة مطابقة", "No close match"),
    "shoppers": ("متسوّقين", "shoppers"),
    # enums staff see, by group: label(group, value) looks up f"{group}_{value}"
    "health_healthy": ("يعمل", "healthy"),
    "health_stale": ("متأخر", "stale"),
    "health_down": ("متوقف", "down"),
    "health_revoked": ("ملغى", "revoked"),
    "health_never-seen": ("لم يتصل بعد", "never seen"),
    "camera_ok": ("تعمل", "ok"),
    "camera_lost": ("انقطعت", "lost"),
    "camera_none": ("لا توجد", "none"),
    "reason_shopper": ("طلب المتسوّق", "shopper asked"),
    "reason_assistant": ("أحاله المساعد", "assistant referred"),
    "sessions_series": ("الجلسات", "sessions"),
    "tryons_series": ("التجارب", "try-ons"),
    "seconds_short": ("ث", "s"),
    # the phone page
    "valid_until": ("الرابط صالح حتى", "This link works until"),
    "local_time_note": ("بتوقيت المتجر", "store time"),
    "save_photo": ("حفظ الصورة", "Save the photo"),
    "opening_hours": ("ساعات العمل", "Opening hours"),
    "shade": ("الدرجة", "Shade"),
    "look_code": ("رمز الإطلالة", "Look code"),
    "timezone": ("المنطقة الزمنية", "Time zone"),
}

# Catalogue enums come from the one vocabulary the kiosk uses too (catalogue.kinds).
VOCABULARIES = {"kind": KIND_NAMES, "finish": FINISH_NAMES, "undertone": UNDERTONE_NAMES}


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "ar"
    return lang if lang in LANGS else "ar"


def translator(lang: str):
    index = LANGS.index(lang)

    def t(key: str) -> str:
        return STRINGS[key][index]

    return t


def labeller(lang: str):
    """label(group, value): the staff-facing name of an enum value in this language; an unknown
    value is shown as stored rather than failing the page."""
    index = LANGS.index(lang)

    def label(group: str, value: str) -> str:
        names = VOCABULARIES.get(group)
        if names is not None:
            return names[value][1 - index] if value in names else value
        pair = STRINGS.get(f"{group}_{value}")
        return pair[index] if pair else value

    return label


def _context(request: Request) -> dict:
    lang = lang_of(request)

    def local_time(at: dt.datetime | None, zone: str) -> str:
        return "—" if at is None else format_datetime(at, zone, lang)

    return {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "t": translator(lang),
        "label": labeller(lang),
        "local_time": local_time,
    }


TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_context])
