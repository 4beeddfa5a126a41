"""`python -m bot migrate`: apply pending migrations and exit."""

import argparse

from bot.settings import Settings
from bot.startup import Patience, ready_database


async def migrate(settings: Settings, _args: argparse.Namespace, _started: float) -> int:
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    print("database is up to date")
    return 0
