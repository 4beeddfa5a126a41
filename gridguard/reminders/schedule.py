"""When a rule's occurrences are: its RFC 5545 RRULE (python-dateutil) in local time, moved, skipped or kept where
they fall on a public holiday. Pure: the working calendar is passed in."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as rrules

from gridguard.kernel.errors import DomainError
from gridguard.reminders.enums import HolidayHandling
from gridguard.reminders.work_calendar import WorkCalendar

MAX_HOLIDAY_SHIFT = timedelta(days=12)
"""How far a move to the next working day can take an occurrence (Spring Festival and its weekend)."""


@dataclass(frozen=True)
class When:
    """One occurrence: when the rule put it (what names it) and when it happens (after a holiday moved it)."""

    planned_for: datetime
    happens_at: datetime

    @property
    def moved(self) -> bool:
        return self.planned_for != self.happens_at


@dataclass(frozen=True)
class Schedule:
    rrule: str
    starts_on: date
    holidays: HolidayHandling
    zone: ZoneInfo

    def _rule(self) -> rrules.rrule:
        try:
            parsed = rrules.rrulestr(self.rrule, dtstart=datetime.combine(self.starts_on, time(0)))
        except (ValueError, TypeError):
            raise DomainError("reminders.bad_rrule") from None
        if not isinstance(parsed, rrules.rrule):
            raise DomainError("reminders.bad_rrule")
        return parsed

    def occurrences(self, since: datetime, until: datetime, calendar: WorkCalendar) -> list[When]:
        """Occurrences that happen in [since, until), in order; two that a holiday moves onto the same day and
        time are one (a weekly meeting after a nine-day Spring Festival happens once)."""
        rule = self._rule()
        start = since.astimezone(self.zone).replace(tzinfo=None) - MAX_HOLIDAY_SHIFT
        end = until.astimezone(self.zone).replace(tzinfo=None)
        found: dict[datetime, When] = {}
        for planned in rule.between(start, end, inc=True):
            when = self._place(planned, calendar)
            if when is not None and since <= when.happens_at < until:
                found.setdefault(when.happens_at, when)
        return sorted(found.values(), key=lambda w: w.happens_at)

    def _place(self, planned: datetime, calendar: WorkCalendar) -> When | None:
        at = self._utc(planned)
        if self.holidays == HolidayHandling.KEEP or not calendar.is_public_holiday(planned.date()):
            return When(at, at)
        if self.holidays == HolidayHandling.SKIP:
            return None
        moved = datetime.combine(calendar.next_workday(planned.date()), planned.time())
        return When(at, self._utc(moved))

    def _utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(UTC)

    def next_after(self, instant: datetime, calendar: WorkCalendar, horizon_days: int = 400) -> When | None:
        """The first occurrence after `instant`, within `horizon_days` (None: the rule has no future one)."""
        found = self.occurrences(instant + timedelta(microseconds=1), instant + timedelta(days=horizon_days), calendar)
        return found[0] if found else None
