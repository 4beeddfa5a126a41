"""Whatever nothing else handled: a short helpful answer, never an exception."""

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from i18n import Localizer


def router() -> Router:
    r = Router(name="fallback")
    private = F.chat.type == "private"
    r.message.register(unknown_command, private, F.text.startswith("/"))
    r.message.register(unexpected_text, private, F.text)
    r.message.register(unexpected_media, private)
    r.callback_query.register(stale_button)
    return r


async def unknown_command(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("fallback.unknown_command"))


async def unexpected_text(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("fallback.unexpected_text"))


async def unexpected_media(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("fallback.unexpected_media"))


async def stale_button(query: CallbackQuery, i18n: Localizer) -> None:
    """A press on an old, finished or forged button: say so, change nothing."""
    await query.answer(i18n("fallback.stale_button"), show_alert=True)
