"""`python -m bot export compliance | alerts`: spreadsheets for the county."""

import argparse
import sys
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path

from bot.settings import Settings
from bot.startup import opened_database
from gridguard.callouts.callout_export import ALERT_COLUMNS, alerts_since
from gridguard.kernel.clock import SystemClock
from gridguard.kernel.numbers import FIRST_YEAR, LAST_YEAR
from gridguard.reminders.compliance import (
    COLUMN_NAMES,
    COLUMNS,
    county_compliance,
    parse_quarter,
    table_rows,
    write_table,
)
from i18n import Localizer


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
    async with opened_database(settings) as db:
        rows = await alerts_since(db, since, settings.zone)
    write_table(out, list(ALERT_COLUMNS), rows)
    print(f"wrote {out}: {len({r[0] for r in rows})} call-outs, {len(rows)} people asked, since {since.date()}")
    return 0


async def export_compliance(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    """The county's townships: meetings, the quarterly meeting and inspections held against due in the quarter,
    the last drill, and what is overdue, as XLSX or CSV."""
    zone = settings.zone
    period = parse_quarter(args.quarter, zone)
    out: Path = args.out or Path(f"compliance-{args.county}-{period.label}.xlsx")
    async with opened_database(settings) as db:
        found = await county_compliance(db, args.county, period, zone, SystemClock())
    i18n = Localizer(settings.default_language)
    write_table(out, [i18n(COLUMN_NAMES(c)) for c in COLUMNS], table_rows(found.townships, zone))
    print(f"wrote {out}: {len(found.townships)} townships of {found.county.name}, {period.label}")
    return 0
