"""One typed settings object, the only reader of environment variables (ADMON_*).

Precedence: command-line option > environment variable > default. `get_settings()` is read
once per process; the CLI builds its own with overrides via `Settings(**overrides)`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Deployment settings. Field names map to ADMON_<NAME> environment variables."""

    model_config = SettingsConfigDict(env_prefix="ADMON_", extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="Evidence, uploads, SQLite file")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default SQLite at <data_dir>/admon.db"
    )
    timezone: str = Field(default="Asia/Shanghai", description="Office time zone for schedules")
    redis_url: str | None = Field(default=None, description="Shared frontier / OCR queue")
    chromium_path: Path | None = Field(
        default=None, description="Chromium executable; found on PATH when unset"
    )
    upload_max_bytes: int = Field(default=20 * 1024 * 1024, description="Poster upload cap")
    image_max_pixels: int = Field(
        default=40_000_000, description="Decoded-image pixel cap (well below Pillow's 89 M)"
    )
    db_pool_size: int = Field(
        default=20,
        ge=1,
        description="Database connections the web app keeps open (server databases only). "
        "Sized to the requests served at once, so a busy queue never opens and closes "
        "connections per request (a PostgreSQL backend start costs the server milliseconds)",
    )
    ocr_engine: str = Field(default="auto", description="auto | tesseract | rapidocr")
    ocr_timeout_seconds: float = Field(default=60.0, description="Per-image OCR time limit")
    campaign_phases: str | None = Field(
        default=None,
        description='Campaign phases as JSON: [{"key": "investigation", "label": "集中排查", '
        '"start": "2026-09-01", "end": "2026-10-31"}, …]; default: built-in dates',
    )
    secret_key: str | None = Field(
        default=None, description="Session signing key; generated into the data dir if unset"
    )

    @property
    def resolved_database_url(self) -> str:
        """The database URL to use: explicit, else the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'admon.db').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        """Write-once evidence store (raw bodies, screenshots, original uploads)."""
        return self.data_dir / "evidence"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment alone (the web app and scheduler use this)."""
    return Settings()
