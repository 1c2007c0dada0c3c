"""Every product kind, finish and undertone the store sells, defined once.

A `KindSpec` holds all that the product knows about a kind: where it goes on the face and in
what order it is painted, how many colours a layer takes, which effect paints it, its names on
the shelf and in the assistant's mouth (English, Arabic), the words shoppers use for it, the
finishes it comes in, and which kind column the shade-ranking model scores it as. Vision,
recommender, assistant, kiosk, backend and the kiosk page (through the server) all derive from
`KINDS`; adding a kind is one `KindSpec` here, plus effect code only if no existing effect
paints it. Its `ranked_as` must name one of the ranking model's kind columns (the frozen
`MODEL_KINDS` of recommender/features.py), so the shipped model ranks it without a retrain; a
kind that ranks like none of them needs a new feature schema and a retrained model, and until
then the recommender refuses to import, naming the kind.

This module imports nothing from the product, so every layer (even `vision`) may import it.
"""

from __future__ import annotations

from dataclasses import dataclass

FINISHES = ("matte", "satin", "gloss", "sheer", "shimmer", "metallic", "natural", "dewy")
UNDERTONES = ("warm", "neutral", "cool")

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

# Where a kind goes; the assistant also answers to these words as a group ("something for the
# eyes"). "room" is everything that is not worn.
AREAS = ("face", "cheeks", "eyes", "lips", "room")
AREA_WORDS: dict[str, tuple[str, ...]] = {
    "lips": ("lips", "lip", "شفايف", "شفاه", "الشفايف"),
    "eyes": ("eyes", "eye", "عيون", "عين"),
    "cheeks": ("cheeks", "cheek", "خدود", "خد"),
}


@dataclass(frozen=True)
class KindSpec:
    """One product kind. `paint_order` is None for what is not painted on a face (furniture)."""

    id: str
    name_en: str  # on the shelf and in the catalogue screens
    name_ar: str
    spoken_en: str  # how the assistant says it in a sentence ("kohl", not "Eyeliner")
    spoken_ar: str
    area: str
    paint_order: int | None
    effect: str | None  # the vision effect that paints it (vision/makeup/effects.py EFFECTS)
    max_colors: int = 1
    finishes: tuple[str, ...] = FINISHES
    words: tuple[str, ...] = ()  # what shoppers call it, English and Arabic, for the assistant
    ranked_as: str = ""  # the model kind column it is scored in (recommender MODEL_KINDS); "" = own id
    # Kept off whatever lies in front of the face and is unlike its skin (a glasses rim, a strand
    # of hair: vision/occlusion/unlike_skin.py), the face's own brows and lashes still painted:
    # what colours the skin (base, powders, eyeshadow) and brow colour. Not liners, drawn into
    # the lashes (a wing runs through them), nor lip colours (a beard around the lips would
    # read as crossing them; objects over the lips are found from the lips' colours instead).
    off_unlike_skin: bool = False

    @property
    def is_makeup(self) -> bool:
        return self.paint_order is not None

    @property
    def model_kind(self) -> str:
        return self.ranked_as or self.id

    def name(self, lang: str) -> str:
        return self.name_ar if lang == "ar" else self.name_en

    def spoken(self, lang: str) -> str:
        return self.spoken_ar if lang == "ar" else self.spoken_en


_LIP = ("matte", "satin", "gloss", "sheer", "shimmer", "metallic")
_EYE = ("matte", "satin", "shimmer", "metallic")
_FACE = ("matte", "natural", "dewy", "satin")

