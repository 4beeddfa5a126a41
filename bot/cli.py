"""The command line: each command is a thin call into services/ inside one transaction.

aiogram is imported only by the commands that talk to Telegram: it takes seconds to import.
"""

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import NoReturn

from sqlalchemy.engine import make_url

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.startup import Patience, StartupError, ready_database
from gridguard.callouts.callout_export import ALERT_COLUMNS, alerts_since
from gridguard.db.backup import BackupError, back_up_sqlite
from gridguard.db.copy import CopyError, copy_database
from gridguard.db.database import Database
from gridguard.directory.directory import ImportReport, read_division_file
from gridguard.directory.enums import Role
from gridguard.directory.server_admin import add_grid_at, import_division_list, invite_at
from gridguard.kernel.clock import SystemClock
from gridguard.kernel.errors import DomainError, UnitNotFound
from gridguard.kernel.fitting import plain_text
from gridguard.kernel.numbers import FIRST_YEAR, LAST_YEAR
from gridguard.reminders.compliance import (
    COLUMN_NAMES,
    COLUMNS,
    county_compliance,
    parse_quarter,
    table_rows,
    write_table,
)
from gridguard.reminders.holidays import load_holiday_file, parse_holiday_file
from i18n import Localizer

log = logging.getLogger("gridguard")

NO_TOKEN_MESSAGE = (
    "BOT_TOKEN is not set. In Telegram, open @BotFather, send /newbot and follow the prompts; "
    "put the token it gives you in .env as BOT_TOKEN=123456789:ABC... (see .env.example), then run "
    "`uv run python -m bot` again. To try GridGuard without a token: `uv run python -m bot sandbox`. "
    "/ 未设置 BOT_TOKEN：在 Telegram 中找 @BotFather 发送 /newbot 获取令牌，写入 .env；"
    "没有令牌也可以先运行 `uv run python -m bot sandbox` 体验。"
)


