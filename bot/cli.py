"""The command line: `python -m bot [command]`. Each command lives in its own module under `bot/commands/`, imported
only when it runs, and calls use cases that own their transactions."""

import argparse
import asyncio
import importlib
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot.logs import configure_logging
from bot.settings import SettingsError, StartupError, load_settings
from gridguard.directory.enums import Role
from gridguard.kernel.errors import DomainError, UnitNotFound
from gridguard.kernel.fitting import plain_text
from i18n import Localizer

log = logging.getLogger("gridguard")


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
    log.info("GridGuard %s: pid %d, %s", command, os.getpid(), settings.database_url.split(":", 1)[0])
    try:
        module, function = COMMANDS[command]
        run = getattr(importlib.import_module(module), function)
        return asyncio.run(run(settings, args, started))
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


COMMANDS = {
    "run": ("bot.commands.run", "run"),
    "migrate": ("bot.commands.migrate", "migrate"),
    "import-units": ("bot.commands.directory", "import_units"),
    "add-grid": ("bot.commands.directory", "add_grid_command"),
    "invite": ("bot.commands.directory", "invite"),
    "holidays": ("bot.commands.holidays", "holidays"),
    "export": ("bot.commands.export", "export"),
    "backup": ("bot.commands.backup", "backup_command"),
    "webhook": ("bot.commands.webhook", "webhook"),
    "copy-database": ("bot.commands.copy_database", "copy_database_command"),
    "sandbox": ("bot.commands.sandbox", "sandbox"),
}
"""Each command's module and function, imported when it runs."""
