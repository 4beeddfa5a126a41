"""The bot's calls go as one JSON body; uploads still go as form data; Telegram's refusals raise aiogram's errors."""

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import build_bot
from bot.json_session import JsonSession
from tests.fakes.local_http import close_bot
from tests.fakes.telegram_server import FakeTelegram

USER = 4343


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    server.add_private_chat(USER, "网格员").started = True
    client = build_bot(server.token, server.base_url)
    yield client
    await close_bot(client)


def test_a_call_is_one_json_object_with_the_bots_defaults_and_nested_values_as_json(bot: Bot) -> None:
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="收到", callback_data="ack:1")]])
    method = SendMessage(chat_id=USER, text="<b>台风</b>", reply_markup=markup)
    assert isinstance(bot.session, JsonSession)
    params = bot.session.json_params(bot, method)
    assert params is not None
    assert params["parse_mode"] == "HTML" and params["text"] == "<b>台风</b>" and params["chat_id"] == USER
    assert params["reply_markup"] == {"inline_keyboard": [[{"text": "收到", "callback_data": "ack:1"}]]}


async def test_a_message_sent_as_json_arrives_as_telegram_would_show_it(bot: Bot, server: FakeTelegram) -> None:
    sent = await bot.send_message(USER, "<b>台风</b>蓝色预警")
    assert sent.text == "台风蓝色预警" and sent.chat.id == USER
    assert server.sent_to(USER)[-1].shown == "台风蓝色预警"


async def test_an_upload_still_goes_as_form_data(bot: Bot, server: FakeTelegram) -> None:
    assert isinstance(bot.session, JsonSession)
    upload = BufferedInputFile(b"code,status\n", "reports.csv")
    assert bot.session.json_params(bot, SendMessage(chat_id=USER, text="x")) is not None
    sent = await bot.send_document(USER, upload)
    assert sent.document is not None and sent.document.file_name == "reports.csv"
    assert server.files[sent.document.file_id] == b"code,status\n"


async def test_refusals_raise_the_same_errors_as_aiograms_own_session(bot: Bot, server: FakeTelegram) -> None:
    with pytest.raises(TelegramBadRequest, match="text must be non-empty|message text is empty"):
        await bot.send_message(USER, " ")
    server.block(USER)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(USER, "还在吗")
