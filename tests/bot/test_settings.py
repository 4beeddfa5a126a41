"""Settings: defaults that work on a fresh machine, and one clear line for every wrong value."""

from pathlib import Path

import pytest

from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_BASE", "TIMEZONE", "DEFAULT_LANGUAGE",
                 "ADMIN_IDS", "REDIS_URL", "LOG_LEVEL", "LOG_FORMAT", "WEBHOOK_URL", "WEBHOOK_LISTEN",
                 "WEBHOOK_SECRET", "METRICS_LISTEN", "OUTBOX_LEASE_SECONDS", "SWEEP_LEASE_SECONDS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_need_no_configuration() -> None:
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.timezone == "Asia/Shanghai"
    assert settings.default_language == "zh"
    assert settings.admin_ids == frozenset()
    assert settings.redis_url is None
    assert settings.webhook_url is None and settings.metrics_listen is None, "polling, no metrics port"


def test_the_webhook_secret_is_the_same_on_every_instance_and_not_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "123:abc"
    derived = load_settings().secret_token(token)
    assert derived == load_settings().secret_token(token) and token not in derived
    monkeypatch.setenv("WEBHOOK_SECRET", "chosen_secret-1")
    assert load_settings().secret_token(token) == "chosen_secret-1"


def test_values_come_from_the_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=123:abc\nADMIN_IDS=1, 2;3\n", encoding="utf-8")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "en")
    settings = load_settings()
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == "123:abc"
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.default_language == "en"


def test_the_token_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:secret-part")
    assert "secret-part" not in repr(load_settings())


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("TIMEZONE", "Mars/Olympus", "Setting TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("ADMIN_IDS", "12,abc", "Setting ADMIN_IDS: expected Telegram user ids"),
        ("DATABASE_URL", "mysql://localhost/x", "Setting DATABASE_URL: driver 'mysql' is not one of"),
        ("DATABASE_URL", "not a url", "Setting DATABASE_URL: 'not a url' is not a database URL"),
        ("BOT_TOKEN", "nonsense", "Setting BOT_TOKEN: expected the form 123456789:ABC"),
        ("DEFAULT_LANGUAGE", "fr", "Setting DEFAULT_LANGUAGE: Input should be 'zh' or 'en'"),
        ("TELEGRAM_API_BASE", "ftp://x", "Setting TELEGRAM_API_BASE: must start with http://"),
        ("REDIS_URL", "localhost:6379", "Setting REDIS_URL: must start with redis://"),
        ("LOG_LEVEL", "LOUD", "Setting LOG_LEVEL: Input should be"),
        ("LOG_FORMAT", "xml", "Setting LOG_FORMAT: Input should be 'text' or 'json'"),
        ("WEBHOOK_URL", "gridguard.example.org/hook", "Setting WEBHOOK_URL: must be the https:// address"),
        ("WEBHOOK_LISTEN", "8080", "Setting WEBHOOK_LISTEN: expected host:port, e.g. 0.0.0.0:8080, not '8080'"),
        ("METRICS_LISTEN", "127.0.0.1:99999", "Setting METRICS_LISTEN: expected host:port"),
        ("WEBHOOK_SECRET", "has spaces in it", "Setting WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and -"),
        ("OUTBOX_LEASE_SECONDS", "0", "Setting OUTBOX_LEASE_SECONDS: Input should be greater than or equal to 1"),
        ("SWEEP_LEASE_SECONDS", "1", "Setting SWEEP_LEASE_SECONDS: Input should be greater than or equal to 2"),
    ],
)
def test_a_wrong_value_names_the_setting_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message
