"""The one way times are shown to people: in the deployment's zone, short."""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

DAY_AND_TIME = "%m-%d %H:%M"
TIME_OF_DAY = "%H:%M"


def local_time(when: datetime, zone: ZoneInfo) -> str:
    """11-29 14:05: a moment within the last days or the next."""
    return when.astimezone(zone).strftime(DAY_AND_TIME)


def time_of_day(when: datetime, zone: ZoneInfo) -> str:
    """14:05: a moment today."""
    return when.astimezone(zone).strftime(TIME_OF_DAY)


def span(start: datetime, end: datetime, zone: ZoneInfo, weekdays: Sequence[str]) -> str:
    """12-01 周二 08:30–12-02 08:30: a shift, its day named (`weekdays`: Monday first, in the reader's language)."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    until = last.strftime(TIME_OF_DAY) if last.date() == first.date() else last.strftime(DAY_AND_TIME)
    return f"{first.strftime('%m-%d')} {weekdays[first.weekday()]} {first.strftime(TIME_OF_DAY)}–{until}"


def moment(instant: datetime, zone: ZoneInfo, weekdays: Sequence[str]) -> str:
    """11-30 周一 09:00: a moment days or weeks away, its day named."""
    local = instant.astimezone(zone)
    return f"{local.strftime('%m-%d')} {weekdays[local.weekday()]} {local.strftime(TIME_OF_DAY)}"
