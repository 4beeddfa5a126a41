"""Webhook mode through the real entry point: the fake Bot API posts updates to `run_bot`'s webhook server.

The secret is checked on every post, an update posted twice is handled once, the health and metrics port answers,
and `python -m bot webhook set|info|delete` manages the webhook.
"""

import asyncio
import contextlib
import os
import random
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.app import run_bot
from bot.cli import main
from bot.health import database_revision
from bot.settings import Settings, StartupError
from gridguard.db.database import Database
from gridguard.directory.enums import Role
from tests.fakes.clock import FakeClock
from tests.fakes.local_http import free_port
from tests.fakes.logs import json_logs
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.users import PollingHarness
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, import_townships, invite_token

STARTUP_TIMEOUT = 20.0
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    port = free_port()
    return settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}/telegram/hook",
            "webhook_listen": f"127.0.0.1:{port}",
            "metrics_listen": f"127.0.0.1:{free_port()}",
        }
    )


async def until(condition: Any) -> None:
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.fixture
async def running(webhook_settings: Settings, server: FakeTelegram, clock: FakeClock) -> AsyncIterator[Settings]:
    task = asyncio.create_task(run_bot(webhook_settings, server.token, clock))
    await until(lambda: server.webhook is not None or task.done())
    yield webhook_settings
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def secret_of(settings: Settings, server: FakeTelegram) -> str:
    return settings.secret_token(server.token)


async def test_a_new_user_registers_through_the_webhook(
    running: Settings, db: Database, clock: FakeClock, server: FakeTelegram
) -> None:
    await import_townships(db, clock.now(), TOWNSHIP_A)
    token = await invite_token(db, clock.now(), VILLAGE_A1, Role.GRID_WORKER)
    user = PollingHarness(server).user("新人", language_code="zh-hans")
    [offer] = await user.send(f"/start {token}")
    assert "网格员" in offer.shown
    await user.send("吴新人")
    [done] = await user.send("跳过")
    assert "注册成功" in done.shown
    [set_call] = [params for method, params in server.calls if method == "setWebhook"]
    assert set_call["url"] == running.webhook_url and set_call["secret_token"] == secret_of(running, server)
    assert set_call.get("drop_pending_updates") in (None, False, "false")
    assert not [method for method, _ in server.calls if method == "getUpdates"]
    assert server.webhook is not None and all(post.status == 200 for post in server.webhook.posts)
    assert server.errors == []


