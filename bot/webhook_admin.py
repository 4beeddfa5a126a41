"""`python -m bot webhook set|delete|info`: manage where Telegram sends the bot's updates."""

from aiogram.types import WebhookInfo

from bot.app import build_bot, build_dispatcher
from bot.settings import Settings
from bot.webhook import set_webhook
from gridguard.db.database import Database
from gridguard.kernel.clock import SystemClock


async def manage_webhook(settings: Settings, action: str, drop_pending: bool) -> list[str]:
    """What was done, as lines to print."""
    assert settings.bot_token is not None
    token = settings.bot_token.get_secret_value()
    bot = build_bot(token, settings.telegram_api_base)
    try:
        if action == "set":
            db = Database(settings.database_url)
            dp = build_dispatcher(settings, db, SystemClock())
            try:
                await set_webhook(bot, dp, settings, token)
            finally:
                await dp.storage.close()
                await db.dispose()
        elif action == "delete":
            await bot.delete_webhook(drop_pending_updates=drop_pending)
        return describe(await bot.get_webhook_info())
    finally:
        await bot.session.close()


def describe(info: WebhookInfo) -> list[str]:
    lines = [f"url: {info.url or '(none: the bot polls)'}", f"pending updates: {info.pending_update_count}"]
    if info.max_connections:
        lines.append(f"max connections: {info.max_connections}")
    if info.last_error_date is not None:
        when = info.last_error_date.isoformat(timespec="seconds")
        lines.append(f"last error: {when} {info.last_error_message}")
    return lines
