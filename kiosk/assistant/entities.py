"""Find the catalogue things a question names: brands, products, shades/variants, colours and
product kinds, in Arabic and English, tolerant of spelling variants.

The gazetteer is built from the live catalogue (so a product staff add today is findable
today) plus a small bilingual lexicon of kind and colour words. Matching is greedy,
longest alias first, over normalised words: an exact hit, else a character-trigram Dice
similarity ≥ FUZZY_MIN against aliases of the same word count (an inverted trigram index keeps
that to a few candidates). "احمر شفاه احمر" thus reads as kind=lipstick then colour=red.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from catalogue import KINDS, Catalogue, Product, Shade, Variant, kinds_in
from catalogue.kinds import AREA_WORDS

from .normalize import normalize

FUZZY_MIN = 0.66
MIN_FUZZY_CHARS = 5  # shorter aliases ("oak", "كحل") must match exactly: trigrams of 3 letters say too little

# Kind words → what they select. A key is a catalogue kind (its words live in catalogue/kinds.py),
# an area ("lips", "eyes": every kind that goes there) or a product tag. Furniture types (sofa,
# rug...) and "gloss" are tags on products, not kinds, so their words stay here; "table" groups
# the two table tags.
TAG_WORDS: dict[str, tuple[str, ...]] = {
    "gloss": ("gloss", "lip gloss", "lipgloss", "ملمع", "ملمع شفايف", "ملمع شفاه", "قلوس", "جلوس", "لب قلوس"),
    "sofa": ("sofa", "couch", "settee", "كنبه", "كنب", "كنبات", "صوفا"),
    "armchair": ("armchair", "arm chair", "chair", "كرسي", "كرسي بذراعين", "كراسي"),
    "coffee_table": ("coffee table", "طاوله قهوه", "طاوله وسط", "طاولة وسط"),
    "side_table": ("side table", "طاوله جانبيه", "طاوله صغيره"),
    "table": ("table", "tables", "طاوله", "طاولات", "ترابيزه"),
    "floor_lamp": ("lamp", "floor lamp", "مصباح", "اباجوره", "لمبه", "مصباح ارضي", "اضاءه ارضيه"),
    "rug": ("rug", "carpet", "سجاده", "زوليه", "سجاد", "موكيت"),
}  # fmt: skip
KIND_WORDS: dict[str, tuple[str, ...]] = {
    **{k.id: k.words for k in KINDS},
    **TAG_WORDS,
    **AREA_WORDS,
}
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    **{area: kinds_in(area) for area in AREA_WORDS},
    "table": ("coffee_table", "side_table"),
}
# Things a shopper may ask for that this store does not sell: named so the answer is
# "we don't carry that" rather than a near-miss product.
NOT_CARRIED = (
    "mascara", "perfume", "fragrance", "nail polish", "nail", "shampoo", "sunscreen", "primer",
    "setting spray", "powder", "lashes", "false lashes", "moisturiser", "moisturizer", "serum", "skincare",
    "cream", "bed", "mattress",
    "wardrobe", "dining table", "curtains", "mirror", "tv", "chanel", "dior", "mac", "fenty", "huda beauty",
    "maybelline", "loreal", "nars", "ikea", "rimmel", "nyx",
    "مسكره", "ماسكرا", "مسكارا", "عطر", "عطور", "بخور", "مناكير", "طلاء اظافر", "شامبو", "واقي شمس", "برايمر",
    "مثبت مكياج", "بودره", "رموش", "مرطب", "كريم ترطيب", "سيروم", "سرير", "مرتبه", "دولاب", "خزانه", "ستاير",
    "مرايه", "تلفزيون", "شانيل", "ديور", "ماك", "فنتي", "هدى بيوتي", "ميبيلين", "لوريال", "ايكيا", "عود",
)  # fmt: skip
COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    "red": ("red", "احمر", "حمرا", "حمراء"),
    "pink": ("pink", "rose", "rosy", "وردي", "زهري", "بينك", "روز"),
    "nude": ("nude", "beige", "sand", "نود", "بيج", "رملي", "نيود"),
    "brown": ("brown", "cocoa", "coffee", "chocolate", "caramel", "بني", "كاكاو", "قهوه", "كراميل",
              "شوكولاته"),
    "black": ("black", "اسود", "سودا"),
    "gold": ("gold", "golden", "ذهبي", "دهبي"),
    "berry": ("berry", "plum", "purple", "mauve", "توتي", "برقوقي", "بنفسجي", "موف"),
    "coral": ("coral", "orange", "peach", "مرجاني", "برتقالي", "خوخي", "مشمشي"),
    "white": ("white", "ivory", "ابيض", "عاجي"),
    "green": ("green", "olive", "emerald", "اخضر", "زيتوني", "زمردي"),
    "blue": ("blue", "navy", "ازرق", "كحلي"),
    "bronze": ("bronze", "copper", "brass", "برونزي", "نحاسي"),
    "grey": ("grey", "gray", "charcoal", "taupe", "رمادي", "فحمي"),
}  # fmt: skip
_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال")


def tokens(text: str) -> list[str]:
    """Normalised words with the Arabic article and its joined prepositions removed."""
    out = []
    for word in normalize(text).split():
        for clitic in _CLITICS:
            if word.startswith(clitic) and len(word) - len(clitic) >= 2:
                word = word[len(clitic) :]
                break
        out.append(word)
    return out


def trigrams(text: str) -> set[str]:
    padded = f"#{text}#"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


@dataclass(frozen=True)
class _Alias:
    words: tuple[str, ...]
    kind: str  # "brand" | "product" | "shade" | "kind" | "colour" | "not_carried"
    ref: str  # brand name, product id, "product_id/sku", kind key, colour key, or the word itself


@dataclass
class Entities:
    brands: set[str] = field(default_factory=set)
    product_ids: set[str] = field(default_factory=set)
    shade_refs: set[tuple[str, str]] = field(default_factory=set)  # (product id, shade or variant sku)
    kinds: set[str] = field(default_factory=set)
    colours: set[str] = field(default_factory=set)
    not_carried: list[str] = field(default_factory=list)
    leftover: list[str] = field(default_factory=list)  # words no alias explained

    @property
    def names_catalogue_thing(self) -> bool:
        return bool(self.brands or self.product_ids or self.shade_refs or self.kinds or self.colours)


def _distinctive(name_words: tuple[str, ...], generic: set[str]) -> tuple[str, ...]:
    return tuple(w for w in name_words if w not in generic)


class EntityMatcher:
    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self._products = {p.id: p for p in catalogue.products}
        aliases: dict[tuple[str, ...], list[_Alias]] = defaultdict(list)

        def add(text: str, kind: str, ref: str) -> None:
            words = tuple(tokens(text))
            if words and all(a.ref != ref or a.kind != kind for a in aliases[words]):
                aliases[words].append(_Alias(words, kind, ref))

        for key, words in KIND_WORDS.items():
            for w in words:
                add(w, "kind", key)
        for key, words in COLOUR_WORDS.items():
            for w in words:
                add(w, "colour", key)
        for w in NOT_CARRIED:
            add(w, "not_carried", w)
        generic = {w for (ws, lst) in aliases.items() for a in lst if a.kind == "kind" for w in ws}
        brands = {p.brand for p in catalogue.products}
        generic |= {w for b in brands for w in tokens(b)}
        for brand in brands:
            add(brand, "brand", brand)
        for p in catalogue.products:
            for name in (p.name_en, p.name_ar):
                add(name, "product", p.id)
                core = _distinctive(tuple(tokens(name)), generic)
                if core and len(" ".join(core)) >= 3:
                    add(" ".join(core), "product", p.id)
            for s in (*p.shades, *p.variants):
                for name in (s.name_en, s.name_ar):
                    add(name, "shade", f"{p.id}/{s.sku}")
                add(s.sku, "shade", f"{p.id}/{s.sku}")
                code = tokens(s.name_en)[0]
                if any(ch.isdigit() for ch in code):  # foundation codes like "3W" alone
                    add(code, "shade", f"{p.id}/{s.sku}")
        colour_of_word = {
            tokens(a)[0]: key for key, words in COLOUR_WORDS.items() for a in words if len(tokens(a)) == 1
        }
        # Colour keys each shade's own names mention ("Deep Berry" → berry, "أحمر ملكي" → red).
        self._shade_colours = {
            (p.id, s.sku): {
                colour_of_word[w] for w in (*tokens(s.name_en), *tokens(s.name_ar)) if w in colour_of_word
            }
            for p in catalogue.products
            for s in (*p.shades, *p.variants)
        }
        self._aliases = aliases
        self._max_len = max(len(k) for k in aliases)
        self._grams = {k: trigrams(" ".join(k)) for k in aliases}
        self._index: dict[tuple[int, str], set[tuple[str, ...]]] = defaultdict(set)
        for k, grams in self._grams.items():
            # codes (SKUs, "3W") must match exactly: "dar sofa 03" is not a misspelt "velvet dar sofa"
            if len(" ".join(k)) >= MIN_FUZZY_CHARS and not any(ch.isdigit() for ch in "".join(k)):
                for g in grams:
                    self._index[(len(k), g)].add(k)

    def _lookup(self, window: tuple[str, ...]) -> list[_Alias]:
        hit = self._aliases.get(window)
        if hit:
            return hit
        text = " ".join(window)
        if len(text) < MIN_FUZZY_CHARS or any(w.isdigit() for w in window):
            return []
        grams = trigrams(text)
        shared: Counter = Counter()
        for g in grams:
            shared.update(self._index.get((len(window), g), ()))
        best, best_score = None, FUZZY_MIN
        for key, n in shared.items():
            score = 2 * n / (len(grams) + len(self._grams[key]))
            if score >= best_score:
                best, best_score = key, score
        return self._aliases[best] if best else []

    def match(self, text: str, stopwords: frozenset[str] = frozenset()) -> Entities:
        words = tokens(text)[:60]
        found = Entities()
        i = 0
        while i < len(words):
            for n in range(min(self._max_len, len(words) - i), 0, -1):
                hits = self._lookup(tuple(words[i : i + n]))
                if hits:
                    for a in hits:
                        self._record(found, a)
                    i += n
                    break
            else:
                if words[i] not in stopwords and len(words[i]) >= 3 and not words[i].isdigit():
                    found.leftover.append(words[i])
                i += 1
        return found

    @staticmethod
    def _record(found: Entities, alias: _Alias) -> None:
        if alias.kind == "brand":
            found.brands.add(alias.ref)
        elif alias.kind == "product":
            found.product_ids.add(alias.ref)
        elif alias.kind == "shade":
            pid, sku = alias.ref.split("/", 1)
            found.shade_refs.add((pid, sku))
        elif alias.kind == "kind":
            found.kinds.update(KIND_GROUPS.get(alias.ref, (alias.ref,)))
        elif alias.kind == "colour":
            found.colours.add(alias.ref)
        else:
            found.not_carried.append(alias.ref)

    def products_for(self, ents: Entities) -> list[Product]:
        """Products the question points at: named products, else kind ∧ brand filters."""
        if ents.product_ids:
            named = [self._products[i] for i in sorted(ents.product_ids)]
            agree = [p for p in named if not ents.kinds or _kind_keys(p) & ents.kinds]
            if agree:
                return agree
            # a name word that is also something else ("سهرة" names the kohl and the brand): trust the kind
        if not (ents.kinds or ents.brands):
            return []
        return [
            p
            for p in self.catalogue.products
            if (not ents.kinds or _kind_keys(p) & ents.kinds) and (not ents.brands or p.brand in ents.brands)
        ]

    def product(self, pid: str) -> Product:
        return self._products[pid]

    def shades_in_colours(
        self, products: list[Product], colours: set[str]
    ) -> list[tuple[Product, Shade | Variant]]:
        return [
            (p, s)
            for p in products
            for s in (*p.shades, *p.variants)
            if self._shade_colours[(p.id, s.sku)] & colours
        ]


def _kind_keys(p: Product) -> set[str]:
    return {p.kind, *p.tags}
