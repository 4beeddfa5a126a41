"""Holiday files in the format the holiday-cn data set publishes (https://github.com/NateScarlet/holiday-cn):
`{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, …]}`. An administrator loads
one for a year the chinese-calendar package does not know yet; it replaces what was loaded for that year."""

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.kernel.errors import DomainError
from gridguard.kernel.numbers import FIRST_YEAR, LAST_YEAR
from gridguard.reminders.tables import HolidayDay

NAME_LIMIT = 40
MAX_CHARS = 100_000
"""A year's file is a few KB."""


@dataclass(frozen=True)
class HolidayFile:
    year: int
    days: dict[date, tuple[bool, str]]

    @property
    def off(self) -> int:
        return sum(1 for off, _ in self.days.values() if off)

    @property
    def make_up(self) -> int:
        return len(self.days) - self.off


def _refuse(problem: str) -> DomainError:
    return DomainError("holidays.bad_file", problem=problem)


def parse_holiday_file(text: str) -> HolidayFile:
    """The file's days, or a refusal naming what is wrong (nothing is loaded then)."""
    if len(text) > MAX_CHARS:
        raise _refuse(f"larger than {MAX_CHARS // 1000} KB")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _refuse(f"not JSON ({error.msg}, line {error.lineno})") from None
    except (ValueError, RecursionError):
        raise _refuse("JSON this file cannot hold (a number too long, or nesting too deep)") from None
    year = data.get("year") if isinstance(data, dict) else None
    if type(year) is not int or not isinstance(data.get("days"), list):
        raise _refuse('expected {"year": a year such as 2027, "days": [...]}')
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _refuse(f"year {year} is not between {FIRST_YEAR} and {LAST_YEAR}")
    days: dict[date, tuple[bool, str]] = {}
    first_seen: dict[date, int] = {}
    for number, entry in enumerate(data["days"], start=1):
        for day, meaning in _day(number, entry, year).items():
            if day in first_seen:
                raise _refuse(f"day {number}: {day} is listed twice (also day {first_seen[day]})")
            first_seen[day], days[day] = number, meaning
    if not days:
        raise _refuse(f"no days for {year}: the State Council's notice may not be out yet")
    return HolidayFile(year, days)


def _day(number: int, entry: object, year: int) -> dict[date, tuple[bool, str]]:
    if not isinstance(entry, dict):
        raise _refuse(f"day {number}: expected an object")
    name, off, when = entry.get("name"), entry.get("isOffDay"), entry.get("date")
    if not isinstance(name, str) or not name or len(name) > NAME_LIMIT or not isinstance(off, bool):
        raise _refuse(f"day {number}: needs a name and isOffDay true or false")
    try:
        day = date.fromisoformat(when if isinstance(when, str) else "")
    except ValueError:
        raise _refuse(f"day {number}: date {when!r} is not YYYY-MM-DD") from None
    if day.year != year:
        raise _refuse(f"day {number}: {day} is not in {year}")
    return {day: (off, name)}


async def load_holidays(session: AsyncSession, holidays: HolidayFile) -> None:
    """Replace the loaded days of the file's year with the file's."""
    first, last = date(holidays.year, 1, 1), date(holidays.year, 12, 31)
    await session.exec(delete(HolidayDay).where(col(HolidayDay.day) >= first, col(HolidayDay.day) <= last))
    for day, (off, name) in sorted(holidays.days.items()):
        session.add(HolidayDay(day=day, off=off, name=name))


async def load_holiday_file(db: Database, holidays: HolidayFile) -> None:
    """`python -m bot holidays FILE`: a year's days, in one transaction."""
    async with db.transaction() as session:
        await load_holidays(session, holidays)
