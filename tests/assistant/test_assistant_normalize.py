from kiosk.assistant.normalize import MAX_CHARS, clean, detect_lang, normalize


def test_tashkeel_and_tatweel_removed():
    assert normalize("أَحْمَرُ شِفَاهٍ") == normalize("احمر شفاه")
    assert normalize("جـــميـــل") == "جميل"


def test_alef_hamza_yaa_taa_marbuta_folded():
    assert normalize("أ إ آ ٱ") == "ا ا ا ا"
    assert normalize("مؤسسة") == "موسسه"
    assert normalize("شاطئ") == "شاطي"
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("وردة") == normalize("ورده")


def test_arabic_indic_and_persian_digits():
    assert normalize("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalize("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert normalize("درجة ٣W") == "درجه 3w"


def test_gulf_forms_are_canonical():
    assert normalize("أبغى") == normalize("ابي") == normalize("ابغا") == normalize("أريد")
    assert normalize("وش") == normalize("ايش") == normalize("شو")
    assert normalize("بكم الروج") == "كم سعر الروج"
    assert normalize("فين الكحل") == normalize("وين الكحل")
    assert normalize("فيه روج") == normalize("متوفر روج")


def test_emphasis_repeats_and_punctuation():
    assert normalize("شكراااا!!!") == "شكرا"
    assert normalize("Thanksss 🙏🙏") == "thanks"


def test_control_characters_removed():
    rtl = "\u202eابي\u200f \u2067اكلم\u2069 \u200bموظف\ufeff"
    assert normalize(rtl) == "ابي اكلم موظف"
    assert clean(rtl) == "ابي اكلم موظف"


def test_length_capped():
    assert len(normalize("روج " * 5000)) <= MAX_CHARS
    assert len(clean("x" * 5000)) <= MAX_CHARS


def test_detect_lang():
    assert detect_lang("how much is Royal Red") == "en"
    assert detect_lang("كم سعر Royal Red") == "ar"  # any Arabic letter → Arabic
    assert detect_lang("كم سعر", forced="en") == "en"
    assert detect_lang("") == "en"
    assert detect_lang("ﻻ") == "ar"  # presentation forms count as Arabic
