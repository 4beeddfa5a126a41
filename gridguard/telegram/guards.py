"""Checked before every capability: private commands sent in a group, and conversations whose member is gone."""

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from gridguard.telegram.callbacks import LanguageChoice
from gridguard.telegram.filters import NoProfile
from gridguard.telegram.menu import private_commands
from gridguard.telegram.registry import edges
from i18n import Localizer

IN_A_GROUP = F.chat.type.in_({ChatType.GROUP, ChatType.SUPERGROUP})


def members_only_flows() -> StateFilter:
    """Every capability's conversations: a member removed in the middle of one is told, whatever they send."""
    return StateFilter(*(flow for edge in edges() for flow in edge.flows))


def members_only_commands() -> tuple[str, ...]:
    """Commands whose routers only serve known senders (the `Known` filter); a stranger is answered here."""
    return tuple(name for edge in edges() for name in edge.members_only_commands)


def router() -> Router:
    r = Router(name="guards")
    flows = members_only_flows()
    r.message.register(point_to_private_chat, IN_A_GROUP, Command(*private_commands()))
    r.message.register(member_gone, flows, NoProfile())
    r.callback_query.register(member_gone_pressed, flows, NoProfile())
    r.message.register(members_only, NoProfile(), Command(*members_only_commands()))
    r.callback_query.register(members_only_pressed, NoProfile(), ~LanguageChoice.filter())
    return r


async def point_to_private_chat(message: Message, command: CommandObject, bot: Bot, i18n: Localizer) -> None:
    """A group is public to everyone in it: one line pointing to the private chat, and nothing revealed."""
    me = await bot.me()
    await message.reply(i18n("group.private_only", command=command.command, link=f"https://t.me/{me.username}"))


async def member_gone(message: Message, state: FSMContext, i18n: Localizer) -> None:
    """The member was removed in the middle of a conversation: end it and say why."""
    await state.clear()
    await message.answer(i18n("error.no_longer_member"))


async def members_only(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("error.not_allowed"))


async def members_only_pressed(query: CallbackQuery, i18n: Localizer) -> None:
    """A stranger pressing a button (forged, or forwarded from a member's chat): refused, nothing changes."""
    await query.answer(i18n("error.not_allowed"), show_alert=True)


async def member_gone_pressed(query: CallbackQuery, state: FSMContext, i18n: Localizer) -> None:
    await state.clear()
    await query.answer(i18n("error.no_longer_member"), show_alert=True)
