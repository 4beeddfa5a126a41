"""Holiday files in the format the holiday-cn data set publishes (https://github.com/NateScarlet/holiday-cn):
`{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, …]}`. An administrator loads
one for a year the chinese-calendar package does not know yet; it replaces what was loaded for that year."""

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from models import HolidayDay
from services.errors import DomainError

NAME_LIMIT = 40


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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _refuse(f"not JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("year"), int) or not isinstance(data.get("days"), list):
        raise _refuse('expected {"year": <number>, "days": [...]}')
    year, days = data["year"], {}
    for number, entry in enumerate(data["days"], start=1):
        days.update(_day(number, entry, year))
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
        day = date.fromisoformat(str(when))
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
