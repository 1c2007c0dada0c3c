"""The backend's one settings class: environment variables (prefix MARAYA_) and an optional
.env-style file. A default secret is refused outside dev mode so that a real deployment cannot
start with a key everyone can read in the source."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"
DEFAULT_DATA_DIR = Path("build/backend")


class BackendSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARAYA_", env_file=None, extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'maraya.db'}",
        validation_alias="DATABASE_URL",  # the conventional name deployments already set
    )
    secret_key: str = DEV_SECRET
    dev_mode: bool = False
    allowed_origins: list[str] = Field(default_factory=list)
    data_dir: Path = DEFAULT_DATA_DIR  # uploaded 3D models and published recommender models
    retention_days: int = Field(default=90, ge=1, le=3650)
    purge_interval_s: float = Field(default=6 * 3600, ge=0)  # 0 turns the in-process schedule off
    handoff_ttl_minutes: int = Field(default=24 * 60, ge=1)
    session_ttl_hours: int = Field(default=12, ge=1)
    cookie_secure: bool = True
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    login_rate_per_minute: int = 10  # per client address, across all accounts
    upload_max_bytes: int = 20 * 1024 * 1024
    upload_max_triangles: int = 500_000
    upload_max_dimension_m: float = 10.0
    upload_parse_timeout_s: float = 10.0
    help_stream_max_s: float = Field(
        default=300, gt=0
    )  # EventSource reconnects; bounded streams free workers
    kiosk_stale_after_s: int = 120
    kiosk_down_after_s: int = 900

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> BackendSettings:
        if not self.dev_mode and self.secret_key == DEV_SECRET:
            raise ValueError("MARAYA_SECRET_KEY must be set to a private random value outside dev mode")
        if len(self.secret_key) < 16:
            raise ValueError("MARAYA_SECRET_KEY must be at least 16 characters")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(env_file: Path | None = None, **overrides) -> BackendSettings:
    """Settings from the environment, then `env_file` (if given), then explicit overrides."""
    return BackendSettings(_env_file=env_file, **overrides)
