"""A reminder rule as the /reminders wizard builds it, from buttons: what it is, how it repeats, at what time, and
what a public holiday does to it. Turned into an RFC 5545 RRULE here; nobody types one."""

from dataclasses import dataclass
from enum import StrEnum

from gridguard.kernel.errors import DomainError
from gridguard.reminders.enums import HolidayHandling, RuleKind


class Frequency(StrEnum):
    WEEKLY = "weekly"
    """On a weekday every week."""
    MONTHLY_WEEKDAY = "monthly_weekday"
    """On the first (second, …, last) given weekday of every month."""
    MONTHLY_DAY = "monthly_day"
    """On a day of every month."""
    QUARTERLY = "quarterly"
    """On a day of January, April, July and October."""
    HALF_YEARLY = "half_yearly"
    """On a day of June and December."""


WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
LAST = -1
MAX_DAY = 28
"""Every month has a 28th, so a rule on day 1–28 never skips a month."""
DURATIONS = {
    RuleKind.WEEKLY_MEETING: 60,
    RuleKind.INSPECTION: 180,
    RuleKind.SAFETY_MEETING: 90,
    RuleKind.DRILL: 180,
    RuleKind.OTHER: 60,
}


@dataclass(frozen=True)
class Repeat:
    frequency: Frequency
    minutes: int
    """The local time of day, in minutes after midnight."""
    weekday: int | None = None
    """0 Monday … 6 Sunday (weekly, monthly on a weekday)."""
    ordinal: int | None = None
    """1–4, or -1 for the last (monthly on a weekday)."""
    day: int | None = None
    """1–28 (monthly, quarterly, half-yearly on a day)."""

    def rrule(self) -> str:
        """The RRULE line the schedule reads; a repeat missing a part it needs is refused."""
        at = f"BYHOUR={self.minutes // 60};BYMINUTE={self.minutes % 60};BYSECOND=0"
        if not 0 <= self.minutes < 24 * 60:
            raise DomainError("reminders.bad_time")
        match self.frequency:
            case Frequency.WEEKLY:
                return f"FREQ=WEEKLY;BYDAY={self._weekday()};{at}"
            case Frequency.MONTHLY_WEEKDAY:
                if self.ordinal not in (1, 2, 3, 4, LAST):
                    raise DomainError("reminders.bad_repeat")
                return f"FREQ=MONTHLY;BYDAY={self.ordinal}{self._weekday()};{at}"
            case Frequency.MONTHLY_DAY:
                return f"FREQ=MONTHLY;BYMONTHDAY={self._day()};{at}"
            case Frequency.QUARTERLY:
                return f"FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY={self._day()};{at}"
            case Frequency.HALF_YEARLY:
                return f"FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY={self._day()};{at}"
        raise DomainError("reminders.bad_repeat")

    @classmethod
    def of_rrule(cls, rrule: str) -> "Repeat | None":
        """The repeat an RRULE line of the wizard's forms says (None for any other form)."""
        parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
        try:
            minutes = int(parts["BYHOUR"]) * 60 + int(parts["BYMINUTE"])
            match parts["FREQ"], parts.get("BYMONTH"):
                case "WEEKLY", None:
                    return cls(Frequency.WEEKLY, minutes, weekday=WEEKDAY_CODES.index(parts["BYDAY"]))
                case "MONTHLY", None if "BYDAY" in parts:
                    ordinal, code = int(parts["BYDAY"][:-2]), parts["BYDAY"][-2:]
                    return cls(Frequency.MONTHLY_WEEKDAY, minutes, WEEKDAY_CODES.index(code), ordinal)
                case "MONTHLY", None:
                    return cls(Frequency.MONTHLY_DAY, minutes, day=int(parts["BYMONTHDAY"]))
                case "YEARLY", "1,4,7,10":
                    return cls(Frequency.QUARTERLY, minutes, day=int(parts["BYMONTHDAY"]))
                case "YEARLY", "6,12":
                    return cls(Frequency.HALF_YEARLY, minutes, day=int(parts["BYMONTHDAY"]))
        except (KeyError, ValueError):
            return None
        return None

    def _weekday(self) -> str:
        if self.weekday is None or not 0 <= self.weekday < 7:
            raise DomainError("reminders.bad_repeat")
        return WEEKDAY_CODES[self.weekday]

    def _day(self) -> int:
        if self.day is None or not 1 <= self.day <= MAX_DAY:
            raise DomainError("reminders.bad_repeat")
        return self.day


LEAD_CHOICES: tuple[tuple[int, ...], ...] = ((24 * 60, 60), (60,), (2 * 24 * 60, 24 * 60), (7 * 24 * 60, 24 * 60))
"""When reminders go, in minutes before: a day and an hour (the default), an hour, two days and a day, a week
and a day (for a drill that needs preparing)."""


@dataclass(frozen=True)
class RuleDraft:
    """What the wizard has gathered: enough to save a rule."""

    kind: RuleKind
    title: str
    repeat: Repeat
    holidays: HolidayHandling
    place: str | None = None
    leads: tuple[int, ...] = LEAD_CHOICES[0]
