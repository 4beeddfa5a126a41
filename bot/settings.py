"""Settings from the environment and `.env` (pydantic-settings). A wrong value stops the start."""

import hashlib
from datetime import time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/gridguard.db"
SUPPORTED_DATABASES = ("sqlite+aiosqlite", "postgresql+asyncpg")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_base: str | None = None
    timezone: str = "Asia/Shanghai"
    default_language: Literal["zh", "en"] = "zh"
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    redis_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    webhook_url: str | None = None
    """Set, the bot takes updates by webhook at this URL instead of polling."""
    webhook_listen: str = "0.0.0.0:8080"
    """host:port the webhook server listens on (a proxy in front terminates HTTPS)."""
    webhook_secret: SecretStr | None = None
    """Telegram sends it with every update; unset, one is derived from the token (the same for every instance)."""
    metrics_listen: str | None = None
    """host:port for /healthz, /readyz and /metrics (each instance its own); unset, not served."""
    outbox_rate: float = Field(default=30.0, gt=0, le=1000)
    outbox_max_attempts: int = Field(default=10, ge=1, le=100)
    outbox_lease_seconds: float = Field(default=60, ge=1, le=3600)
    """How long a delivery worker holds the rows it claims: a worker killed mid-send leaves them this long."""
    sweep_lease_seconds: float = Field(default=30, ge=2, le=3600)
    """When the instance leading the sweeps dies, another leads within this long."""
    startup_wait_seconds: float = Field(default=120, ge=0, le=3600)
    duty_evening_reminder: time = time(20, 0)
    """The local time of the reminder the evening before a duty shift."""
    paid_broadcast: bool = False
    """Let critical call-outs go by Telegram's paid broadcast (up to 1,000 messages a second, 0.1 Stars each from
    the bot's balance); off, every message goes at the free 30 a second."""

    @field_validator("bot_token", "webhook_secret", mode="before")
    @classmethod
    def empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("bot_token")
    @classmethod
    def token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            head, _, tail = value.get_secret_value().partition(":")
            if not head.isdigit() or not tail:
                raise ValueError("expected the form 123456789:ABC... that @BotFather gives")
        return value

    @field_validator("database_url")
    @classmethod
    def database_url_supported(cls, value: str) -> str:
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError(f"{value!r} is not a database URL") from None
        if driver not in SUPPORTED_DATABASES:
            raise ValueError(f"driver {driver!r} is not one of {', '.join(SUPPORTED_DATABASES)}")
        return value

    @field_validator("telegram_api_base", "redis_url", "webhook_url", "metrics_listen", mode="before")
    @classmethod
    def empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_base")
    @classmethod
    def api_base_is_http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("redis_url")
    @classmethod
    def redis_url_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def webhook_url_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be the https:// address Telegram posts updates to")
        return value

    @field_validator("webhook_listen", "metrics_listen")
    @classmethod
    def host_and_port(cls, value: str | None) -> str | None:
        if value is not None:
            host, _, port = value.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"expected host:port, e.g. 0.0.0.0:8080, not {value!r}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        if value is not None and not (
            0 < len(value.get_secret_value()) <= 256 and set(value.get_secret_value()) <= allowed
        ):
            raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("timezone")
    @classmethod
    def timezone_known(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (try Asia/Shanghai)") from None
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            if not all(p.lstrip("-").isdigit() for p in parts):
                raise ValueError("expected Telegram user ids separated by commas, e.g. 12345,67890")
            return frozenset(int(p) for p in parts)
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def secret_token(self, token: str) -> str:
        """The webhook's secret: WEBHOOK_SECRET, or one derived from the bot token."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        return hashlib.sha256(f"gridguard-webhook:{token}".encode()).hexdigest()


def host_port(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


class SettingsError(Exception):
    """One line naming the setting and what is wrong with it."""


class StartupError(Exception):
    """What stopped a start that waiting could not mend: one line naming the setting and the cause."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"Setting {name}: {message}") from None
