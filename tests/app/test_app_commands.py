"""The page's commands are typed once (kiosk/app/commands.py): malformed ones are refused with a
reason that names the field, every command has one handler in the machine, and every command the
page's code sends fits the schema the kiosk publishes to it."""

from __future__ import annotations

import re

import pytest
from test_app_machine import make

from kiosk.app.commands import COMMAND_NAMES, COMMANDS, CommandError, parse_command
from kiosk.app.machine import DEFAULT_INTENSITY, page_config
from kiosk.app.server import UI_DIR


def refusal(raw) -> str:
    with pytest.raises(CommandError) as caught:
        parse_command(raw)
    assert caught.value.code == "bad_input"
    return str(caught.value)


def test_malformed_commands_are_refused_naming_what_is_wrong():
    assert refusal(["select"]) == "a command is a JSON object"
    assert refusal({"cmd": "explode"}) == "unknown command 'explode'"
    assert refusal({"sku": "SAH-LIP-01"}) == "unknown command None"
    assert refusal({"cmd": "select"}) == "select: missing field 'sku'"
    assert refusal({"cmd": "select", "sku": "SAH-LIP-01", "colour": "red"}) == (
        "select: 'colour' is not a field of this command"
    )
    assert "intensity" in refusal({"cmd": "select", "sku": "SAH-LIP-01", "intensity": 3})
    assert "intensity" in refusal(
        {"cmd": "select", "sku": "SAH-LIP-01", "intensity": "0.5"}
    )  # JSON numbers only
    assert "accept" in refusal({"cmd": "consent", "accept": 1})
    assert "undertone" in refusal({"cmd": "tone", "mst": 4, "undertone": "olive"})
    assert "reset" in refusal({"cmd": "tone", "mst": 4})  # a depth without an undertone
    assert "characters" in refusal({"cmd": "ask", "text": "   "})
    assert "text" in refusal({"cmd": "ask", "text": "x" * 301})
    assert "u" in refusal({"cmd": "f_tap", "u": 1.5, "v": 0.5})


def test_a_well_formed_command_is_typed():
    tone = parse_command({"cmd": "tone", "mst": 4, "undertone": "warm"})
    assert (type(tone).__name__, tone.mst, tone.undertone, tone.reset) == ("Tone", 4, "warm", False)
    assert parse_command({"cmd": "split", "x": None}).x is None
    assert parse_command({"cmd": "f_rotate", "degrees": -15}).degrees == -15.0


def test_every_command_has_one_handler():
    machine, _ = make()
    assert set(machine._handlers) == set(COMMANDS)
    assert len(COMMAND_NAMES) == len(COMMANDS)  # no two commands share a name


def _object_literal(text: str, start: int) -> str:
    """The text inside the `{...}` that opens at `start`, up to its matching brace."""
    depth, quote = 0, None
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'`":
            quote = ch
        elif ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
    raise AssertionError(f"unbalanced braces after {text[start : start + 60]!r}")


def _top_level_keys(body: str) -> dict[str, str]:
    """`cmd: "tone", mst: Math.max(1, x), text` → {"cmd": '"tone"', "mst": ..., "text": "text"}."""
    entries, depth, current = [], 0, ""
    for ch in body:
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        if ch == "," and depth == 0:
            entries.append(current)
            current = ""
        else:
            current += ch
    entries.append(current)
    keys = {}
    for entry in filter(str.strip, entries):
        key, _, value = entry.partition(":")
        keys[key.strip()] = (value or key).strip()
    return keys


def page_sends() -> list[dict[str, str]]:
    """Every `send({...})` in kiosk/ui/app.js, as its keys and the source of their values."""
    script = (UI_DIR / "app.js").read_text(encoding="utf-8")
    return [_top_level_keys(_object_literal(script, m.end() - 1)) for m in re.finditer(r"\bsend\(\{", script)]


def test_every_command_the_page_sends_fits_the_published_schema():
    schema = page_config()["commands"]
    sends = page_sends()
    assert len(sends) >= 30  # the parser found the page's taps
    for keys in sends:
        name = keys["cmd"].strip("\"'")
        assert name in schema, f"app.js sends an unknown command {name!r}"
        fields = schema[name]["properties"]
        assert set(keys) <= set(fields), f"app.js sends {name} with {set(keys) - set(fields)}"
        assert set(schema[name].get("required", [])) <= set(keys), f"app.js sends {name} without a field"
    # …and the page uses the commands a shopper needs, not a subset that happens to parse
    sent = {keys["cmd"].strip("\"'") for keys in sends}
    assert sent == set(schema) - {"clear", "basket_remove", "f_place", "f_move"}


def test_the_page_is_sent_its_rules_instead_of_copying_them():
    config = page_config()
    assert config["undertones"] == ["warm", "neutral", "cool"]
    assert len(config["mst_swatches"]) == 10
    assert config["default_intensity"] == DEFAULT_INTENSITY
    script = (UI_DIR / "app.js").read_text(encoding="utf-8") + (UI_DIR / "i18n.js").read_text(
        encoding="utf-8"
    )
    for copy in ('"warm", "neutral", "cool"', '"makeup", "summary", "mirror"', "volume: 0.8", "#292420"):
        assert copy not in script
    page = (UI_DIR / "index.html").read_text(encoding="utf-8")
    slider = re.search(r'<input id="intensity"[^>]*>', page).group(0)
    assert "value=" not in slider and '"intensity").value = 80' not in script  # set from the config
