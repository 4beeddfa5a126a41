"""The fake Bot API refuses what Telegram refuses, so a test fails where Telegram would."""

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiohttp import web

from bot.app import build_bot
from tests.fakes.clock import FakeMonotonic
from tests.fakes.local_http import close_bot, serve_locally
from tests.fakes.telegram_html import HtmlError, parse_html, utf16_length
from tests.fakes.telegram_server import FakeTelegram

USER = 4242
GROUP = -100777


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    server.add_private_chat(USER, "用户").started = True
    server.add_group(GROUP, "凤城镇应急站")
    client = build_bot(server.token, server.base_url)
    yield client
    await close_bot(client)


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="按钮", callback_data=data)]])


async def test_text_is_measured_in_utf16_units_after_html_parsing(bot: Bot) -> None:
    emoji = "🔥"  # two UTF-16 units
    await bot.send_message(USER, "<b>" + "字" * 4096 + "</b>")
    await bot.send_message(USER, emoji * 2048)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, emoji * 2048 + "字")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "<b> </b>")


async def test_captions_stop_at_1024(bot: Bot) -> None:
    await bot.send_photo(USER, "photo-id", caption="字" * 1024)
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(USER, "photo-id", caption="字" * 1025)


@pytest.mark.parametrize("html", ["<p>段落</p>", "<b>未闭合", "a < b", "AT&T", "<i><b>交错</i></b>", "<a>无链接</a>"])
async def test_html_that_does_not_parse_is_refused(bot: Bot, html: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, html)


def test_html_entities_and_tags_become_plain_text() -> None:
    assert parse_html('<b>火</b> &lt;3 &amp; <a href="https://x">链接</a> &#128293;') == "火 <3 & 链接 🔥"
    assert utf16_length("🔥a") == 3
    with pytest.raises(HtmlError):
        parse_html("</b>")


async def test_callback_data_is_1_to_64_bytes(bot: Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "too long", reply_markup=keyboard("字" * 22))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "empty", reply_markup=keyboard(""))


async def test_location_and_contact_requests_only_in_private_chats(bot: Bot) -> None:
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="位置", request_location=True)]])
    await bot.send_message(USER, "private is fine", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="PRIVATE_CHAT_ONLY"):
        await bot.send_message(GROUP, "not in a group", reply_markup=markup)


async def test_users_who_never_started_or_blocked_the_bot_get_403(bot: Bot, server: FakeTelegram) -> None:
    server.add_private_chat(5151, "没点开始")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(5151, "你好")
    server.block(USER)
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(USER, "你好")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(123456789, "你好")


async def test_per_chat_and_group_limits_answer_429_with_retry_after(
    bot: Bot, server: FakeTelegram, monotonic: FakeMonotonic
) -> None:
    for n in range(server.limits.private_burst):
        await bot.send_message(USER, f"burst {n}")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "one too many")
    assert caught.value.retry_after >= 1
    monotonic.advance(1)
    await bot.send_message(USER, "after waiting")
    for n in range(server.limits.group_per_minute):
        await bot.send_message(GROUP, f"group {n}")
        monotonic.advance(0.05)
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(GROUP, "21st in a minute")


async def test_the_overall_limit_applies_across_chats(bot: Bot, server: FakeTelegram) -> None:
    for user_id in range(1, 31):
        server.add_private_chat(user_id, "u").started = True
        await bot.send_message(user_id, "hello")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(USER, "31st this second")


async def test_editing_without_a_change_is_refused(bot: Bot) -> None:
    sent = await bot.send_message(USER, "状态：新", reply_markup=keyboard("a"))
    await bot.edit_message_text("状态：已确认", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("状态：已确认", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=99999)


async def test_a_callback_query_is_answered_once(bot: Bot, server: FakeTelegram) -> None:
    server.open_callback("q-1")
    await bot.answer_callback_query("q-1", text="好")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("q-1")
    server.open_callback("q-2")
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query("q-2", text="长" * 201)


async def test_calls_are_checked_against_the_official_method_spec(server: FakeTelegram) -> None:
    server.add_private_chat(USER, "用户").started = True
    url = f"{server.base_url}/bot{server.token}"
    async with aiohttp.ClientSession() as http:
        missing = await (await http.post(f"{url}/sendMessage", data={"chat_id": str(USER)})).json()
        unknown_param = await (
            await http.post(f"{url}/sendMessage", data={"chat_id": str(USER), "text": "x", "colour": "red"})
        ).json()
        unknown_method = await (await http.post(f"{url}/sendTelepathy", data={})).json()
        bad_markup = await (
            await http.post(
                f"{url}/sendMessage",
                data={
                    "chat_id": str(USER),
                    "text": "x",
                    "reply_markup": '{"inline_keyboard": [[{"txt": "a"}]]}',
                },
            )
        ).json()
    assert missing["error_code"] == 400 and "'text' is required" in missing["description"]
    assert "unknown parameter 'colour'" in unknown_param["description"]
    assert unknown_method["error_code"] == 404
    assert bad_markup["error_code"] == 400


async def test_injected_faults_fail_the_next_matching_calls(bot: Bot, server: FakeTelegram) -> None:
    server.inject_fault(502, "Bad Gateway", method="sendMessage", times=1)
    with pytest.raises(Exception, match="Bad Gateway"):
        await bot.send_message(USER, "first")
    await bot.send_message(USER, "second")
    assert [m.shown for m in server.sent_to(USER)] == ["second"]


async def test_the_webhook_posts_each_update_until_answered_and_a_second_set_webhook_loses_none(
    bot: Bot, server: FakeTelegram
) -> None:
    """As Telegram: an update whose post is not answered 2xx is posted again; setWebhook again (a second instance
    starting) keeps what is pending and in flight; getUpdates is refused while a webhook is set."""
    received: list[int] = []
    arrived, release, answered = asyncio.Event(), asyncio.Event(), asyncio.Event()
    answers = iter([500, 200, 200])

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json())["update_id"])
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
        arrived.set()
        await release.wait()
        status = next(answers)
        if status == 200:
            answered.set()
        return web.json_response({}, status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner, base = await serve_locally(app)
    url = f"{base}/hook"
    try:
        await bot.set_webhook(url, secret_token="s3cret")
        server.push_update(
            {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}}
        )
        await asyncio.wait_for(arrived.wait(), 5)
        await bot.set_webhook(url, secret_token="s3cret")
        assert (await bot.get_webhook_info()).pending_update_count == 1, "in flight, still pending"
        release.set()
        await asyncio.wait_for(answered.wait(), 5)
        for _ in range(100):
            if (await bot.get_webhook_info()).pending_update_count == 0:
                break
            await asyncio.sleep(0.01)
        assert (await bot.get_webhook_info()).pending_update_count == 0
        assert received == [1, 1], "posted again after the 500, then answered"
        assert (
            await bot.get_webhook_info()
        ).last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()
    finally:
        await runner.cleanup()
