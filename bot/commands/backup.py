"""`python -m bot backup FILE`: an online copy of the SQLite database."""

import argparse
import asyncio
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import Settings
from gridguard.db.backup import BackupError, back_up_sqlite


async def backup_command(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    """SQLite: an online copy through the backup API (restore: stop the bot, put the copy in the database's place).
    PostgreSQL: pg_dump does it (README)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        print("backup copies a SQLite database; for PostgreSQL use pg_dump (see the README's Backups)", file=sys.stderr)
        return 2
    args.file.parent.mkdir(parents=True, exist_ok=True)
    try:
        tables = await asyncio.to_thread(back_up_sqlite, Path(url.database), args.file)
    except BackupError as error:
        print(f"backup: {error}", file=sys.stderr)
        return 2
    print(f"backed up {url.database} to {args.file}: {tables} tables, integrity ok")
    return 0
