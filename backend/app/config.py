"""The one settings object: every knob of the service, read from the environment or `.env`."""

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app import __version__
from app.db_admin import DATA_FOLDER, libpq_url

BACKEND_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BACKEND_DIR.parent

VERSION = __version__
# A backup passphrase is typed by people (argon2id makes each guess slow); the metrics token is
# only ever pasted into a scraper's configuration, so it can be long and random.
SECRET_MIN_LENGTH = {"backup_passphrase": 12, "metrics_token": 32}


class Settings(BaseSettings):
    """Runtime configuration; unset DATABASE_URL means "start the embedded PostgreSQL"."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = None
    environment: Literal["development", "test", "production"] = "development"
    # The Vite dev server's page (`npm run dev`) by either of the names it answers to.
    cors_origins: Annotated[list[str], NoDecode] = [
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    ]
    # Where `python -m app serve` listens unless given --port (hosting providers set PORT).
    port: int = Field(default=8000, ge=1, le=65535)

    # The most connections one worker holds: opened on demand, closed after 10 idle minutes.
    # Fewer than the usual concurrency would make requests queue for a connection.
    db_pool_max: int = Field(default=30, ge=1)
    # How long a request waits for a pooled connection before it is a 503: while the database
    # is away no connection ever comes, and the answer must still arrive within 2 s.
    db_pool_timeout: float = Field(default=1.5, gt=0)
    # A pooled connection idle this long is pinged before use (database.IdleCheck).
    db_ping_after_idle_s: float = Field(default=1.0, ge=0)
    db_connect_timeout: int = Field(default=2, ge=1)
    db_statement_timeout_ms: int = Field(default=5000, ge=0)
    # The longest a statement waits for a lock another transaction holds (0: only the statement
    # timeout bounds it); it holds for background work too, which raises its statement timeout.
    db_lock_timeout_ms: int = Field(default=5000, ge=0)

    pg_data_dir: Path = DATA_FOLDER / "pg"
    frontend_dist: Path = REPO_DIR / "dist"
    sample_data: Path = REPO_DIR / "db.json"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # /health's `SELECT 1` gives up after this long, so it answers within 2 s even on a hung DB.
    health_timeout_s: float = Field(default=1.5, gt=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Sign-in (shared/design.md, identity and access). A session ends after this long without
    # a request, and in any case this long after sign-in.
    session_idle_timeout_s: int = Field(default=15 * 60, ge=1)
    session_max_age_s: int = Field(default=12 * 60 * 60, ge=1)
    # Failed sign-ins within the window: this many for one username, or this many from one
    # client address, and further attempts answer 429 until the oldest leaves the window.
    sign_in_window_s: int = Field(default=15 * 60, ge=1)
    sign_in_max_failures: int = Field(default=5, ge=1)
    sign_in_max_failures_per_client: int = Field(default=30, ge=1)
    # Where the first start (development) writes the generated admin password, mode 0600.
    initial_admin_file: Path = DATA_FOLDER / "initial-admin-password"
    # Host names the service answers to (DNS rebinding defence); `*.example.org` allowed.
    allowed_hosts: Annotated[list[str], NoDecode] = ["localhost", "127.0.0.1"]
    # Sign-in off for patient routes, for a json-server-era client on this machine only:
    # refused in production and on any address but loopback (`python -m app serve`).
    open_access: bool = False
    # Audit events of reads and searches (app/audit.py). Off only to measure what they cost in
    # a benchmark run; refused in production.
    audit_reads: bool = True
    # How often a running server seals new audit events into the hash chain (app/audit_chain.py).
    audit_seal_interval_s: float = Field(default=2.0, gt=0)
    # How often a running server checks new and changed patients for probable duplicates
    # (services/duplicate_service.py); `GET /duplicates` shows what it found.
    duplicate_check_interval_s: float = Field(default=5.0, gt=0)

    # Backups (app/backup, README "Backing up and restoring"). Archives are encrypted when a
    # passphrase is set; beside the embedded server one is made daily at this UTC time.
    backup_dir: Path = DATA_FOLDER / "backups"
    backup_passphrase: SecretStr | None = None
    backup_at_utc: time = time(2, 0)
    backup_keep: int = Field(default=7, ge=1)
    # GET /metrics (Prometheus) answers only with this bearer token, and is a 404 without it.
    metrics_token: SecretStr | None = None

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        """Fail at start-up, naming the variable, rather than at the first request."""
        if value:
            try:
                libpq_url(value)
            except ValueError:
                # The parser's message quotes the URL, password included: never repeat it.
                raise ValueError(
                    "DATABASE_URL is not a PostgreSQL URL "
                    "(expected postgresql://user:password@host:5432/database)"
                ) from None
        return value or None

    @field_validator("backup_passphrase", "metrics_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """A short secret can be guessed; the message names the variable, never the value."""
        if value is None or not value.get_secret_value():
            return None  # set but empty: unset, as in a .env template
        least = SECRET_MIN_LENGTH[info.field_name or ""]
        if len(value.get_secret_value()) < least:
            raise ValueError(
                f"{(info.field_name or '').upper()} must be at least {least} characters"
            )
        return value

    @model_validator(mode="after")
    def _production_is_safe(self) -> "Settings":
        """The embedded server is for laptops and CI; production data lives on a managed server,
        and production never serves patient data without sign-in."""
        if self.environment == "production" and not self.database_url:
            raise ValueError("DATABASE_URL is required when ENVIRONMENT=production")
        if self.environment == "production" and self.open_access:
            raise ValueError("OPEN_ACCESS=true is refused when ENVIRONMENT=production")
        if self.environment == "production" and not self.audit_reads:
            raise ValueError("AUDIT_READS=false is refused when ENVIRONMENT=production")
        return self

    @property
    def production(self) -> bool:
        """Secure cookies, HSTS, admin-only API documentation."""
        return self.environment == "production"

    @field_validator("cors_origins", "allowed_hosts", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept a comma-separated list, the natural form for an environment variable."""
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    """Settings are read once per process."""
    return Settings()
