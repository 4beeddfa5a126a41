"""The command menu (setMyCommands), in Chinese and English."""

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat

from i18n import LANGUAGES, Localizer

MENU_COMMANDS = (
    "report",
    "reports",
    "help",
    "me",
    "lang",
    "invite",
    "addgrid",
    "linkgroup",
    "policy",
    "outbox",
    "start",
    "cancel",
)


def menu(i18n: Localizer) -> list[BotCommand]:
    return [BotCommand(command=name, description=i18n(f"command.{name}")) for name in MENU_COMMANDS]


async def set_command_menus(bot: Bot, default_language: str) -> None:
    """One menu per language, and the default language's for every other client."""
    for language in LANGUAGES:
        await bot.set_my_commands(menu(Localizer(language)), language_code=language)
    await bot.set_my_commands(menu(Localizer(default_language)))


async def show_commands_in_chat(bot: Bot, chat_id: int, i18n: Localizer) -> None:
    """After /lang, this chat's menu follows the member's choice rather than the phone's language."""
    await bot.set_my_commands(menu(i18n), scope=BotCommandScopeChat(chat_id=chat_id))
