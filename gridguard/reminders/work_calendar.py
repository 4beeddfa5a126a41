"""The Chinese working calendar: public holidays and make-up working days (调休), from an administrator's holiday
file where one was loaded, else the chinese-calendar package; a year neither knows (the package ships each year
once the State Council publishes it) is taken as plain weekdays and weekends, and remembered, so the admins can
be told once."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import chinese_calendar

MAX_SEARCH_DAYS = 40
"""No run of days off is longer than this (Spring Festival is nine), so the search for a working day ends."""


@dataclass(frozen=True)
class Day:
    off: bool
    holiday: str | None
    """The public holiday's name; None for an ordinary weekend or working day."""


@dataclass
class WorkCalendar:
    loaded: Mapping[date, tuple[bool, str]] = field(default_factory=dict)
    """Days an administrator's holiday file names: day -> (off, name)."""
    unknown_years: set[int] = field(default_factory=set)
    """Years looked up that neither the file nor the package knew."""

    @cached_property
    def fingerprint(self) -> int:
        """Which days were loaded: what a schedule worked out with this calendar depends on."""
        return hash(frozenset(self.loaded.items()))

    def day(self, day: date) -> Day:
        if day in self.loaded:
            off, name = self.loaded[day]
            return Day(off, name if off else None)
        if self._file_covers(day.year):
            return Day(day.weekday() >= 5, None)
        try:
            off, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            self.unknown_years.add(day.year)
            return Day(day.weekday() >= 5, None)
        return Day(bool(off), name if off and isinstance(name, str) else None)

    def _file_covers(self, year: int) -> bool:
        return any(d.year == year for d in self.loaded)

    def is_public_holiday(self, day: date) -> bool:
        return self.day(day).holiday is not None

    def is_workday(self, day: date) -> bool:
        return not self.day(day).off

    def next_workday(self, day: date) -> date:
        """The first working day after `day` (a make-up working day counts)."""
        for ahead in range(1, MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=ahead)
            if self.is_workday(candidate):
                return candidate
        return day + timedelta(days=MAX_SEARCH_DAYS)
