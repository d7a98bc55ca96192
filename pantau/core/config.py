"""Effective configuration: defaults < pantau.toml < environment variables.

The file is `pantau.toml` in the working directory, or the path in `PANTAU_CONFIG`.
Environment variables use the prefix `PANTAU_` and `__` between nested keys
(`PANTAU_SMTP__HOST`); `DATABASE_URL` and `PANTAU_DATA_DIR` are the two most used.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url

DEFAULT_USER_AGENT = "pantau/0.1 (+https://github.com/pantau-id/pantau; news monitoring research crawler)"


class EmbeddingSettings(BaseModel):
    # A prepared folder name under <data_dir>/models, a sentence-transformers model name, or a path.
    model: str = "multilingual-e5-small"
    # "auto" uses CUDA when torch sees a GPU, else the CPU.
    device: str = "auto"
    # "auto": PyTorch on a GPU, else the int8 ONNX model when `pantau models prepare` made one, else
    # PyTorch on the CPU; "onnx-int8" (CPU only) or "torch" (the reference) to choose.
    backend: str = "auto"
    batch_size: int = 32
    # CPU threads of the embedding model; 0 = every core this process may use.
    threads: int = 0


class SmtpSettings(BaseModel):
    host: str = "localhost"
    port: int = 587
    username: str = ""
    password: SecretStr = SecretStr("")
    starttls: bool = True
    sender: str = "pantau <pantau@localhost>"
    timeout_s: float = 30.0


class CrawlSettings(BaseModel):
    user_agent: str = DEFAULT_USER_AGENT
    concurrent_requests_per_domain: int = 2
    download_timeout_s: float = 30.0
    autothrottle: bool = True
    max_page_bytes: int = 10 * 1024 * 1024
    retry_times: int = 3
    obey_robots_txt: bool = True
    # An article URL that failed for good (404, 410, off-site redirect) is not fetched again for this long.
    recheck_failed_after_days: float = 30.0
    # An outlet is stopped after this many walls in a row (HTTP 403, a 429 that persists after one wait,
    # challenge or consent pages, pages that are not the article; crawlers/blocking.py); 0 never stops.
    blocked_after: int = Field(default=3, ge=0)


class ProcessSettings(BaseModel):
    batch_size: int = 64
    # Worker processes for extraction; 0 means one per CPU core.
    workers: int = 0
    page_timeout_s: float = 30.0


class WebSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8765
    page_size_cap: int = 500
    # Endpoints that change data are off unless a token is set.
    admin_token: SecretStr = SecretStr("")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PANTAU_",
        env_nested_delimiter="__",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Path("data")
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "PANTAU_DATABASE_URL", "database_url"),
    )
    # Prepared models (embeddings); default <data_dir>/models. Separate so tests can keep one copy.
    models_dir: Path | None = None
    campaigns_file: Path = Path("campaigns.toml")
    timezone: str = "Asia/Jakarta"
    log_level: str = "INFO"
    embedding: EmbeddingSettings = EmbeddingSettings()
    smtp: SmtpSettings = SmtpSettings()
    crawl: CrawlSettings = CrawlSettings()
    process: ProcessSettings = ProcessSettings()
    web: WebSettings = WebSettings()

    @field_validator("data_dir", mode="after")
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _default_models_dir(self) -> Settings:
        self.models_dir = (self.models_dir or self.data_dir / "models").expanduser().resolve()
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'pantau.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_source = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, toml_source)


def config_file_path() -> Path:
    return Path(os.environ.get("PANTAU_CONFIG", "pantau.toml"))


_current: Settings | None = None


def get_settings() -> Settings:
    global _current
    if _current is None:
        _current = Settings()
    return _current


def reload_settings(**overrides: Any) -> Settings:
    """Read the configuration again (tests and the CLI's global options use this)."""
    global _current
    _current = Settings(**overrides)
    return _current


def masked_settings(settings: Settings) -> dict[str, Any]:
    """The configuration as plain data, secrets replaced by '********' (for `pantau config show`)."""
    data = settings.model_dump(mode="json")
    data["database_url"] = mask_url_password(settings.effective_database_url)
    for section, key in (("smtp", "password"), ("web", "admin_token")):
        if data[section][key]:
            data[section][key] = "********"
    return data


def mask_url_password(url: str) -> str:
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - masking is best effort: a string make_url cannot read is shown as given
        return url
    if parsed.password:
        return parsed.render_as_string(hide_password=True)
    return url
