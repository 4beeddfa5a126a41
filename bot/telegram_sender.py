"""The outbox's Sender for Telegram: one claimed row -> one Bot API call, built as JSON straight from the row.

The row already holds the content, with its buttons described neutrally, so no request model needs building and
validating, and of the answer only `ok`, the error code, `retry_after` and the message id are read. Building
aiogram's models cost most of the bot's CPU per send (bench.outbox). The call goes over the Bot's own HTTP session
and API server; the dispatcher keeps aiogram for everything else.
"""

import functools
import json
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ParseMode

from gridguard.delivery.delivery import SendKind, SendResult
from gridguard.delivery.outbox import Button, Claimed
from gridguard.telegram.callbacks import inline_keyboard

NO_STARS = ("stars", "balance_too_low")
"""What a paid broadcast's refusal for lack of Stars on the bot's balance says."""
CHAT_GONE = ("chat not found", "user not found", "peer_id_invalid", "bot was kicked", "user is deactivated")


class TelegramSender:
    def __init__(self, bot: Bot, request_timeout: float = 15.0) -> None:
        if not isinstance(bot.session, AiohttpSession):
            raise TypeError("the outbox sends over the Bot's aiohttp session")
        self.bot, self.http = bot, bot.session
        self.timeout = aiohttp.ClientTimeout(total=request_timeout)

    async def deliver(self, item: Claimed, paid: bool = False) -> SendResult:
        method, params = edit_request(item) if item.is_edit else send_request(item)
        if paid and not item.is_edit:
            params["allow_paid_broadcast"] = True
        session = await self.http.create_session()
        url = self.http.api.api_url(self.bot.token, method)
        try:
            async with session.post(url, json=params, timeout=self.timeout) as response:
                answer = await response.json(loads=json.loads, content_type=None)
        except (TimeoutError, aiohttp.ClientError, json.JSONDecodeError) as error:
            return SendResult(SendKind.TRANSIENT, error=f"network: {type(error).__name__}: {error}")
        return outcome_of(answer, paid)


def send_request(item: Claimed) -> tuple[str, dict[str, Any]]:
    """The Bot API method and parameters that send a row's content."""
    payload = item.payload
    params: dict[str, Any] = {"chat_id": item.chat_id}
    if (markup := reply_markup(payload)) is not None:
        params["reply_markup"] = markup
    if item.reply_to_message_id is not None:
        params["reply_parameters"] = {"message_id": item.reply_to_message_id, "allow_sending_without_reply": True}
    if "location" in payload:
        params["latitude"], params["longitude"] = payload["location"]
        return "sendLocation", params
    for kind, method in (("photo", "sendPhoto"), ("document", "sendDocument"), ("voice", "sendVoice")):
        if kind in payload:
            params[kind] = payload[kind]
            if payload.get("text"):
                params |= {"caption": payload["text"], "parse_mode": ParseMode.HTML.value}
            return method, params
    return "sendMessage", params | {"text": payload["text"], "parse_mode": ParseMode.HTML.value}


def edit_request(item: Claimed) -> tuple[str, dict[str, Any]]:
    """The Bot API method and parameters that change a sent message to a row's newer content."""
    original = item.edit_of_payload or {}
    params: dict[str, Any] = {"chat_id": item.chat_id, "message_id": item.edit_message_id}
    if (markup := reply_markup(item.payload)) is not None:
        params["reply_markup"] = markup
    if "location" in original or "text" not in item.payload:
        return "editMessageReplyMarkup", params
    text = {"parse_mode": ParseMode.HTML.value}
    if any(kind in original for kind in ("photo", "document", "voice")):
        return "editMessageCaption", params | text | {"caption": item.payload["text"]}
    return "editMessageText", params | text | {"text": item.payload["text"]}


def reply_markup(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The row's neutral buttons, packed as Telegram's inline keyboard (callback data built here, at the edge)."""
    rows = payload.get("buttons")
    return packed(tuple(tuple(Button(**button) for button in row) for row in rows)) if rows else None


@functools.lru_cache(maxsize=1024)
def packed(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
    """Packing callback data is the costly part; a call-out's 2,000 alerts share their buttons. Read it, never
    change it (the result is shared)."""
    return inline_keyboard(rows)


def outcome_of(answer: dict[str, Any], paid: bool = False) -> SendResult:
    """What the Bot API's answer means for the row (`paid`: it was sent by paid broadcast)."""
    if answer.get("ok"):
        result = answer.get("result")
        return SendResult(SendKind.SENT, message_id=result.get("message_id") if isinstance(result, dict) else None)
    code, description = int(answer.get("error_code", 0)), str(answer.get("description", ""))
    if code == 429:
        retry_after = float((answer.get("parameters") or {}).get("retry_after", 1))
        return SendResult(SendKind.RETRY_AFTER, retry_after=retry_after, error=description)
    if code == 403:
        return SendResult(SendKind.UNREACHABLE, error=description)
    if code == 400 and paid and any(word in description.lower() for word in NO_STARS):
        return SendResult(SendKind.NO_STARS, error=description)
    if code == 400:
        return SendResult(classify_bad_request(description), error=description)
    return SendResult(SendKind.TRANSIENT, error=f"{code}: {description}")


def classify_bad_request(description: str) -> SendKind:
    lowered = description.lower()
    if "message is not modified" in lowered:
        return SendKind.NOT_MODIFIED
    if "message to edit not found" in lowered:
        return SendKind.GONE
    if any(reason in lowered for reason in CHAT_GONE):
        return SendKind.UNREACHABLE
    return SendKind.REJECTED
