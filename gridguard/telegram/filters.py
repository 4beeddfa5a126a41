"""Filters shared by routers."""

from aiogram import F
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from gridguard.directory.members import MemberProfile

NOT_A_COMMAND = ~F.text.startswith("/")
"""For a conversation step's catch-all, so that /cancel, /help and the others always get through."""

IN_PRIVATE = F.chat.type == ChatType.PRIVATE
"""Personal data, invite links and request-location keyboards belong in private chats only."""


class NoProfile(Filter):
    """The sender has no member row (and is no admin by setting): never registered, or removed since."""

    async def __call__(self, event: TelegramObject, member: MemberProfile | None = None) -> bool:
        return member is None


class Known(Filter):
    """Only a known sender passes (a member, or an admin by setting); the handler's `member` is then theirs.
    Strangers are answered by the guards (gridguard/telegram/guards.py) before they get here."""

    async def __call__(self, event: TelegramObject, member: MemberProfile | None = None) -> bool:
        return member is not None


class Registered(Filter):
    """Only a registered member passes; the handler's `member` is then theirs. Anyone else falls through to the
    fallback, which changes nothing."""

    async def __call__(self, event: TelegramObject, member: MemberProfile | None = None) -> bool:
        return member is not None and member.registered
