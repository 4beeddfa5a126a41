"""Editing a message the user pressed: a second press on the same card must not turn into an error."""

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, Message

GONE_OR_SAME = ("message is not modified", "message to edit not found")


async def remove_buttons(message: Message) -> None:
    """Take the inline keyboard off `message`; already gone is fine (a double tap, a stale screen)."""
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise


async def turn_into(message: Message, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace `message` with the outcome of pressing it; already showing it is fine (a double tap)."""
    try:
        await message.edit_text(text, reply_markup=reply_markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise


async def rewrite(
    bot: Bot, chat_id: int, message_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace an earlier message of the bot's (not the one pressed); one deleted meanwhile, or already showing
    `text`, is fine."""
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup)
    except TelegramBadRequest as error:
        if not any(reason in error.message for reason in GONE_OR_SAME):
            raise
