"""Who is on duty when: a rotation's shifts and the covers that win over them, as pure values (no database).

A rotation cuts local time into slots from its handoff time each day (the pattern says how), and hands the slots
to its members in turn from its start date. Each slot starts at a local wall-clock time and ends where the next
slot starts, so shifts never overlap or leave a gap, in Asia/Shanghai or in a zone with daylight saving time.
A cover (leave, a swap, a planned period) wins over the rotation for its period.
"""

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from zoneinfo import ZoneInfo

from gridguard.duty.enums import ShiftPattern

OFFICE_MINUTES = 9 * 60

Slots = tuple[int, ...]
"""Minutes after the handoff at which the slots of one day start (the first is 0)."""

PATTERN_SLOTS: dict[ShiftPattern, tuple[Slots, Slots]] = {
    ShiftPattern.DAILY: ((0,), (0,)),
    ShiftPattern.HALF_DAY: ((0, 720), (0, 720)),
    ShiftPattern.OFFICE_AND_NIGHTS: ((0, OFFICE_MINUTES), (0,)),
}
"""(a weekday's slots, a weekend day's slots)."""


def slots_on(pattern: ShiftPattern, day: date) -> Slots:
    weekday, weekend = PATTERN_SLOTS[pattern]
    return weekend if day.weekday() >= 5 else weekday


@dataclass(frozen=True)
class Shift:
    starts_at: datetime
    ends_at: datetime
    member_id: int | None
    """None: nobody (before the rotation starts, or a rotation left without members)."""
    covered: bool = False
    """Someone covers this period instead of the rotation."""

    def holds(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at


@dataclass(frozen=True)
class RotationPlan:
    pattern: ShiftPattern
    handoff_minutes: int
    start_date: date
    member_ids: tuple[int, ...]
    zone: ZoneInfo

    @cached_property
    def _week(self) -> tuple[int, ...]:
        """Slots before each day of a week that begins on the start date's weekday (cumulative, 8 entries)."""
        counts = [len(slots_on(self.pattern, self.start_date + timedelta(days=i))) for i in range(7)]
        return tuple(sum(counts[:i]) for i in range(8))

    def slot_start(self, day: date, offset_minutes: int) -> datetime:
        """The instant a slot starts: wall-clock time on `day` in the zone, as UTC."""
        wall = datetime.combine(day, time(0), self.zone) + timedelta(minutes=self.handoff_minutes + offset_minutes)
        return wall.astimezone(UTC)

    def slot_number(self, day: date, k: int) -> int:
        """The how-many-th slot since the start (negative before it)."""
        weeks, rest = divmod((day - self.start_date).days, 7)
        return weeks * self._week[7] + self._week[rest] + k

    def member_of(self, day: date, k: int) -> int | None:
        number = self.slot_number(day, k)
        if number < 0 or not self.member_ids:
            return None
        return self.member_ids[number % len(self.member_ids)]

    def _slots_from(self, day: date) -> Iterator[tuple[date, int, datetime]]:
        """Every slot from the first of `day` on: its day, its index that day, its start."""
        while True:
            for k, offset in enumerate(slots_on(self.pattern, day)):
                yield day, k, self.slot_start(day, offset)
            day += timedelta(days=1)

    def shifts(self, since: datetime, until: datetime) -> list[Shift]:
        """The rotation's shifts that overlap [since, until), in order."""
        first_day = since.astimezone(self.zone).date() - timedelta(days=1)
        shifts: list[Shift] = []
        slots = self._slots_from(first_day)
        day, k, start = next(slots)
        for next_day, next_k, next_start in slots:
            if next_start > since and start < until:
                shifts.append(Shift(start, next_start, self.member_of(day, k)))
            if next_start >= until:
                return shifts
            day, k, start = next_day, next_k, next_start
        raise AssertionError("unreachable: the slots never end")

    def shift_at(self, instant: datetime) -> Shift:
        return self.shifts(instant, instant + timedelta(microseconds=1))[0]


@dataclass(frozen=True)
class Cover:
    starts_at: datetime
    ends_at: datetime
    member_id: int


@dataclass(frozen=True)
class Layer:
    """One layer of a township's duty: its rotation (if any) and the covers that win over it, sorted by start."""

    rotation: RotationPlan | None
    covers: tuple[Cover, ...] = ()

    def cover_at(self, instant: datetime) -> Cover | None:
        i = bisect_right([c.starts_at for c in self.covers], instant) - 1
        return self.covers[i] if i >= 0 and instant < self.covers[i].ends_at else None

    def member_at(self, instant: datetime) -> int | None:
        cover = self.cover_at(instant)
        if cover is not None:
            return cover.member_id
        return self.rotation.shift_at(instant).member_id if self.rotation else None

    def timeline(self, since: datetime, until: datetime) -> list[Shift]:
        """Who holds [since, until), piece by piece: the rotation's shifts, cut where covers begin and end."""
        base = self.rotation.shifts(since, until) if self.rotation else [Shift(since, until, None)]
        covers = [c for c in self.covers if c.ends_at > base[0].starts_at and c.starts_at < base[-1].ends_at]
        pieces: list[Shift] = []
        for shift in base:
            pieces += _cut(shift, covers)
        return pieces


def _cut(shift: Shift, covers: Sequence[Cover]) -> list[Shift]:
    """A shift with the covers inside it taking their part (covers never overlap one another)."""
    pieces: list[Shift] = []
    at = shift.starts_at
    for cover in covers:
        start, end = max(cover.starts_at, shift.starts_at), min(cover.ends_at, shift.ends_at)
        if start >= end:
            continue
        if at < start:
            pieces.append(Shift(at, start, shift.member_id))
        pieces.append(Shift(start, end, cover.member_id, covered=True))
        at = end
    if at < shift.ends_at:
        pieces.append(Shift(at, shift.ends_at, shift.member_id))
    return pieces


def overlapping(covers: Sequence[Cover]) -> tuple[Cover, Cover] | None:
    """Two covers whose periods overlap, if any."""
    ordered = sorted(covers, key=lambda c: c.starts_at)
    for earlier, later in pairwise(ordered):
        if later.starts_at < earlier.ends_at:
            return earlier, later
    return None


def held_by_one(first: Sequence[Shift], second: Sequence[Shift]) -> list[Shift]:
    """Where one member holds both layers at once: the overlaps of two timelines' pieces with the same member."""
    both: list[Shift] = []
    i = j = 0
    while i < len(first) and j < len(second):
        a, b = first[i], second[j]
        start, end = max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at)
        if start < end and a.member_id is not None and a.member_id == b.member_id:
            if both and both[-1].member_id == a.member_id and both[-1].ends_at == start:
                start = both.pop().starts_at
            both.append(Shift(start, end, a.member_id))
        if a.ends_at <= b.ends_at:
            i += 1
        else:
            j += 1
    return both
