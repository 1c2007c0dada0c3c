"""Short replies in the shopper's language, built only from the catalogue, stock, store settings
and FAQ. Every number in a reply is read from a `Product`/`Shade`/`Variant` at the moment of the
question; when the knowledge has no answer the reply says so (and offers staff) instead of
guessing. Questions about things the catalogue does not hold get "we don't carry that".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from catalogue import Product, Shade, Variant, kind

from .entities import Entities, EntityMatcher
from .knowledge import Knowledge

MAX_LISTED = 3

TEXT = {
    "en": {
        "price": "{name}: {price} SAR.",
        "stock_shade": "{name}: {stock} in stock, aisle {aisle}.",
        "out_shade": "{name} is out of stock right now (usually in aisle {aisle}).",
        "stock_product": "{name}: aisle {aisle}, {in_stock} of {total} shades in stock.",
        "find_shade": "Yes, {name}: aisle {aisle}, {stock_text}.",
        "find_product": "Yes, {name}: aisle {aisle}, {price} SAR.",
        "in_stock": "{stock} in stock",
        "out_of_stock": "out of stock right now",
        "more": "And {n} more.",
        "price_range": "We have {n} matching products, from {low} to {high} SAR.",
        "dont_carry": "Sorry, we don't carry that. We have {kinds}.",
        "dont_carry_but": "Sorry, we don't carry that, but we have:",
        "which": "Which product do you mean? We have {kinds}.",
        "recommend": "Once you accept the camera notice, the mirror reads your skin tone and shows shades "
        "Recommended for you.",
        "recommend_kind": "For {kind} we have {names}.",
        "suits_close": "Your closest {kind}: {name} (ΔE {de}, a close match).",
        "suits_near": "Your nearest {kind}: {name} (ΔE {de}): near, but visibly different; staff can help,"
        " for example by mixing two shades.",
        "suits_none": "We have no close {kind} match for your tone in stock; the nearest is {name} (ΔE {de})."
        " Staff can check another store, order it, or mix two shades.",
        "no_info": "I don't have that information here. Would you like me to call a staff member?",
        "staff": "I've asked a staff member to come and help you.",
        "frustrated": "Sorry about that. I've asked a staff member to come and help you.",
        "missed_three": "Sorry, I'm not getting it. I've asked a staff member to come and help you.",
        "greeting": "Hello! Ask me about products, shades, prices or where to find them.",
        "thanks": "You're welcome!",
        "rephrase": "Sorry, I didn't catch that. Could you say it another way? I can help with products, "
        "prices, stock, store hours, returns and payment.",
        "and": " and ",
    },
    "ar": {
        "price": "{name}: {price} ريال.",
        "stock_shade": "{name}: متوفر ({stock} قطعة)، الممر {aisle}.",
        "out_shade": "{name} غير متوفر حاليًا (مكانه عادةً الممر {aisle}).",
        "stock_product": "{name}: الممر {aisle}، {in_stock} من {total} درجات متوفرة.",
        "find_shade": "نعم، {name}: الممر {aisle}، {stock_text}.",
        "find_product": "نعم، {name}: الممر {aisle}، {price} ريال.",
        "in_stock": "متوفر ({stock} قطعة)",
        "out_of_stock": "غير متوفر حاليًا",
        "more": "وعندنا {n} غيرها.",
        "price_range": "عندنا {n} منتجات مناسبة، أسعارها من {low} إلى {high} ريال.",
        "dont_carry": "عذرًا، هذا غير متوفر عندنا. عندنا {kinds}.",
        "dont_carry_but": "عذرًا، هذا غير متوفر عندنا، لكن عندنا:",
        "which": "أي منتج المقصود؟ عندنا {kinds}.",
        "recommend": "بعد الموافقة على إشعار الكاميرا تقرأ المرآة لون بشرتك وتعرض درجات «مقترح لك».",
        "recommend_kind": "من {kind} عندنا {names}.",
        "suits_close": "أقرب {kind} للون البشرة: {name} (ΔE {de}، مطابقة قريبة).",
        "suits_near": "أقرب {kind} للون البشرة: {name} (ΔE {de})، قريب مع فرق ظاهر، ويمكن للموظف المساعدة"
        " بمزج درجتين مثلًا.",
        "suits_none": "لا يتوفر الآن {kind} مطابق للون البشرة؛ الأقرب {name} (ΔE {de})."
        " يمكن للموظف التحقق من فرع آخر أو طلبه أو مزج درجتين.",
        "no_info": "ما عندي هذه المعلومة هنا. أنادي لك أحد الموظفين؟",
        "staff": "طلبت من أحد الموظفين يجي يساعدك.",
        "frustrated": "آسفين على هذا. طلبت من أحد الموظفين يجي يساعدك.",
        "missed_three": "آسفة، ما قدرت أفهم. طلبت من أحد الموظفين يجي يساعدك.",
        "greeting": "أهلًا وسهلًا! اسألني عن المنتجات والألوان والأسعار وأماكنها.",
        "thanks": "العفو، بالخدمة!",
        "rephrase": "عذرًا، ما فهمت عليك. ممكن السؤال بطريقة ثانية؟ أقدر أساعدك في المنتجات والأسعار "
        "والتوفر وأوقات الدوام والاسترجاع والدفع.",
        "and": " و",
    },
}

STORE_TOPICS = {"store_hours": "hours", "returns": "returns", "payment": "payment"}


@dataclass(frozen=True)
class Answer:
    text: str
    answered: bool  # False when the shopper's question is still open (rephrase, no info, which product)


def price_text(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _name(p: Product, lang: str, shade: Shade | Variant | None = None) -> str:
    if lang == "ar":
        product = f"{p.name_ar} ({p.brand})"
    else:
        product = p.name_en if p.name_en.startswith(p.brand) else f"{p.brand} {p.name_en}"
    if shade is None:
        return product
    return f"{shade.name_ar if lang == 'ar' else shade.name_en} – {product}"


def _kinds_list(knowledge: Knowledge, lang: str) -> str:
    kinds = dict.fromkeys(p.kind for p in knowledge.catalogue.products)
    labels = [kind(k).spoken(lang) for k in kinds]
    if len(labels) <= 1:
        return "".join(labels)
    return (
        "، ".join(labels[:-1]) + TEXT[lang]["and"] + labels[-1]
        if lang == "ar"
        else ", ".join(labels[:-1]) + " and " + labels[-1]
    )


def resolve(
    ents: Entities, matcher: EntityMatcher
) -> tuple[list[Product], list[tuple[Product, Shade | Variant]]]:
    """The products and shades a question is about, most specific first."""
    products = matcher.products_for(ents)
    named = []
    for pid, sku in sorted(ents.shade_refs):
        p = matcher.product(pid)
        named.extend((p, s) for s in (*p.shades, *p.variants) if s.sku == sku)
    if products:
        # a shade name shared by several products ("Cocoa", "Oak"): keep the one the question names
        shades = [(p, s) for p, s in named if p in products]
        if not shades and ents.colours:
            shades = matcher.shades_in_colours(products, ents.colours)
    elif ents.colours:
        # "red" alone: every shade whose name says red (a superset of shades named just "Red")
        shades = matcher.shades_in_colours(list(matcher.catalogue.products), ents.colours)
    else:
        shades = named
    if shades and not products:
        products = list(dict.fromkeys(p for p, _ in shades))
    return products, shades


def _listed(lines: list[str], lang: str) -> str:
    text = " ".join(lines[:MAX_LISTED])
    if len(lines) > MAX_LISTED:
        text += " " + TEXT[lang]["more"].format(n=len(lines) - MAX_LISTED)
    return text


def product_answer(
    intent: str, ents: Entities, matcher: EntityMatcher, knowledge: Knowledge, lang: str
) -> Answer:
    t = TEXT[lang]
    products, shades = resolve(ents, matcher)
    if not products:
        kinds = _kinds_list(knowledge, lang)
        if ents.not_carried or ents.leftover:
            return Answer(t["dont_carry"].format(kinds=kinds), True)
        return Answer(t["which"].format(kinds=kinds), False)
    if ents.not_carried:
        # "Fenty foundation": say we don't carry Fenty, then what we have of the kind
        found = product_answer(
            "find_product", dataclasses.replace(ents, not_carried=[]), matcher, knowledge, lang
        )
        return Answer(t["dont_carry_but"] + " " + found.text, True)
    if intent == "price":
        if shades:
            # a shade costs what its product costs; name the shade only when it is the one asked about
            products = list(dict.fromkeys(p for p, _ in shades))
            if len(shades) == 1:
                p, s = shades[0]
                return Answer(t["price"].format(name=_name(p, lang, s), price=price_text(p.price_sar)), True)
        if len(products) > MAX_LISTED:
            prices = [p.price_sar for p in products]
            return Answer(
                t["price_range"].format(
                    n=len(products), low=price_text(min(prices)), high=price_text(max(prices))
                ),
                True,
            )
        return Answer(
            _listed(
                [t["price"].format(name=_name(p, lang), price=price_text(p.price_sar)) for p in products],
                lang,
            ),
            True,
        )
    if intent == "availability":
        if shades:
            lines = [
                t["stock_shade"].format(name=_name(p, lang, s), stock=s.stock, aisle=p.aisle)
                if s.stock > 0
                else t["out_shade"].format(name=_name(p, lang, s), aisle=p.aisle)
                for p, s in shades
            ]
            return Answer(_listed(lines, lang), True)
        lines = []
        for p in products:
            options = (*p.shades, *p.variants)
            lines.append(
                t["stock_product"].format(
                    name=_name(p, lang),
                    aisle=p.aisle,
                    in_stock=sum(o.stock > 0 for o in options),
                    total=len(options),
                )
            )
        return Answer(_listed(lines, lang), True)
    # find_product
    if shades:
        lines = [
            t["find_shade"].format(
                name=_name(p, lang, s),
                aisle=p.aisle,
                stock_text=t["in_stock"].format(stock=s.stock) if s.stock > 0 else t["out_of_stock"],
            )
            for p, s in shades
        ]
        return Answer(_listed(lines, lang), True)
    lines = [
        t["find_product"].format(name=_name(p, lang), aisle=p.aisle, price=price_text(p.price_sar))
        for p in products
    ]
    return Answer(_listed(lines, lang), True)


@dataclass(frozen=True)
class ShadePick:
    """A complexion shade the kiosk recommended to this shopper, with its match grade
    (recommender.shade_match), so "what suits me" says as much as the screen does."""

    product: Product
    shade: Shade
    delta_e: float
    grade: str


def _suits(picks: tuple[ShadePick, ...], lang: str) -> list[str]:
    """The best pick of each kind, in words that match its grade (a poor match is never 'for you')."""
    lines, seen = [], set()
    for pick in picks:
        if pick.product.kind in seen:
            continue
        seen.add(pick.product.kind)
        label = kind(pick.product.kind).spoken(lang)
        name = _name(pick.product, lang, pick.shade)
        lines.append(
            TEXT[lang][f"suits_{pick.grade}"].format(kind=label, name=name, de=f"{pick.delta_e:.1f}")
        )
    return lines


def recommend_answer(
    ents: Entities, matcher: EntityMatcher, knowledge: Knowledge, lang: str, picks: tuple[ShadePick, ...] = ()
) -> Answer:
    t = TEXT[lang]
    if picks:  # the shopper's tone is known: answer with the graded matches the screen shows
        return Answer(" ".join(_suits(picks, lang)), True)
    entry = knowledge.faq_by_tag("recommend")
    text = entry.answer(lang) if entry else t["recommend"]
    products, _ = resolve(ents, matcher)
    if products and ents.kinds:
        label = kind(products[0].kind).spoken(lang)
        names = t["and"].join(_name(p, lang) for p in products[:MAX_LISTED])
        text += " " + t["recommend_kind"].format(kind=label, names=names)
    return Answer(text, True)


def info_answer(intent: str, knowledge: Knowledge, lang: str) -> Answer:
    """Store hours, returns, payment and try-on help: staff-entered text or an honest 'I don't know'."""
    if intent == "tryon_help":
        entry = knowledge.faq_by_tag("tryon")
        text = entry.answer(lang) if entry else ""
    else:
        text = knowledge.store.get(STORE_TOPICS[intent], lang)
    return Answer(text, True) if text else Answer(TEXT[lang]["no_info"], False)
