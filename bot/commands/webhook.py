"""`python -m bot webhook set | delete | info`: point Telegram at the webhook, back to polling, or show."""

import argparse
import sys

from bot.commands import NO_TOKEN_MESSAGE
from bot.settings import Settings


async def webhook(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    """`webhook set` points Telegram at WEBHOOK_URL with the secret; `delete` returns to polling; `info` shows."""
    if settings.bot_token is None:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    if args.action == "set" and not settings.webhook_url:
        print("Setting WEBHOOK_URL: set it to the https:// address Telegram should post updates to", file=sys.stderr)
        return 2
    from bot.webhook_admin import manage_webhook

    for line in await manage_webhook(settings, args.action, args.drop_pending):
        print(line)
    return 0
