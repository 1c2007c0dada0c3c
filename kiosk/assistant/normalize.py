"""The one Arabic/English text normaliser every part of the assistant uses.

Shoppers type (or a speech front-end writes) the same word many ways: with or without
tashkeel, with tatweel for emphasis, أ/إ/آ/ا interchangeably, ى for ي and ة for ه, Arabic-Indic
or Persian digits, and Gulf forms (ابي/ابغى، وش/ايش، بكم...). The intent model, the entity
matcher and the FAQ lookup all see text through `normalize()`, so a spelling the training
examples never used still lands on the same features. `detect_lang()` reads the raw text.
"""

from __future__ import annotations

import re
import unicodedata

# Longest input we look at: a 5,000-character paste must cost no more than a normal question.
MAX_CHARS = 400

_BIDI_AND_ZERO_WIDTH = dict.fromkeys(
    [
        0x061C,
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,
        0x2060,
        0xFEFF,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)
_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ؤ": "و", "ئ": "ي", "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك", "ڤ": "ف", "گ": "ك", "چ": "ج",
        "\u0640": "",  # tatweel
        "؟": "?", "،": ",", "؛": ";", "٫": ".",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian (Extended Arabic-Indic) digits
    }
)  # fmt: skip
_NOT_WORD = re.compile(r"[^0-9a-z\u0621-\u064a]+")
_REPEATS = re.compile(r"(.)\1{2,}")  # "شكراااا", "thanksss": 3+ repeats are emphasis
_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")

# Gulf and colloquial forms → one canonical token, applied after folding (so keys are folded).
_GULF_TOKENS = {
    "ابغي": "ابي", "ابغا": "ابي", "ابا": "ابي", "بغيت": "ابي", "ابغيت": "ابي", "ودي": "ابي", "اريد": "ابي",
    "نبي": "ابي", "نبغي": "ابي", "ابيه": "ابي", "ابغاه": "ابي", "ابيها": "ابي", "ابغاها": "ابي",
    "وش": "ايش", "ويش": "ايش", "شو": "ايش", "شنو": "ايش", "شنهو": "ايش", "ماذا": "ايش", "اش": "ايش",
    "فين": "وين", "اين": "وين", "وينه": "وين", "وينها": "وين", "وينهم": "وين",
    "شلون": "كيف", "كيفيه": "كيف",
    "بكم": "كم سعر", "بكام": "كم سعر", "قديش": "كم سعر", "بچم": "كم سعر", "سعره": "سعر", "سعرها": "سعر",
    "اسعار": "سعر", "الاسعار": "سعر", "السعر": "سعر", "ثمن": "سعر", "قيمه": "سعر",
    "فيه": "يوجد", "موجود": "يوجد", "موجوده": "يوجد", "متوفر": "يوجد", "متوفره": "يوجد",
    "مو": "ما", "مب": "ما", "موب": "ما", "مهب": "ما", "مش": "ما",
    "الحين": "الان", "الحينه": "الان", "هالحين": "الان", "توه": "الان",
    "زين": "زين", "اوكي": "تمام",
}  # fmt: skip


def _fold_char_forms(text: str) -> str:
    # NFKC maps Arabic presentation forms (ﻻ, ﺍ...) and full-width Latin onto plain letters.
    text = unicodedata.normalize("NFKC", text).translate(_BIDI_AND_ZERO_WIDTH)
    text = _TASHKEEL.sub("", text).translate(_FOLD)
    return text.lower()


def clean(text: str) -> str:
    """`text` with control/bidi/zero-width characters dropped and its length capped, letters untouched
    (for the sentence encoder, which was trained on ordinary spelling)."""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2]).translate(_BIDI_AND_ZERO_WIDTH)
    return " ".join("".join(ch for ch in text if unicodedata.category(ch)[0] != "C").split())[:MAX_CHARS]


def normalize(text: str) -> str:
    """Folded, dialect-canonical, space-separated words of `text`; '' for nothing usable."""
    text = _fold_char_forms(text[: MAX_CHARS * 2])
    text = _REPEATS.sub(r"\1", _NOT_WORD.sub(" ", text))
    words = []
    for word in text.split()[:80]:
        words.extend(_GULF_TOKENS.get(word, word).split())
    return " ".join(words)[:MAX_CHARS]


def detect_lang(text: str, forced: str | None = None) -> str:
    """'ar' when any Arabic letter is present (mixed text is usually Arabic with a brand name), else 'en'."""
    if forced in ("ar", "en"):
        return forced
    return "ar" if _ARABIC_LETTER.search(text[: MAX_CHARS * 2]) else "en"
