"""The one settings object: every knob of the service, read from the environment or `.env`."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BACKEND_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BACKEND_DIR.parent

VERSION = "0.1.0"


class Settings(BaseSettings):
    """Runtime configuration; unset DATABASE_URL means "start the embedded PostgreSQL"."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = None
    environment: Literal["development", "test", "production"] = "development"
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:5173"]

    # Pool sized for a small clinic, with room for bursts of 50+ concurrent clients.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    db_connect_timeout: int = Field(default=2, ge=1)
    db_statement_timeout_ms: int = Field(default=5000, ge=0)

    pg_data_dir: Path = BACKEND_DIR / ".data" / "pg"
    frontend_dist: Path = REPO_DIR / "dist"
    sample_data: Path = REPO_DIR / "db.json"
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)

    @field_validator("cors_origins", mode="before")
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
