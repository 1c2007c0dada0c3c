"""Kiosk settings (env, TOML file, CLI flags) and the `kiosk run` command's refusals."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kiosk.app.settings import KioskSettings
from kiosk.cli import build_parser, main
from kiosk.commands.run import settings_overrides


def test_env_then_file_then_flags(monkeypatch, tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('backend_url = "http://10.0.0.5:8000"\nlanguage = "en"\nui_port = 9000\n')
    monkeypatch.setenv("MARAYA_CONFIG", str(config))
    monkeypatch.setenv("MARAYA_UI_PORT", "9100")
    settings = KioskSettings()
    assert settings.backend_url == "http://10.0.0.5:8000" and settings.language == "en"
    assert settings.ui_port == 9100  # the environment beats the file
    args = build_parser().parse_args(["run", "--camera", "1", "--ui-port", "9200", "--lang", "ar"])
    settings = KioskSettings(**settings_overrides(args))
    assert (settings.source, settings.ui_port, settings.language) == ("1", 9200, "ar")  # flags beat both
    assert settings.handoff_base_url == "http://10.0.0.5:8000"


def test_the_ui_never_binds_beyond_loopback(monkeypatch):
    monkeypatch.setenv("MARAYA_UI_HOST", "0.0.0.0")
    with pytest.raises(ValidationError, match="loopback"):
        KioskSettings()


def test_a_missing_config_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("MARAYA_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(FileNotFoundError, match=r"nope\.toml"):
        KioskSettings()


def test_run_refuses_a_missing_input_with_a_clear_message(capsys, tmp_path):
    assert main(["run", "--video", str(tmp_path / "missing.mp4")]) == 2
    assert "input not found" in capsys.readouterr().out


def test_source_flags_are_exclusive():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--camera", "0", "--video", "x.mp4"])
