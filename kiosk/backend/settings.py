"""The backend's one settings class: environment variables (prefix MARAYA_) and an optional
.env-style file. A default secret is refused outside dev mode so that a real deployment cannot
start with a key everyone can read in the source."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator
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
    # Sign-in failure budgets (auth/throttle.py); only failures count, successes give theirs back.
    login_max_failures: int = Field(default=5, ge=1)  # per account (e-mail) per lockout window
    login_lockout_minutes: int = Field(default=15, ge=1)
    login_rate_per_minute: int = Field(default=20, ge=1)  # failures per client address, all accounts
    upload_max_bytes: int = 20 * 1024 * 1024
    upload_max_triangles: int = 500_000
    upload_max_dimension_m: float = 10.0
    upload_parse_timeout_s: float = 10.0
    help_stream_max_s: float = Field(
        default=300, gt=0
    )  # EventSource reconnects; bounded streams free workers
    # Per-process token buckets (see kiosk/backend/ratelimit.py): generous for a real kiosk,
    # which sends a batch every few seconds, and for 50 kiosks' worth of bench traffic on one token.
    kiosk_rate_per_s: float = Field(default=50.0, gt=0)
    kiosk_burst: int = Field(default=1000, ge=1)
    public_rate_per_s: float = Field(default=1.0, gt=0)  # per client address, on /h/...
    public_burst: int = Field(default=30, ge=1)
    # How far a kiosk's event clock may run ahead of the server's; events dated later are refused.
    event_clock_skew_s: int = Field(default=600, ge=0)
    kiosk_stale_after_s: int = 120
    kiosk_down_after_s: int = 900

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, url: str) -> str:
        """`postgres://` and `postgresql://` (what hosting providers hand out) mean the psycopg 3
        driver the project ships; SQLAlchemy alone would look for psycopg2 or refuse the name.
        Other databases are refused here, in one line, rather than by a driver import later."""
        for scheme in ("postgres://", "postgresql://"):
            if url.startswith(scheme):
                url = "postgresql+psycopg://" + url.removeprefix(scheme)
        if url.partition("://")[0] not in ("sqlite", "postgresql+psycopg"):
            raise ValueError("must be sqlite:///<file> or postgresql://… (the only databases supported)")
        return url

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> BackendSettings:
        if not self.dev_mode and self.secret_key == DEV_SECRET:
            raise ValueError("MARAYA_SECRET_KEY must be set to a private random value outside dev mode")
        if len(self.secret_key) < 16:
            raise ValueError("MARAYA_SECRET_KEY must be at least 16 characters")
        return self


class SettingsError(ValueError):
    """Settings that cannot run, said in one line that names the variables and never echoes
    their values (one of them is the secret key)."""


def _variable(field: str) -> str:
    alias = BackendSettings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else f"MARAYA_{field.upper()}"


def load_settings(env_file: Path | None = None, **overrides) -> BackendSettings:
    """Settings from the environment, then `env_file` (if given), then explicit overrides."""
    if env_file is not None and not env_file.is_file():
        raise SettingsError(f"settings file {env_file} not found")
    try:
        return BackendSettings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            message = error["msg"].removeprefix("Value error, ")
            where = str(error["loc"][0]) if error["loc"] else ""  # a field, an alias, or the model
            name = _variable(where) if where in BackendSettings.model_fields else where
            problems.append(f"{name}: {message}" if name else message)
        raise SettingsError("; ".join(problems)) from None
