"""`python -m bot copy-database --to URL`: every table copied into an empty database (SQLite to PostgreSQL)."""

import argparse
import sys

from bot.settings import Settings, SettingsError, load_settings
from bot.startup import Patience, ready_database
from gridguard.db.copy import CopyError, copy_database


async def copy_database_command(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    """Copy every table from DATABASE_URL into the empty database at --to, and compare the counts. The target is
    tried once: it is a database the operator has just made, not one still starting."""
    try:
        target = load_settings(database_url=args.to).database_url
    except SettingsError as error:
        print(str(error).replace("DATABASE_URL", "--to"), file=sys.stderr)
        return 2
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    await ready_database(target, Patience(0), setting="--to")
    try:
        copied = await copy_database(settings.database_url, target)
    except CopyError as error:
        print(f"copy-database: {error}", file=sys.stderr)
        return 1
    for table, count in copied.items():
        print(f"{table}: {count}")
    print(f"copied {sum(copied.values())} rows in {len(copied)} tables; the counts match")
    return 0
