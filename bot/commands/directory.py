"""`python -m bot import-units | add-grid | invite`: an administrator's first steps from the server."""

import argparse
import sys

from bot.settings import Settings
from bot.startup import opened_database
from gridguard.directory.directory import ImportReport, read_division_file
from gridguard.directory.enums import Role
from gridguard.directory.server_admin import add_grid_at, import_division_list, invite_at
from gridguard.kernel.clock import SystemClock


def describe_import(report: ImportReport) -> str:
    added = ", ".join(f"{count} {level.value}" for level, count in report.added.items() if count)
    lines = [f"added: {added or 'nothing'}", f"renamed: {len(report.renamed)}"]
    lines += [f"  {code}: {old} -> {new}" for code, old, new in report.renamed]
    lines.append(f"unchanged: {report.unchanged}")
    return "\n".join(lines)


async def import_units(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    rows = read_division_file(args.file)
    async with opened_database(settings) as db:
        report = await import_division_list(db, rows, SystemClock())
    print(describe_import(report))
    return 0


async def add_grid_command(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    async with opened_database(settings) as db:
        added = await add_grid_at(db, args.village, args.name, SystemClock())
    print(f"added grid {added.grid.code} {added.grid.name} under {added.village.name}")
    return 0


async def invite(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    async with opened_database(settings) as db:
        made = await invite_at(db, args.unit, Role(args.role), args.uses, args.days, SystemClock())
    username = await bot_username(settings)
    print(f"invite for {args.role} at {made.place}: {args.uses} use(s), valid {args.days} day(s)")
    print(f"https://t.me/{username or '<bot username>'}?start={made.invite.token}")
    if username is None:
        print("(set BOT_TOKEN to print the link with the bot's username)", file=sys.stderr)
    return 0


async def bot_username(settings: Settings) -> str | None:
    if settings.bot_token is None:
        return None
    from aiogram.exceptions import TelegramAPIError

    from bot.app import build_bot

    bot = build_bot(settings.bot_token.get_secret_value(), settings.telegram_api_base)
    try:
        return (await bot.me()).username
    except TelegramAPIError:
        return None
    finally:
        await bot.session.close()
