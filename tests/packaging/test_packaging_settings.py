"""Every kiosk setting is read by the kiosk: a setting nothing reads lets an operator believe they
configured something (the kiosk's store, for one, is the store its token belongs to)."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk.app.settings import KioskSettings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_read_somewhere():
    code = [p.read_text() for p in (ROOT / "kiosk").rglob("*.py")]
    read = {name for text in code for name in re.findall(r"\b(?:settings|self)\.(\w+)", text)}
    assert sorted(set(KioskSettings.model_fields) - read) == []
