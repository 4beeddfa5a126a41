"""`python -m bot holidays FILE`: a year's public holidays and make-up working days (a holiday-cn file)."""

import argparse
import sys

from bot.settings import Settings
from bot.startup import opened_database
from gridguard.reminders.holidays import load_holiday_file, parse_holiday_file


async def holidays(settings: Settings, args: argparse.Namespace, _started: float) -> int:
    """Load a holiday-cn file: public holidays and make-up working days of a year the package may not know."""
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        print(f"holidays: {args.file}: not UTF-8 text ({error.reason})", file=sys.stderr)
        return 2
    parsed = parse_holiday_file(text)
    async with opened_database(settings) as db:
        await load_holiday_file(db, parsed)
    print(f"loaded {parsed.year}: {parsed.off} days off, {parsed.make_up} make-up working days")
    return 0
