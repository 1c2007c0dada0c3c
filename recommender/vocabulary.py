"""The shopper- and staff-facing names of the catalogue's enums, (English, Arabic) per value.

One copy for every screen: the kiosk's catalogue view and the backend's admin pages both read
these, and a test holds the kiosk page's finish names (kiosk/ui/i18n.js) to the same words."""

from __future__ import annotations

from recommender.catalogue import FINISHES, PRODUCT_KINDS, UNDERTONES

KIND_NAMES: dict[str, tuple[str, str]] = {
    "lipstick": ("Lipstick", "أحمر الشفاه"),
    "lip_liner": ("Lip liner", "محدد الشفاه"),
    "blush": ("Blush", "أحمر الخدود"),
    "bronzer": ("Bronzer", "برونزر"),
    "highlighter": ("Highlighter", "هايلايتر"),
    "eyeshadow": ("Eyeshadow", "ظلال العيون"),
    "eyeliner": ("Eyeliner", "كحل"),
    "brow": ("Brows", "الحواجب"),
    "foundation": ("Foundation", "كريم الأساس"),
    "concealer": ("Concealer", "كونسيلر"),
    "furniture": ("Furniture", "أثاث"),
}

FINISH_NAMES: dict[str, tuple[str, str]] = {
    "matte": ("matte", "مطفي"),
    "satin": ("satin", "ساتان"),
    "gloss": ("gloss", "لامع"),
    "sheer": ("sheer", "شفاف"),
    "shimmer": ("shimmer", "براق"),
    "metallic": ("metallic", "معدني"),
    "natural": ("natural", "طبيعي"),
    "dewy": ("dewy", "ندي"),
}

UNDERTONE_NAMES: dict[str, tuple[str, str]] = {
    "warm": ("warm", "دافئ"),
    "neutral": ("neutral", "محايد"),
    "cool": ("cool", "بارد"),
}

# A new enum value without a name would show raw English on an Arabic screen: fail at import.
for _names, _values in ((KIND_NAMES, PRODUCT_KINDS), (FINISH_NAMES, FINISHES), (UNDERTONE_NAMES, UNDERTONES)):
    assert set(_names) == set(_values), f"names and values differ: {set(_names) ^ set(_values)}"
