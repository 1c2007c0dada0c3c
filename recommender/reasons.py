"""Short bilingual reasons for a recommendation, read off the same feature row the model scored.

The reason states a fact about the pair (ΔE to the skin, undertone agreement, the finish or
budget asked for), never the model's internals, so it stays true whatever the model learned.
"""

from __future__ import annotations

import numpy as np

from catalogue import FINISHES, UNDERTONES
from recommender.shade_match import SKIN_MATCH_KINDS, grade_of

# The forms these words take after "طابع بشرتك" / "اللمسة" (definite, agreeing), which the plain
# names in catalogue.kinds are not.
_TONE_AR = dict(zip(UNDERTONES, ("الدافئ", "المحايد", "البارد"), strict=True))
_FINISH_AR = dict(
    zip(
        FINISHES,
        ("المطفية", "الساتان", "اللامعة", "الشفافة", "المتلألئة", "المعدنية", "الطبيعية", "الندية"),
        strict=True,
    )
)


def explain(profile, kind: str, row: np.ndarray, col: dict[str, int]) -> tuple[str, str]:
    """(English, Arabic): the two most specific true statements about this item for this shopper.
    `kind` is the model kind the item is ranked as (`KindSpec.model_kind`)."""
    en: list[str] = []
    ar: list[str] = []
    de = float(row[col["de2000"]])
    if kind in SKIN_MATCH_KINDS:  # the grade first: a poor match must never read as "for you"
        grade = grade_of(round(de, 1))
        if grade == "close":
            en.append(f"a close match to your skin (ΔE {de:.1f})")
            ar.append(f"مطابق للون بشرتك (ΔE {de:.1f})")
        elif grade == "near":
            en.append(f"near your skin but visibly different (ΔE {de:.1f})")
            ar.append(f"قريب من لون بشرتك مع فرق ظاهر (ΔE {de:.1f})")
        else:
            en.append(f"the nearest shade we have, not a match (ΔE {de:.1f})")
            ar.append(f"أقرب درجة متوفرة لدينا، وليست مطابقة (ΔE {de:.1f})")
    if kind != "furniture" and row[col["undertone_agree"]] == 1.0:
        tone = profile.undertone
        en.append(f"matches your {tone} undertone")
        ar.append(f"يناسب طابع بشرتك {_TONE_AR[tone]}")
    if row[col["finish_match"]] == 1.0 and profile.finish:
        en.append(f"the {profile.finish} finish you asked for")
        ar.append(f"باللمسة {_FINISH_AR[profile.finish]} التي طلبتها")
    if kind == "furniture":
        if row[col["style_overlap"]] > 0:
            en.append("fits your style")
            ar.append("يناسب ذوقك")
        if row[col["fits_width"]] == 1.0:
            en.append("fits your space")
            ar.append("يناسب المساحة لديك")
    elif kind not in SKIN_MATCH_KINDS:
        chroma, contrast = float(row[col["shade_chroma"]]), float(row[col["contrast_L"]])
        if profile.intensity == "bold" and (chroma >= 35 or contrast >= 15):
            en.append("a bold shade that shows on your skin")
            ar.append("لون جريء يظهر بوضوح على بشرتك")
        elif profile.intensity == "natural" and chroma < 35 and abs(contrast) < 15:
            en.append("a soft, natural shade for your skin depth")
            ar.append("لون ناعم وطبيعي يناسب درجة بشرتك")
        elif profile.mst >= 7 and chroma >= 30 and contrast >= -8:
            en.append("rich enough to show on deeper skin")
            ar.append("غني بما يكفي ليظهر على البشرة الداكنة")
    if profile.budget_sar is not None and row[col["within_budget"]] == 1.0:
        en.append("within your budget")
        ar.append("ضمن ميزانيتك")
    if not en:
        en.append("suits your skin depth" if kind != "furniture" else "a popular choice")
        ar.append("يناسب درجة بشرتك" if kind != "furniture" else "خيار مفضل لدى كثيرين")
    return "; ".join(en[:2]), "، ".join(ar[:2])
