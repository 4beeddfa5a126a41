"""The outbox's Sender over aiogram: one claimed row -> one Bot API call, exceptions -> outcomes."""

from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup, Message, ReplyParameters

from handlers.callbacks import pack_buttons
from services.delivery import SendKind, SendResult
from services.outbox import Button, Claimed

CHAT_GONE = ("chat not found", "user not found", "peer_id_invalid", "bot was kicked", "user is deactivated")


class TelegramSender:
    def __init__(self, bot: Bot, request_timeout: float = 15.0) -> None:
        self.bot = bot
        self.request_timeout = request_timeout

    async def deliver(self, item: Claimed) -> SendResult:
        try:
            result = await (self._edit(item) if item.is_edit else self._send(item))
        except TelegramRetryAfter as error:
            return SendResult(SendKind.RETRY_AFTER, retry_after=error.retry_after, error=error.message)
        except TelegramForbiddenError as error:
            return SendResult(SendKind.UNREACHABLE, error=error.message)
        except TelegramBadRequest as error:
            return SendResult(_classify_bad_request(error.message), error=error.message)
        except TelegramNetworkError as error:
            return SendResult(SendKind.TRANSIENT, error=f"network: {error.message}")
        except TelegramAPIError as error:
            return SendResult(SendKind.TRANSIENT, error=error.message)
        message_id = result.message_id if isinstance(result, Message) else None
        return SendResult(SendKind.SENT, message_id=message_id)

    async def _send(self, item: Claimed) -> Any:
        payload, markup = item.payload, _markup(item.payload)
        common: dict[str, Any] = {"chat_id": item.chat_id, "request_timeout": self.request_timeout}
        if markup is not None:
            common["reply_markup"] = markup
        if item.reply_to_message_id is not None:
            common["reply_parameters"] = ReplyParameters(
                message_id=item.reply_to_message_id, allow_sending_without_reply=True
            )
        if "photo" in payload:
            return await self.bot.send_photo(photo=payload["photo"], caption=payload.get("text"), **common)
        if "document" in payload:
            return await self.bot.send_document(document=payload["document"], caption=payload.get("text"), **common)
        if "location" in payload:
            latitude, longitude = payload["location"]
            return await self.bot.send_location(latitude=latitude, longitude=longitude, **common)
        return await self.bot.send_message(text=payload["text"], **common)

    async def _edit(self, item: Claimed) -> Any:
        original = item.edit_of_payload or {}
        target: dict[str, Any] = {
            "chat_id": item.chat_id,
            "message_id": item.edit_message_id,
            "reply_markup": _markup(item.payload),
            "request_timeout": self.request_timeout,
        }
        if "location" in original or "text" not in item.payload:
            return await self.bot.edit_message_reply_markup(**target)
        if "photo" in original or "document" in original:
            return await self.bot.edit_message_caption(caption=item.payload["text"], **target)
        return await self.bot.edit_message_text(text=item.payload["text"], **target)


def _markup(payload: dict[str, Any]) -> InlineKeyboardMarkup | None:
    """The row's neutral buttons, packed as Telegram's inline keyboard (callback data built here, at the edge)."""
    rows = payload.get("buttons")
    return pack_buttons([[Button(**button) for button in row] for row in rows]) if rows else None


def _classify_bad_request(message: str) -> SendKind:
    lowered = message.lower()
    if "message is not modified" in lowered:
        return SendKind.NOT_MODIFIED
    if "message to edit not found" in lowered:
        return SendKind.GONE
    if any(reason in lowered for reason in CHAT_GONE):
        return SendKind.UNREACHABLE
    return SendKind.REJECTED