class OneLineParser(argparse.ArgumentParser):
    """A wrong or missing argument: one line naming it, exit code 2 (argparse would print the usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (--help lists the arguments)\n")


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="python -m bot", description="GridGuard (网格安全哨)")
    commands = p.add_subparsers(dest="command", parser_class=OneLineParser)
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="apply pending database migrations and exit")
    imp = commands.add_parser("import-units", help="import an official division list (CSV)")
    imp.add_argument("file", type=Path)
    grid = commands.add_parser("add-grid", help="add a grid under a village")
    grid.add_argument("--village", required=True, help="the village's 12-digit code")
    grid.add_argument("--name", required=True)
    inv = commands.add_parser("invite", help="print an invite deep link")
    inv.add_argument("--unit", required=True, help="unit code")
    inv.add_argument("--role", required=True, choices=[r.value for r in Role])
    inv.add_argument("--uses", type=int, default=1)
    inv.add_argument("--days", type=int, default=7)
    holidays = commands.add_parser("holidays", help="load a holiday file (holiday-cn JSON) for a year")
    holidays.add_argument("file", type=Path)
    export = commands.add_parser("export", help="write a report as a spreadsheet")
    export.add_argument("what", choices=["compliance", "alerts"])
    export.add_argument("--county", help="compliance: the county's code (6 or 12 digits)")
    export.add_argument("--quarter", help="compliance: e.g. 2026Q4")
    export.add_argument("--since", help="alerts: the first day, e.g. 2026-11-01 (local time)")
    export.add_argument("--out", type=Path, default=None, help="a .xlsx or .csv file (default: here)")
    backup = commands.add_parser("backup", help="copy the SQLite database to FILE while the bot runs")
    backup.add_argument("file", type=Path)
    hook = commands.add_parser("webhook", help="point Telegram at WEBHOOK_URL (set), back to polling (delete), or show")
    hook.add_argument("action", choices=["set", "delete", "info"])
    hook.add_argument("--drop-pending", action="store_true", help="delete: drop the updates not yet delivered")
    copy = commands.add_parser("copy-database", help="copy every table into an empty database (e.g. PostgreSQL)")
    copy.add_argument("--to", required=True, help="the target's URL, e.g. postgresql+asyncpg://user@host/gridguard")
    sandbox = commands.add_parser("sandbox", help="try the bot in the terminal, no token needed")
    sandbox.add_argument("--township", default=None, help="township code to seed (default: one)")
    return p


def main(argv: Sequence[str]) -> int:
    started = time.monotonic()
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    command = args.command or "run"
    configure_logging(settings.model_copy(update={"log_level": "WARNING"}) if command == "sandbox" else settings)
    log.info("GridGuard %s: pid %d, %s", command, os.getpid(), make_url(settings.database_url).get_backend_name())
    try:
        return asyncio.run(COMMANDS[command](settings, args, started))
    except UnitNotFound as error:
        print(terminal_text(Localizer("en")("cli.unit_not_found", **error.params)), file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"{command}: {terminal_text(Localizer('en')(error.key, **error.params))}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{command}: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 2
    except StartupError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def terminal_text(text: str) -> str:
    """A catalog text as a terminal shows it: no HTML tags or escapes, on one line."""
    return plain_text(text).replace("\n", " ")


async def run(settings: Settings, _args: argparse.Namespace, started: float) -> int:
    if settings.bot_token is None:
        print(NO_TOKEN_MESSAGE, file=sys.stderr)
        return 2
    from bot.app import run_bot

    await run_bot(settings, settings.bot_token.get_secret_value(), started=started)
    return 0


async def migrate(settings: Settings, _args: argparse.Namespace, _started: float) -> int:
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    print("database is up to date")
    return 0


def describe_import(report: ImportReport) -> str:
    added = ", ".join(f"{count} {level.value}" for level, count in report.added.items() if count)
    lines = [f"added: {added or 'nothing'}", f"renamed: {len(report.renamed)}"]
    lines += [f"  {code}: {old} -> {new}" for code, old, new in report.renamed]
    lines.append(f"unchanged: {report.unchanged}")
    return "\n".join(lines)


async def import_units(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    rows = read_division_file(args.file)
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    db = Database(settings.database_url)
    try:
        report = await import_division_list(db, rows, SystemClock())
    finally:
        await db.dispose()
    print(describe_import(report))
    return 0


async def add_grid_command(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    db = Database(settings.database_url)
    try:
        added = await add_grid_at(db, args.village, args.name, SystemClock())
    finally:
        await db.dispose()
    print(f"added grid {added.grid.code} {added.grid.name} under {added.village.name}")
    return 0


async def invite(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    db = Database(settings.database_url)
    try:
        made = await invite_at(db, args.unit, Role(args.role), args.uses, args.days, SystemClock())
    finally:
        await db.dispose()
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


async def holidays(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    """Load a holiday-cn file: public holidays and make-up working days of a year the package may not know."""
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        print(f"holidays: {args.file}: not UTF-8 text ({error.reason})", file=sys.stderr)
        return 2
    parsed = parse_holiday_file(text)
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    db = Database(settings.database_url)
    try:
        await load_holiday_file(db, parsed)
    finally:
        await db.dispose()
    print(f"loaded {parsed.year}: {parsed.off} days off, {parsed.make_up} make-up working days")
    return 0


async def export(settings: Settings, args: argparse.Namespace, started: float) -> int:
    """`export compliance --county --quarter`, or `export alerts --since`."""
    if args.what == "alerts":
        return await export_alerts(settings, args, started)
    if not args.county or not args.quarter:
        print("export compliance needs --county and --quarter", file=sys.stderr)
        return 2
    return await export_compliance(settings, args, started)


async def export_alerts(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    """Every call-out since a day, a row per person it asked: what they answered and when."""
    if not args.since:
        print("export alerts needs --since DATE (e.g. 2026-11-01)", file=sys.stderr)
        return 2
    try:
        day = date.fromisoformat(args.since) if args.since.isascii() else None
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        print(
            f"export: --since: not a date between {FIRST_YEAR} and {LAST_YEAR} (YYYY-MM-DD): {args.since}",
            file=sys.stderr,
        )
        return 2
    since = datetime.combine(day, dt_time(0), settings.zone)
    out: Path = args.out or Path(f"alerts-since-{since.date().isoformat()}.csv")
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    db = Database(settings.database_url)
    try:
        rows = await alerts_since(db, since, settings.zone)
    finally:
        await db.dispose()
    write_table(out, list(ALERT_COLUMNS), rows)
    print(f"wrote {out}: {len({r[0] for r in rows})} call-outs, {len(rows)} people asked, since {since.date()}")
    return 0


async def export_compliance(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    """The county's townships: meetings, the quarterly meeting and inspections held against due in the quarter,
    the last drill, and what is overdue, as XLSX or CSV."""
    zone = settings.zone
    period = parse_quarter(args.quarter, zone)
    out: Path = args.out or Path(f"compliance-{args.county}-{period.label}.xlsx")
    await ready_database(settings.database_url, Patience(settings.startup_wait_seconds))
    db = Database(settings.database_url)
    try:
        found = await county_compliance(db, args.county, period, zone, SystemClock())
    finally:
        await db.dispose()
    i18n = Localizer(settings.default_language)
    write_table(out, [i18n(COLUMN_NAMES(c)) for c in COLUMNS], table_rows(found.townships, zone))
    print(f"wrote {out}: {len(found.townships)} townships of {found.county.name}, {period.label}")
    return 0


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


async def sandbox(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    from bot.sandbox import run_sandbox

    await run_sandbox(settings, args.township)
    return 0


COMMANDS = {
    "run": run,
    "migrate": migrate,
    "import-units": import_units,
    "add-grid": add_grid_command,
    "invite": invite,
    "holidays": holidays,
    "export": export,
    "backup": backup_command,
    "webhook": webhook,
    "copy-database": copy_database_command,
    "sandbox": sandbox,
}
