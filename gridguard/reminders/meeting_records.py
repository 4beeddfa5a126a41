"""A recorded meeting, inspection or drill as values: a line of /records, and the record in full."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordLine:
    """A recorded occurrence as /records lists it."""

    occurrence_id: int
    title: str
    happens_at: datetime
    held: bool


@dataclass(frozen=True)
class RecordView:
    """A recorded occurrence in full, as the head reads it later."""

    title: str
    drill: bool
    happens_at: datetime
    held: bool
    attended: list[str]
    invited: int
    """How many it reminded (those who could have come)."""
    notes: str | None
    scenario: str | None
    problems: str | None
    photos: list[str]
    recorded_by: str
    recorded_at: datetime | None


@dataclass(frozen=True)
class RecordsView:
    township: str
    lines: list[RecordLine]
