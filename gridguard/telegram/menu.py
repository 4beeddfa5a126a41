"""The command menu (setMyCommands), in Chinese and English."""

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from i18n import LANGUAGES, Keys, Localizer

CORE_COMMANDS = ("help", "me", "lang", "cancel")
"""The edge's own commands, after the capabilities' in the menu."""


def menu_commands() -> tuple[str, ...]:
    """The private chats' menu: each capability's commands by its rank, then the edge's own."""
    from gridguard.telegram.registry import edges

    return (*(name for edge in edges() for name in edge.commands), *CORE_COMMANDS)


def group_commands() -> tuple[str, ...]:
    """What a station's group chat serves (/duty is public to the station); everything else is private (a group
    is public to everyone in it)."""
    from gridguard.telegram.registry import edges

    return tuple(name for edge in edges() for name in edge.group_commands)


def private_commands() -> tuple[str, ...]:
    return tuple(name for name in menu_commands() if name not in group_commands())


COMMAND_DESCRIPTIONS = Keys("command.{}", menu_commands)


def menu(i18n: Localizer, names: tuple[str, ...] | None = None) -> list[BotCommand]:
    return [BotCommand(command=name, description=i18n(COMMAND_DESCRIPTIONS(name))) for name in names or menu_commands()]


async def set_command_menus(bot: Bot, default_language: str) -> None:
    """Per language and for every other client: the private menu in private chats, the group's in groups."""
    private, groups = BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()
    for language in (*LANGUAGES, None):
        i18n = Localizer(language or default_language)
        await bot.set_my_commands(menu(i18n), scope=private, language_code=language)
        await bot.set_my_commands(menu(i18n, group_commands()), scope=groups, language_code=language)


async def show_commands_in_chat(bot: Bot, chat_id: int, i18n: Localizer) -> None:
    """After /lang, this chat's menu follows the member's choice rather than the phone's language."""
    await bot.set_my_commands(menu(i18n), scope=BotCommandScopeChat(chat_id=chat_id))
