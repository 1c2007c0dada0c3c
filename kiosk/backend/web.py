"""Templates and the Arabic/English strings of the server-rendered pages. Arabic is the
default (right-to-left); the choice lives in a `lang` cookie set by /admin/lang/{lang}."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

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
}


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "ar"
    return lang if lang in LANGS else "ar"


def translator(lang: str):
    index = LANGS.index(lang)

    def t(key: str) -> str:
        return STRINGS[key][index]

    return t


def _context(request: Request) -> dict:
    lang = lang_of(request)
    return {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr", "t": translator(lang)}


TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_context])
