"""The capability's enumerations: its states and kinds."""

from enum import IntEnum, StrEnum


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
