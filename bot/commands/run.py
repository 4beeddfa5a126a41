"""`python -m bot` (or `run`): run the bot."""

import argparse
import sys

from bot.commands import NO_TOKEN_MESSAGE
from bot.settings import Settings


async def run(settings: Settings, _args: argparse.Namespace, started: float) -> int:
    if settings.bot_token is None:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    from bot.app import run_bot

    await run_bot(settings, settings.bot_token.get_secret_value(), started=started)
    return 0