async def post(url: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session, session.post(url, json=update, headers=headers) as response:
        return response.status


def help_update(server: FakeTelegram, user_id: int, update_id: int) -> dict[str, Any]:
    server.add_private_chat(user_id, "路人").started = True
    message_id = server.next_message_id()
    server.incoming[user_id].add(message_id)
    sender = {"id": user_id, "is_bot": False, "first_name": "路人", "language_code": "zh-hans"}
    return {
        "update_id": update_id,
        "message": {"message_id": message_id, "date": 1_790_000_000, "chat": {"id": user_id, "type": "private"},
                    "from": sender, "text": "/help"},
    }  # fmt: skip


async def test_a_post_without_the_secret_gets_401_and_nothing_is_handled(
    running: Settings, server: FakeTelegram
) -> None:
    assert running.webhook_url is not None
    update = help_update(server, 4242, 777_001)
    assert await post(running.webhook_url, update, None) == 401
    assert await post(running.webhook_url, update, "forged-secret") == 401
    await asyncio.sleep(0.2)
    assert server.sent_to(4242) == []
    assert await post(running.webhook_url, update, secret_of(running, server)) == 200
    assert len(server.sent_to(4242)) == 1, "the right secret is handled"


async def test_an_update_posted_again_is_answered_without_being_handled_twice(
    running: Settings, server: FakeTelegram
) -> None:
    assert running.webhook_url is not None
    update = help_update(server, 4343, 777_002)
    secret = secret_of(running, server)
    assert await post(running.webhook_url, update, secret) == 200
    assert await post(running.webhook_url, update, secret) == 200
    assert len(server.sent_to(4343)) == 1


async def test_health_readiness_and_metrics_on_the_instances_own_port(running: Settings, server: FakeTelegram) -> None:
    base = f"http://{running.metrics_listen}"
    assert running.webhook_url is not None
    assert await post(running.webhook_url, help_update(server, 4444, 777_003), secret_of(running, server)) == 200
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as live:
            assert live.status == 200
        async with session.get(f"{base}/readyz") as ready:
            assert ready.status == 200, await ready.text()
            assert await ready.json() == {"ready": True, "database": "ok", "telegram": "ok"}
        async with session.get(f"{base}/metrics") as scraped:
            metrics = await scraped.text()
    assert 'gridguard_updates_total{outcome="handled",type="message"} 1.0' in metrics
    assert 'gridguard_update_seconds_count{type="message"} 1.0' in metrics
    for name in ('gridguard_outbox_rows{priority="0",status="pending"}', "gridguard_outbox_oldest_pending_seconds",
                 "gridguard_delivery_seconds_count", "gridguard_telegram_429_total", "gridguard_escalation_lag_seconds",
                 "gridguard_reminders_sent_total", "gridguard_leader"):  # fmt: skip
        assert name in metrics, name


async def test_readiness_fails_while_telegram_is_unreachable(running: Settings, server: FakeTelegram) -> None:
    server.inject_fault(502, "Bad Gateway", method="getMe", times=100)
    async with aiohttp.ClientSession() as session, session.get(f"http://{running.metrics_listen}/readyz") as ready:
        assert ready.status == 503
        assert (await ready.json())["telegram"].startswith("unreachable")


@pytest.fixture
def command_line(settings: Settings, server: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m bot` commands see the fake Bot API, the test database and a webhook URL."""
    for name, value in {"BOT_TOKEN": server.token, "TELEGRAM_API_BASE": server.base_url,
                        "DATABASE_URL": settings.database_url, "WEBHOOK_URL": "http://127.0.0.1:9/hook"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)


@pytest.mark.usefixtures("command_line")
async def test_the_webhook_command_sets_shows_and_deletes_the_webhook(
    server: FakeTelegram, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["webhook", "set"]) == 0
    assert "url: http://127.0.0.1:9/hook" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["webhook", "info"]) == 0
    assert "url: http://127.0.0.1:9/hook" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["webhook", "delete"]) == 0
    assert "url: (none: the bot polls)" in capsys.readouterr().out
    monkeypatch.delenv("WEBHOOK_URL")
    assert await asyncio.to_thread(main, ["webhook", "set"]) == 2
    assert "WEBHOOK_URL" in capsys.readouterr().err


async def test_each_update_logs_one_json_line_naming_the_update_its_sender_and_handler(
    running: Settings, server: FakeTelegram
) -> None:
    assert running.webhook_url is not None
    with json_logs(running.zone) as lines:
        assert await post(running.webhook_url, help_update(server, 4545, 777_004), secret_of(running, server)) == 200
    [handled] = [line for line in lines if line.get("update_id") == 777_004 and line["logger"] == "gridguard.updates"]
    assert handled["user_id"] == 4545 and handled["update_type"] == "message"
    assert handled["handler"] == "gridguard.telegram.common.show_help"
    assert "handled" in handled["message"]


async def test_readiness_fails_while_the_database_is_behind_this_codes_migrations(
    running: Settings, db: Database
) -> None:
    async with db.reading() as session:
        current = await database_revision(session)
    async with db.transaction() as session:
        await session.exec(text("UPDATE alembic_version SET version_num = '0008'"))  # type: ignore[call-overload]
    try:
        async with aiohttp.ClientSession() as http, http.get(f"http://{running.metrics_listen}/readyz") as ready:
            assert ready.status == 503
            assert (await ready.json())["database"] == f"migration 0008, this code needs {current}"
    finally:
        async with db.transaction() as session:
            await session.exec(text("UPDATE alembic_version SET version_num = :v").bindparams(v=current))  # type: ignore[call-overload]


@pytest.mark.usefixtures("command_line")
async def test_a_webhook_url_telegram_refuses_stops_the_start_and_the_command_with_one_line(
    webhook_settings: Settings, server: FakeTelegram, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    server.webhook_requires_https = True
    with pytest.raises(StartupError) as stopped:
        await run_bot(webhook_settings, server.token, clock)
    assert str(stopped.value) == (
        f"Setting WEBHOOK_URL ({webhook_settings.webhook_url}): Telegram refused it: "
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    assert await asyncio.to_thread(main, ["webhook", "set"]) == 1
    assert "Setting WEBHOOK_URL (http://127.0.0.1:9/hook): Telegram refused it" in capsys.readouterr().err
    assert server.webhook is None


@pytest.mark.filterwarnings("ignore:Detected unknown update type:RuntimeWarning")
async def test_an_update_of_a_kind_this_bot_does_not_know_is_answered_and_counted(
    running: Settings, server: FakeTelegram
) -> None:
    assert running.webhook_url is not None
    future = {"update_id": 777_005, "purchased_paid_media_v9": {"from": {"id": 1, "is_bot": False, "first_name": "x"}}}
    assert await post(running.webhook_url, future, secret_of(running, server)) == 200
    async with aiohttp.ClientSession() as http, http.get(f"http://{running.metrics_listen}/metrics") as scraped:
        assert 'gridguard_updates_total{outcome="unhandled",type="unknown"} 1.0' in await scraped.text()


async def post_body(url: str, body: bytes, secret: str) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status


@contextlib.asynccontextmanager
async def second_instance(first: Settings, server: FakeTelegram, clock: FakeClock) -> AsyncIterator[Settings]:
    """Another instance on the same database (and Redis, where the first has it), on its own port."""
    port = free_port()
    settings = first.model_copy(
        update={"webhook_url": f"http://127.0.0.1:{port}/telegram/hook", "webhook_listen": f"127.0.0.1:{port}",
                "metrics_listen": None}
    )  # fmt: skip
    server.webhook = None
    task = asyncio.create_task(run_bot(settings, server.token, clock))
    await until(lambda: server.webhook is not None or task.done())
    try:
        yield settings
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


CLAIMS = ["database", pytest.param("redis", marks=pytest.mark.skipif(not TEST_REDIS_URL, reason="no TEST_REDIS_URL"))]


@pytest.fixture(params=CLAIMS)
def claims_in(request: pytest.FixtureRequest, webhook_settings: Settings) -> Settings:
    """The instance's claims in the database (no Redis) or in Redis."""
    if request.param == "redis":
        return webhook_settings.model_copy(update={"redis_url": TEST_REDIS_URL})
    return webhook_settings


@pytest.mark.parametrize("instances", [1, 2])
async def test_the_same_update_posted_eight_times_at_once_is_handled_once(
    claims_in: Settings, server: FakeTelegram, clock: FakeClock, instances: int
) -> None:
    task = asyncio.create_task(run_bot(claims_in, server.token, clock))
    await until(lambda: server.webhook is not None or task.done())
    try:
        async with contextlib.AsyncExitStack() as stack:
            urls = [claims_in.webhook_url]
            if instances == 2:
                urls.append((await stack.enter_async_context(second_instance(claims_in, server, clock))).webhook_url)
            user_id = 4500 + instances
            update = help_update(server, user_id, random.randrange(10**9, 2 * 10**9))
            secret = secret_of(claims_in, server)
            statuses = await asyncio.gather(*(post(str(urls[i % instances]), update, secret) for i in range(8)))
            assert 200 in statuses and set(statuses) <= {200, 503}, statuses
            assert len(server.sent_to(user_id)) == 1, "one reply"
            assert await post(str(urls[-1]), update, secret) == 200, "posted again later: answered, not handled"
            assert len(server.sent_to(user_id)) == 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


MALFORMED = {
    "bad JSON": b"{not json",
    "a list": b"[1, 2]",
    "a string": b'"update"',
    "not UTF-8": b"\xff\xfe\x00{",
    "no chat": b'{"update_id": 9001, "message": {"message_id": 1, "date": 1790000000, "text": "/help"}}',
    "a 5,000-digit id": b'{"update_id": ' + b"9" * 5000 + b"}",
    "deep nesting": b'{"update_id": 9002, "message": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "update_id true": b'{"update_id": true, "message": {}}',
    "a negative id": b'{"update_id": -5}',
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_body_with_the_right_secret_gets_400_and_one_log_line(
    running: Settings, server: FakeTelegram, body: bytes
) -> None:
    assert running.webhook_url is not None
    with json_logs(running.zone) as lines:
        assert await post_body(running.webhook_url, body, secret_of(running, server)) == 400
    refused = [line for line in lines if "malformed" in line.get("message", "")]
    assert len(refused) == 1 and refused[0]["level"] == "WARNING"
    assert not [line for line in lines if line.get("level") == "ERROR"]
    assert server.errors == []


async def test_readiness_asks_telegram_once_in_a_while_not_once_a_request_while_it_is_down(
    running: Settings, server: FakeTelegram
) -> None:
    server.inject_fault(502, "Bad Gateway", method="getMe", times=1000)
    asked_before = sum(1 for method, _ in server.calls if method == "getMe")

    async def ready() -> int:
        async with aiohttp.ClientSession() as session, session.get(f"http://{running.metrics_listen}/readyz") as r:
            return r.status

    statuses = [await ready() for _ in range(100)]
    statuses += await asyncio.gather(*(ready() for _ in range(100)))
    assert set(statuses) == {503}
    assert sum(1 for method, _ in server.calls if method == "getMe") - asked_before <= 2
