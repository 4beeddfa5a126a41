"""`python -m bot sandbox`: try the bot in the terminal, no token needed."""

import argparse

from bot.settings import Settings


async def sandbox(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    from bot.sandbox import run_sandbox

    await run_sandbox(settings, args.township)
    return 0