# In shelf order: the order kinds are listed on the kiosk's screen and in the admin.
KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        id="lipstick", name_en="Lipstick", name_ar="أحمر الشفاه",
        spoken_en="lipstick", spoken_ar="روج",
        area="lips", paint_order=9, effect="lipstick", finishes=_LIP,
        words=("lipstick", "lipsticks", "lip stick", "lip colour", "lip color", "rouge", "روج", "روجات",
               "احمر شفاه", "احمر شفايف", "حمره", "حمرة شفايف", "قلم روج"),
    ),
    KindSpec(
        id="lip_liner", name_en="Lip liner", name_ar="محدد الشفاه",
        spoken_en="lip liner", spoken_ar="محدد شفاه",
        area="lips", paint_order=8, effect="lip_liner", finishes=_LIP,
        words=("lip liner", "lipliner", "lip pencil", "محدد شفاه", "محدد شفايف", "قلم شفايف", "لاينر شفايف"),
    ),
    KindSpec(
        id="blush", name_en="Blush", name_ar="أحمر الخدود",
        spoken_en="blush", spoken_ar="بلشر",
        area="cheeks", paint_order=3, effect="blush",
        off_unlike_skin=True, finishes=("matte", "satin", "shimmer", "sheer"),
        words=("blush", "blusher", "بلشر", "بلاشر", "احمر خدود", "احمر خد"),
    ),
    KindSpec(
        id="bronzer", name_en="Bronzer", name_ar="برونزر",
        spoken_en="bronzer", spoken_ar="برونزر",
        area="cheeks", paint_order=2, effect="bronzer",
        off_unlike_skin=True, finishes=("matte", "satin", "shimmer"),
        words=("bronzer", "contour", "برونزر", "كونتور", "كنتور"),
    ),
    KindSpec(
        id="highlighter", name_en="Highlighter", name_ar="هايلايتر",
        spoken_en="highlighter", spoken_ar="هايلايتر",
        area="cheeks", paint_order=4, effect="highlighter",
        off_unlike_skin=True, finishes=("shimmer", "metallic", "satin", "dewy"),
        words=("highlighter", "highlight", "هايلايتر", "هايلايت", "هايلتر", "اضاءه"),
    ),
    KindSpec(
        id="eyeshadow", name_en="Eyeshadow", name_ar="ظلال العيون",
        spoken_en="eyeshadow", spoken_ar="ظلال عيون",
        area="eyes", paint_order=5, effect="eyeshadow",
        off_unlike_skin=True, max_colors=3, finishes=_EYE,
        words=("eyeshadow", "eye shadow", "eyeshadows", "palette", "ظلال", "ظلال عيون", "ظل عيون", "شادو",
               "ايشادو", "باليت"),
    ),
    KindSpec(
        id="eyeliner", name_en="Eyeliner", name_ar="كحل",
        spoken_en="kohl", spoken_ar="كحل",
        area="eyes", paint_order=6, effect="eyeliner", finishes=_EYE,
        words=("eyeliner", "eye liner", "kohl", "kajal", "ايلاينر", "كحل", "محدد عيون"),
    ),
    KindSpec(
        id="brow", name_en="Brows", name_ar="الحواجب",
        spoken_en="brow gel", spoken_ar="جل حواجب",
        area="eyes", paint_order=7, effect="brow",
        off_unlike_skin=True, finishes=("matte", "natural"),
        words=("brow", "brows", "eyebrow", "eyebrows", "brow gel", "حواجب", "جل حواجب", "حاجب"),
    ),
    KindSpec(
        id="foundation", name_en="Foundation", name_ar="كريم الأساس",
        spoken_en="foundation", spoken_ar="كريم أساس",
        area="face", paint_order=0, effect="foundation",
        off_unlike_skin=True, finishes=_FACE,
        words=("foundation", "foundations", "كريم اساس", "فاونديشن", "فاونديشين", "فونديشن"),
    ),
    KindSpec(
        id="concealer", name_en="Concealer", name_ar="كونسيلر",
        spoken_en="concealer", spoken_ar="كونسيلر",
        area="face", paint_order=1, effect="concealer",
        off_unlike_skin=True, finishes=_FACE,
        words=("concealer", "كونسيلر", "كونسلر", "خافي عيوب", "خافي الهالات"),
    ),
    KindSpec(
        id="furniture", name_en="Furniture", name_ar="أثاث",
        spoken_en="furniture", spoken_ar="أثاث",
        area="room", paint_order=None, effect=None, words=("furniture", "اثاث", "موبيليا"),
    ),
)  # fmt: skip

KIND_BY_ID: dict[str, KindSpec] = {k.id: k for k in KINDS}
PRODUCT_KINDS: tuple[str, ...] = tuple(k.id for k in KINDS)
MAKEUP_KINDS: tuple[str, ...] = tuple(k.id for k in KINDS if k.is_makeup)
# Base first, lips last: the order layers are painted in, whatever order the shopper tapped.
PAINT_ORDER: tuple[str, ...] = tuple(
    k.id for k in sorted((k for k in KINDS if k.is_makeup), key=lambda k: k.paint_order or 0)
)
KIND_NAMES: dict[str, tuple[str, str]] = {k.id: (k.name_en, k.name_ar) for k in KINDS}


def kind(kind_id: str) -> KindSpec:
    """The spec of a kind; KeyError names the known kinds."""
    try:
        return KIND_BY_ID[kind_id]
    except KeyError:
        raise KeyError(f"unknown product kind {kind_id!r}; known: {', '.join(PRODUCT_KINDS)}") from None


def kinds_in(area: str) -> tuple[str, ...]:
    return tuple(k.id for k in KINDS if k.area == area)


def _check() -> None:
    # A broken definition would surface far away (a blank Arabic label, a kind nothing paints):
    # fail at import instead.
    ids = [k.id for k in KINDS]
    assert len(ids) == len(set(ids)), "duplicate kind id"
    orders = [k.paint_order for k in KINDS if k.paint_order is not None]
    assert len(orders) == len(set(orders)), "two kinds share a paint order"
    for k in KINDS:
        assert k.area in AREAS, f"{k.id}: unknown area {k.area!r}"
        assert k.name_en and k.name_ar and k.spoken_en and k.spoken_ar, f"{k.id}: a name is missing"
        assert set(k.finishes) <= set(FINISHES), f"{k.id}: unknown finish in {k.finishes}"
        assert k.is_makeup == (k.effect is not None), f"{k.id}: painted kinds need an effect, others none"
        assert k.max_colors >= 1, f"{k.id}: max_colors must be at least 1"
    assert set(FINISH_NAMES) == set(FINISHES) and set(UNDERTONE_NAMES) == set(UNDERTONES)


_check()
