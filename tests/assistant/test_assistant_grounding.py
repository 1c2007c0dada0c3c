"""Every price and stock level the assistant states equals the catalogue's, in both languages,
and things the catalogue does not hold get "we don't carry that"."""

import dataclasses
import re

import pytest

from catalogue import load_catalogue
from kiosk.assistant import Assistant
from kiosk.assistant.answers import price_text

NUMBER = re.compile(r"\d+(?:\.\d+)?")
DONT_CARRY = {"en": "we don't carry that", "ar": "غير متوفر عندنا"}


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


CATALOGUE = load_catalogue()
PRODUCTS = list(CATALOGUE.products)
SHADES = [
    (p, s) for p in PRODUCTS for s in (*p.shades, *p.variants) if not any(ch.isdigit() for ch in s.name_en)
]


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p.id)
def test_product_price_en_and_ar(assistant, product):
    for question in (f"how much is the {product.name_en}", f"كم سعر {product.name_ar}"):
        reply = assistant.ask(question)
        assert reply.intent == "price", (question, reply)
        assert price_text(product.price_sar) in numbers(reply.reply), (question, reply.reply)
        assert product.aisle not in reply.reply  # a price answer, not a location one


@pytest.mark.parametrize(("product", "shade"), SHADES, ids=lambda x: getattr(x, "sku", ""))
def test_shade_stock_and_price(assistant, product, shade):
    for question, lang in (
        (f"is {shade.name_en} {product.name_en} in stock", "en"),
        (f"{product.name_ar} {shade.name_ar} متوفر؟", "ar"),
    ):
        reply = assistant.ask(question)
        assert reply.lang == lang
        assert reply.intent in ("availability", "find_product"), (question, reply)  # both state stock + aisle
        assert product.aisle in reply.reply
        stated = [n for n in numbers(reply.reply) if n not in product.aisle]
        if shade.stock > 0:
            assert stated == [str(shade.stock)], (question, reply.reply)
        else:
            assert stated == [] and ("out of stock" in reply.reply or "غير متوفر" in reply.reply), reply.reply
    reply = assistant.ask(f"how much is {shade.name_en} from {product.brand}")
    assert reply.intent == "price"
    # a shade name several products share ("Cocoa", "Oak") gets each of their prices, nothing else
    sharing = {
        price_text(p.price_sar)
        for p in PRODUCTS
        if p.brand == product.brand and any(s.name_en == shade.name_en for s in (*p.shades, *p.variants))
    }
    assert set(numbers(reply.reply)) == sharing, reply.reply


def test_answers_follow_the_live_catalogue(knowledge, classifier):
    """Change a price and a stock level: the next answer says the new values (nothing cached or invented)."""
    lipstick = next(p for p in knowledge.catalogue.products if p.id == "lip-sahra-velvet")
    red = lipstick.shades[0]
    changed = dataclasses.replace(
        lipstick, price_sar=123.5, shades=(dataclasses.replace(red, stock=4), *lipstick.shades[1:])
    )
    products = tuple(changed if p.id == lipstick.id else p for p in knowledge.catalogue.products)
    live = dataclasses.replace(
        knowledge, catalogue=dataclasses.replace(knowledge.catalogue, products=products)
    )
    assistant = Assistant(live, classifier)
    assert "123.50" in assistant.ask("how much is Royal Red").reply
    reply = assistant.ask("هل الأحمر الملكي متوفر؟").reply
    assert "4" in numbers(reply) and "15" not in numbers(reply)


@pytest.mark.parametrize(
    "question",
    [
        "do you have Chanel No 5 perfume",
        "how much is the mascara",
        "where is the nail polish",
        "عندكم مسكرة؟",
        "بكم عطر ديور",
        "وين الشامبو",
        "do you sell Fenty foundation",
    ],
)
def test_unknown_products_are_not_carried(assistant, question):
    reply = assistant.ask(question)
    assert reply.intent in ("find_product", "price", "availability"), reply
    assert DONT_CARRY[reply.lang] in reply.reply.lower(), reply.reply
    assert "fenty" in question.lower() or not numbers(reply.reply)


@pytest.mark.parametrize(
    "question", ["how much is the waterproof zorblax", "كم سعر الزومبلكس", "where is the glimmerstick"]
)
def test_invented_names_get_no_invented_answer(assistant, question):
    """A name nobody sells: "we don't carry that" or a request to rephrase, never a price or an aisle."""
    reply = assistant.ask(question)
    assert DONT_CARRY[reply.lang] in reply.reply.lower() or not reply.answered, reply
    assert not numbers(reply.reply), reply.reply


def test_store_policy_comes_from_settings_and_is_never_invented(knowledge, classifier):
    assistant = Assistant(knowledge, classifier)
    assert assistant.ask("what time do you open").reply == knowledge.store.hours_en
    assert assistant.ask("وش سياسة الاسترجاع").reply == knowledge.store.returns_ar
    blank = dataclasses.replace(
        knowledge, store=dataclasses.replace(knowledge.store, returns_en="", returns_ar="")
    )
    reply = Assistant(blank, classifier).ask("what is your return policy")
    assert reply.intent == "returns" and not reply.answered
    assert "don't have that information" in reply.reply


def test_staff_faq_answers_in_the_shoppers_language(knowledge, classifier):
    assistant = Assistant(knowledge, classifier)
    gift = next(e for e in knowledge.faq if "gift" in e.tags)
    assert assistant.ask("do you do gift wrapping?").reply == gift.answer_en
    assert assistant.ask("عندكم تغليف هدايا؟").reply == gift.answer_ar
    edited = dataclasses.replace(gift, answer_en="Gift wrapping costs 10 SAR at the cashier.")
    assistant.update_knowledge(dataclasses.replace(knowledge, faq=(edited,)))
    assert assistant.ask("do you do gift wrapping?").reply == edited.answer_en
