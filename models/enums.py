"""Enumerations shared by tables and services."""

from enum import IntEnum, StrEnum


class UnitLevel(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    VOLUNTEER = "volunteer"
    VILLAGE_OFFICER = "village_officer"
    STATION_DUTY = "station_duty"
    STATION_HEAD = "station_head"
    COUNTY_OFFICER = "county_officer"
    ADMIN = "admin"


class Priority(IntEnum):
    """Lower goes first: escalations and alerts before status updates, reminders and digests last."""

    URGENT = 0
    NORMAL = 1
    LOW = 2


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    """Refused for good (blocked, never started, chat not found): the recipient is unreachable."""
    DEAD = "dead"
    """Gave up after the maximum number of attempts."""
