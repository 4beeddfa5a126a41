"""Everyday commands: /help, /me, /lang, /cancel."""

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from gridguard.directory.desk import DirectoryDesk
from gridguard.directory.members import LANGUAGES, MemberProfile
from gridguard.reports.report_desk import ReportDesk
from gridguard.telegram.callbacks import LanguageChoice
from gridguard.telegram.filters import IN_PRIVATE
from gridguard.telegram.keyboards import REMOVE_KEYBOARD, language_keyboard, main_menu
from gridguard.telegram.menu import show_commands_in_chat
from gridguard.telegram.texts import help_text, role_line
from i18n import LANGUAGE_NAMES, Localizer, Raw


def router() -> Router:
    r = Router(name="common")
    r.message.filter(IN_PRIVATE)
    r.message.register(show_help, Command("help"))
    r.message.register(show_me, Command("me"))
    r.message.register(choose_language, Command("lang"))
    r.message.register(cancel, Command("cancel"))
    r.callback_query.register(set_language_pressed, LanguageChoice.filter())
    return r


async def show_help(message: Message, member: MemberProfile | None, i18n: Localizer) -> None:
    if member is None:
        await message.answer(i18n("help.unregistered"))
        return
    await message.answer(help_text(i18n, member))


async def show_me(message: Message, member: MemberProfile | None, i18n: Localizer) -> None:
    if member is None or not member.registered:
        key = "me.admin_by_setting" if member is not None else "me.unregistered"
        await message.answer(i18n(key))
        return
    roles = Raw("\n".join(role_line(i18n, r) for r in member.roles) or i18n("me.no_roles"))
    await message.answer(
        i18n(
            "me.text",
            name=member.name,
            phone=member.phone or i18n("me.no_phone"),
            language=i18n(LANGUAGE_NAMES(member.language)),
            roles=roles,
            admin=i18n("me.admin_line") if member.is_admin else "",
        )
    )


async def choose_language(message: Message, i18n: Localizer) -> None:
    await message.answer(i18n("lang.choose"), reply_markup=language_keyboard())


async def set_language_pressed(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    bot: Bot,
    member: MemberProfile | None,
    i18n: Localizer,
    directory_desk: DirectoryDesk,
) -> None:
    if callback_data.code not in LANGUAGES:
        await query.answer(i18n("fallback.stale_button"))
        return
    chosen = Localizer(callback_data.code)
    if member is None or member.id is None:
        await query.answer(chosen("lang.unregistered"), show_alert=True)
        return
    await directory_desk.set_language(member.id, callback_data.code)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(chosen("lang.set"))
        await show_commands_in_chat(bot, query.message.chat.id, chosen)


async def cancel(
    message: Message, state: FSMContext, i18n: Localizer, member: MemberProfile | None, desk: ReportDesk
) -> None:
    keyboard = main_menu(i18n, member) if member is not None and member.registered else REMOVE_KEYBOARD
    was_in_one = await state.get_state() is not None
    await leave_conversation(state, desk, member)
    await message.answer(i18n("cancel.done" if was_in_one else "cancel.nothing"), reply_markup=keyboard)


async def leave_conversation(state: FSMContext, desk: ReportDesk, member: MemberProfile | None) -> None:
    """Leave any conversation, by /cancel or on a refusal that ends it; a report being filled in goes with it."""
    if member is not None and member.id is not None:
        await desk.discard_draft(member)
    await state.clear()
