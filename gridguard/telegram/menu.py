"""The command menu (setMyCommands), in Chinese and English."""

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from i18n import LANGUAGES, Localizer

MENU_COMMANDS = (
    "report",
    "reports",
    "duty",
    "swap",
    "help",
    "me",
    "lang",
    "invite",
    "addgrid",
    "linkgroup",
    "policy",
    "roster",
    "reminders",
    "week",
    "compliance",
    "records",
    "alert",
    "alerts",
    "available",
    "outbox",
    "start",
    "cancel",
)
GROUP_COMMANDS = ("linkgroup", "duty")
"""What a station's group chat serves (/duty is public to the station); everything else is private (a group is
public to everyone in it)."""
PRIVATE_COMMANDS = tuple(name for name in MENU_COMMANDS if name not in GROUP_COMMANDS)


def menu(i18n: Localizer, names: tuple[str, ...] = MENU_COMMANDS) -> list[BotCommand]:
    return [BotCommand(command=name, description=i18n(f"command.{name}")) for name in names]


async def set_command_menus(bot: Bot, default_language: str) -> None:
    """Per language and for every other client: the private menu in private chats, the group's in groups."""
    private, groups = BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()
    for language in (*LANGUAGES, None):
        i18n = Localizer(language or default_language)
        await bot.set_my_commands(menu(i18n), scope=private, language_code=language)
        await bot.set_my_commands(menu(i18n, GROUP_COMMANDS), scope=groups, language_code=language)


async def show_commands_in_chat(bot: Bot, chat_id: int, i18n: Localizer) -> None:
    """After /lang, this chat's menu follows the member's choice rather than the phone's language."""
    await bot.set_my_commands(menu(i18n), scope=BotCommandScopeChat(chat_id=chat_id))
