"""The one way times are shown to people: in the deployment's zone, short."""

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
