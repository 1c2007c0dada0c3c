"""The kiosk process's settings: one class, read from MARAYA_* environment variables and an
optional TOML file (path in MARAYA_CONFIG), with command-line flags overriding both.

Precedence, highest first: explicit keyword arguments (the CLI) > environment > file >
defaults. Defaults run a developer's laptop against a local backend.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_CLIP = REPO_ROOT / "assets" / "demo" / "shopper.mp4"
MIN_UI_TOKEN_CHARS = 32  # secrets.token_urlsafe(32) gives 43
UI_TOKEN_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{{MIN_UI_TOKEN_CHARS},}}")


class KioskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARAYA_", extra="ignore")

    backend_url: str = "http://127.0.0.1:8000"
    # The address a shopper's phone uses to open the handoff page; the kiosk itself may
    # reach the backend on a private address the phone cannot.
    public_url: str = ""
    kiosk_token: str = ""
    # "0" = webcam 0, or a video / image / folder path.
    source: str = "0"
    loop: bool = True
    mirror: bool = True
    language: Literal["ar", "en"] = "ar"
    resolution: tuple[int, int] = (1280, 720)
    jpeg_quality: int = Field(80, ge=30, le=95)
    ui_host: str = "127.0.0.1"
    ui_port: int = 8700
    # The secret the shopper's page must present on /ws and /api/* (loopback is no trust
    # boundary: any page in any browser on this machine can reach the port). A fresh one per
    # launch unless set (MARAYA_UI_TOKEN: a kiosk whose browser outlives the process; tests).
    ui_token: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(32)))
    idle_timeout_s: float = Field(90.0, gt=0)
    # How long the face may be missing during try-on before the session counts as walked away.
    face_gone_s: float = Field(20.0, gt=0)
    data_dir: Path = REPO_ROOT / "var" / "kiosk"
    # Furniture mode is offered only with a floor calibration (`kiosk calibrate floor`).
    floor_calibration: Path | None = None
    floor_tracking: bool = False  # track the printed board every frame (a camera that may move)
    # A grey card (or any fixed matte patch) in the camera's view makes the store's light exact:
    # x0, y0, x1, y1 in frame pixels and its linear BGR level under the store's normal light,
    # both printed by `kiosk calibrate light`. Without it the light comes from the eyes and the
    # frame's white point. With the card's own reflectance (a photographers' grey card: 0.18)
    # skin tone reads its absolute colour from the card too, instead of from the eyes.
    light_card_rect: tuple[int, int, int, int] | None = None
    light_card_level: tuple[float, float, float] | None = None
    light_card_reflectance: float | None = None
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

    @model_validator(mode="after")
    def _card_rect_and_level_together(self) -> KioskSettings:
        if self.light_card_reflectance is not None and self.light_card_rect is None:
            raise ValueError("light_card_reflectance needs light_card_rect and light_card_level")
        if (self.light_card_rect is None) != (self.light_card_level is None):
            raise ValueError(
                "light_card_rect and light_card_level go together: run `kiosk calibrate light` "
                "and copy both lines it prints"
            )
        return self

    @field_validator("ui_token")
    @classmethod
    def _strong_token(cls, token: SecretStr) -> SecretStr:
        # URL-safe base64 characters only: the token rides in a URL and a WebSocket subprotocol.
        if not UI_TOKEN_PATTERN.fullmatch(token.get_secret_value()):
            raise ValueError(
                f"ui_token must be at least {MIN_UI_TOKEN_CHARS} characters of A-Z a-z 0-9 - _ "
                "(leave it unset for a fresh random one per launch)"
            )
        return token

    @property
    def ui_origin(self) -> str:
        """The page's own origin as the browser writes it (IPv6 in brackets)."""
        host = f"[{self.ui_host}]" if ":" in self.ui_host else self.ui_host
        return f"http://{host}:{self.ui_port}"

    @property
    def ui_launch_url(self) -> str:
        """The page's address with the secret, for the one launch line printed at start-up."""
        return f"{self.ui_origin}/?token={self.ui_token.get_secret_value()}"

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
