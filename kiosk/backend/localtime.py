"""Times as a shopper or member of staff reads them: in the store's zone, in their language.

The database keeps UTC; each store names its IANA zone (default Asia/Riyadh). Digits stay
Western in both languages, as everywhere else in the kiosk and admin pages (prices, stock,
KPIs). Mixed-direction fragments (dates, codes, SKUs, prices) are wrapped so an Arabic line
keeps its order: `<bdi>` in HTML, FSI…PDI in plain text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Riyadh"

MONTHS = {
    "ar": (
        "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
        "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip

FSI, PDI = "\u2068", "\u2069"


def validate_timezone(name: str) -> str:
    """The name itself when zoneinfo knows it; a ValueError that says what to write otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as {DEFAULT_TIMEZONE}") from None
    return name


def in_zone(at: dt.datetime, zone: str) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("a naive datetime has no known instant; the database stores aware UTC times")
    return at.astimezone(ZoneInfo(zone))


def format_datetime(at: dt.datetime, zone: str, lang: str) -> str:
    """'30 November 2026, 20:55' / '30 نوفمبر 2026، 20:55' in the store's zone."""
    local = in_zone(at, zone)
    comma = "،" if lang == "ar" else ","
    return f"{local.day} {MONTHS[lang][local.month - 1]} {local.year}{comma} {local:%H:%M}"


def isolate(text: str) -> str:
    """Plain-text bidi isolation (FSI…PDI) for a fragment of the other direction."""
    return f"{FSI}{text}{PDI}"
