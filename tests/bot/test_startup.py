"""Start-up: a database or Telegram that is starting too is waited for, one log line per attempt; a fault waiting
can't mend stops the start with one line naming the setting. Logs read in the deployment's zone, quietly."""

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import build_bot, wait_for_telegram
from bot.logs import ZonedFormatter, configure_logging
from bot.paths import PROJECT_ROOT
from bot.settings import Settings, StartupError
from bot.startup import Patience, wait_for_database
from tests.conftest import TEST_DATABASE_URL
from tests.fakes.local_http import close_bot
from tests.fakes.telegram_server import FakeTelegram

REFUSING_POSTGRES = "postgresql+asyncpg://postgres:secret@127.0.0.1:1/gridguard"


class FakeSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_a_refusing_database_is_retried_with_backoff_then_named_in_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sleep = FakeSleep()
    with caplog.at_level(logging.WARNING, "gridguard.startup"), pytest.raises(StartupError) as stopped:
        await wait_for_database(REFUSING_POSTGRES, Patience(seconds=0.2, first_delay=0.05, sleep=sleep))
    message = str(stopped.value)
    assert message.startswith("Setting DATABASE_URL (postgresql+asyncpg://postgres:***@127.0.0.1:1/gridguard)")
    assert "ConnectionRefusedError" in message and "\n" not in message and "secret" not in message
    assert sleep.waits[:2] == [0.05, 0.1], "the waits double"
    assert len(caplog.records) == len(sleep.waits), "one log line per attempt"


async def test_a_database_that_does_not_exist_stops_at_once(tmp_path: Path) -> None:
    """PostgreSQL: no such database. SQLite: a file that can't be created. Neither is waited for."""
    if TEST_DATABASE_URL:
        missing = make_url(TEST_DATABASE_URL).set(database="gridguard_no_such_database").render_as_string(False)
        expected = "does not exist"
    else:
        (tmp_path / "a-file").write_text("")
        missing = f"sqlite+aiosqlite:///{tmp_path}/a-file/gridguard.db"
        expected = "Setting DATABASE_URL"
    sleep = FakeSleep()
    with pytest.raises(StartupError) as stopped:
        await wait_for_database(missing, Patience(seconds=60, sleep=sleep))
    assert expected in str(stopped.value) and "\n" not in str(stopped.value)
    assert sleep.waits == []


async def test_an_unreachable_telegram_is_retried_and_a_refused_token_named(server: FakeTelegram) -> None:
    settings = Settings(_env_file=None, telegram_api_base="http://127.0.0.1:1")
    sleep = FakeSleep()
    bot = build_bot(server.token, "http://127.0.0.1:1")
    with pytest.raises(StartupError) as unreachable:
        await wait_for_telegram(bot, settings, Patience(seconds=0.2, first_delay=0.05, sleep=sleep))
    await close_bot(bot)
    assert str(unreachable.value).startswith("Setting TELEGRAM_API_BASE (http://127.0.0.1:1)") and sleep.waits
    wrong_token = build_bot("999:WRONG", server.base_url)
    with pytest.raises(StartupError) as refused:
        await wait_for_telegram(wrong_token, settings, Patience(seconds=60, sleep=FakeSleep()))
    await close_bot(wrong_token)
    assert str(refused.value).startswith("Setting BOT_TOKEN: Telegram refused the token")


def test_the_command_line_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "TELEGRAM_API_BASE")}
    env.update(DATABASE_URL=REFUSING_POSTGRES, STARTUP_WAIT_SECONDS="0")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    [last] = done.stderr.strip().splitlines()[-1:]
    assert last.startswith("Setting DATABASE_URL") and "ConnectionRefusedError" in last
    assert "INFO gridguard: GridGuard migrate: pid" in done.stderr, "a line as soon as the process starts"


def test_log_times_are_in_the_configured_zone_with_its_offset() -> None:
    formatter = ZonedFormatter(Settings(_env_file=None).zone)
    record = logging.LogRecord("gridguard", logging.INFO, __file__, 1, "hello", None, None)
    record.created = datetime(2026, 11, 29, 4, 0, tzinfo=UTC).timestamp()
    assert formatter.format(record).startswith("2026-11-29T12:00:00.000+08:00 INFO gridguard: hello")


def test_apscheduler_s_per_tick_lines_stay_below_info() -> None:
    configure_logging(Settings(_env_file=None, log_level="INFO"))
    assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
    configure_logging(Settings(_env_file=None, log_level="DEBUG"))
    assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
    configure_logging(Settings(_env_file=None, log_level="WARNING"))
