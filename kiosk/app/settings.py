"""The kiosk process's settings: one class, read from MARAYA_* environment variables and an
optional TOML file (path in MARAYA_CONFIG), with command-line flags overriding both.

Precedence, highest first: explicit keyword arguments (the CLI) > environment > file >
defaults. Defaults run a developer's laptop against a local backend.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_CLIP = REPO_ROOT / "assets" / "demo" / "shopper.mp4"


class KioskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARAYA_", extra="ignore")

    backend_url: str = "http://127.0.0.1:8000"
    # The address a shopper's phone uses to open the handoff page; the kiosk itself may
    # reach the backend on a private address the phone cannot.
    public_url: str = ""
    kiosk_token: str = ""
    store_id: str = "riyadh-01"
    # "0" = webcam 0, or a video / image / folder path.
    source: str = "0"
    loop: bool = True
    mirror: bool = True
    language: Literal["ar", "en"] = "ar"
    resolution: tuple[int, int] = (1280, 720)
    jpeg_quality: int = Field(80, ge=30, le=95)
    ui_host: str = "127.0.0.1"
    ui_port: int = 8700
    idle_timeout_s: float = Field(90.0, gt=0)
    # How long the face may be missing during try-on before the session counts as walked away.
    face_gone_s: float = Field(20.0, gt=0)
    data_dir: Path = REPO_ROOT / "var" / "kiosk"
    # Furniture mode is offered only with a floor calibration (`kiosk calibrate floor`).
    floor_calibration: Path | None = None
    floor_tracking: bool = False  # track the printed board every frame (a camera that may move)
    # The assistant's replies are spoken (captions always show); the shopper can mute them or
    # change the volume for their session. `speech_dir` keeps the WAV files instead of playing
    # them: machines without a sound card, and tests.
    speech: bool = True
    speech_volume: float = Field(0.8, ge=0.0, le=1.0)
    speech_dir: Path | None = None
    # Exposes per-frame landmark summaries at /api/debug/*: for tests and benchmarks only.
    debug_endpoints: bool = False

    @field_validator("ui_host")
    @classmethod
    def _loopback_only(cls, host: str) -> str:
        # Frames of the shopper's face never leave the machine: the UI binds to loopback.
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(
                f"ui_host must be a loopback address (frames never leave the kiosk), got {host!r}"
            )
        return host

    @property
    def handoff_base_url(self) -> str:
        return (self.public_url or self.backend_url).rstrip("/")

    @property
    def catalogue_cache(self) -> Path:
        return self.data_dir / "catalogue.json"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("MARAYA_CONFIG")
        if config:
            if not Path(config).is_file():
                raise FileNotFoundError(f"MARAYA_CONFIG names a file that does not exist: {config}")
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)
