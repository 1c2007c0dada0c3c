"""Each shopper-facing failure carries a stable code, and the page has a message for every code in
Arabic and English (the codes, not the server's words, are what the shopper reads)."""

from __future__ import annotations

import re

import pytest
from test_app_machine import consented, make

from kiosk.app.commands import ERROR_CODES, CommandError, parse_command
from kiosk.app.machine import Phase
from kiosk.app.pipeline import CAMERA_STATUS, TONE_NOTICES
from kiosk.app.server import UI_DIR
from vision.skin import STATUSES

SOLD_OUT = "SAH-LIP-08"  # the demo catalogue's one shade with no stock


def ui_strings(lang: str) -> set[str]:
    """The keys of one language's block in kiosk/ui/i18n.js."""
    text = (UI_DIR / "i18n.js").read_text(encoding="utf-8")
    block = re.search(rf"\n  {lang}: \{{\n(.*?)\n  \}},", text, re.S)
    assert block, f"no {lang} block in i18n.js"
    return set(re.findall(r"^    (\w+):", block.group(1), re.M))


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_error_code_has_a_message_in_both_languages(lang):
    keys = ui_strings(lang)
    missing = {code for code in ERROR_CODES | {"connection_lost"} if f"error_{code}" not in keys}
    assert not missing


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_notice_the_pipeline_raises_has_a_message_in_both_languages(lang):
    keys = ui_strings(lang)
    notices = TONE_NOTICES | set(CAMERA_STATUS.values()) | {"no_face"}
    assert not {code for code in notices if f"status_{code}" not in keys}
    assert set(STATUSES) >= TONE_NOTICES  # and each is a skin-tone status `kiosk skin` prints too


def code_of(machine, cmd: dict) -> str:
    with pytest.raises(CommandError) as caught:
        machine.handle(parse_command(cmd), 1.0)
    return caught.value.code


def test_shopper_errors_carry_their_code():
    machine, _ = make()
    consented(machine)
    assert code_of(machine, {"cmd": "select", "sku": "NO-SUCH"}) == "unknown_product"
    assert code_of(machine, {"cmd": "preset", "id": "no-such"}) == "unknown_product"
    assert code_of(machine, {"cmd": "rec_accept", "sku": "SAH-LIP-01"}) == "unknown_product"
    assert code_of(machine, {"cmd": "intensity", "kind": "lipstick", "value": 0.5}) == "bad_input"
    assert code_of(machine, {"cmd": "back"}) == "not_possible"  # no summary open
    machine.handle(
        parse_command({"cmd": "select", "sku": SOLD_OUT}), 1.0
    )  # trying a sold-out shade on is fine…
    assert code_of(machine, {"cmd": "basket_add", "sku": SOLD_OUT}) == "out_of_stock"  # …listing it is not
    assert machine.session.basket == []
    with pytest.raises(ValueError, match="unknown error code"):
        CommandError("a code the page has no words for", "oops")


def test_retake_starts_a_new_photo_pick_only_on_the_summary():
    machine, _ = make()
    consented(machine)
    assert code_of(machine, {"cmd": "retake"}) == "not_possible"
    plan = machine.plan()
    assert plan.photo_round == 0 and not plan.photo_hold  # the makeup screen: the pick goes on
    machine.handle(parse_command({"cmd": "summary"}), 2.0)
    assert machine.phase is Phase.SUMMARY and machine.plan().photo_hold  # the summary shows it
    machine.handle(parse_command({"cmd": "retake"}), 3.0)
    assert machine.plan().photo_round == 1
    assert machine.snapshot()["session"]["photo_round"] == 1
