"""Who is on duty, for any rotation and any covers: checked against a slow count from the start date."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from gridguard.duty.enums import ShiftPattern
from gridguard.duty.rotation import Cover, Layer, RotationPlan, Shift, held_by_one, overlapping, slots_on

ZONES = [ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York"), ZoneInfo("UTC")]
START = date(2026, 1, 1)


def counted_member(plan: RotationPlan, instant: datetime) -> int | None:
    """The slow way: walk every slot from the start date and count."""
    number, day, holder = 0, plan.start_date, None
    while True:
        for offset in slots_on(plan.pattern, day):
            if plan.slot_start(day, offset) > instant:
                return holder
            holder = plan.member_ids[number % len(plan.member_ids)] if plan.member_ids else None
            number += 1
        day += timedelta(days=1)


plans = st.builds(
    RotationPlan,
    pattern=st.sampled_from(list(ShiftPattern)),
    handoff_minutes=st.integers(0, 24 * 60 - 1),
    start_date=st.dates(date(2026, 1, 1), date(2026, 3, 1)),
    member_ids=st.lists(st.integers(1, 50), min_size=1, max_size=8).map(tuple),
    zone=st.sampled_from(ZONES),
)
instants = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)).map(lambda d: d.replace(tzinfo=UTC))


@st.composite
def covers(draw: st.DrawFn) -> tuple[Cover, ...]:
    """Covers that never overlap (overlaps are refused before they are stored)."""
    at = draw(instants)
    made = []
    for _ in range(draw(st.integers(0, 5))):
        start = at + timedelta(minutes=draw(st.integers(0, 5000)))
        end = start + timedelta(minutes=draw(st.integers(1, 5000)))
        made.append(Cover(start, end, draw(st.integers(100, 110))))
        at = end
    return tuple(made)


@settings(max_examples=300, deadline=None)
@given(plan=plans, instant=instants)
def test_each_instant_has_the_member_a_slow_count_gives(plan: RotationPlan, instant: datetime) -> None:
    expected = counted_member(plan, instant) if instant >= plan.slot_start(plan.start_date, 0) else None
    assert plan.shift_at(instant).member_id == expected


@settings(max_examples=200, deadline=None)
@given(plan=plans, cover_set=covers(), instant=instants)
def test_a_cover_wins_over_the_rotation(plan: RotationPlan, cover_set: tuple[Cover, ...], instant: datetime) -> None:
    layer = Layer(plan, cover_set)
    inside = [c for c in cover_set if c.starts_at <= instant < c.ends_at]
    expected = inside[0].member_id if inside else plan.shift_at(instant).member_id
    assert layer.member_at(instant) == expected


@settings(max_examples=200, deadline=None)
@given(plan=plans, cover_set=covers(), since=instants, hours=st.integers(1, 24 * 14))
def test_a_timeline_has_no_gap_or_overlap_the_input_did_not_make(
    plan: RotationPlan, cover_set: tuple[Cover, ...], since: datetime, hours: int
) -> None:
    until = since + timedelta(hours=hours)
    layer = Layer(plan, cover_set)
    pieces = layer.timeline(since, until)
    assert pieces[0].starts_at <= since and pieces[-1].ends_at >= until
    for earlier, later in pairwise(pieces):
        assert earlier.ends_at == later.starts_at
    for piece in pieces:
        assert piece.starts_at < piece.ends_at
        assert layer.member_at(piece.starts_at) == piece.member_id
        assert layer.member_at(piece.ends_at - timedelta(microseconds=1)) == piece.member_id
        started = piece.starts_at >= plan.slot_start(plan.start_date, 0)
        assert piece.member_id is not None or not started, "a gap the rotation did not make"


def test_shanghai_shifts_hand_over_at_the_local_time_every_day() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    plan = RotationPlan(ShiftPattern.DAILY, 8 * 60 + 30, START, (1, 2, 3), shanghai)
    shifts = plan.shifts(datetime(2026, 1, 1, 1, tzinfo=UTC), datetime(2026, 1, 4, tzinfo=UTC))
    assert [(s.starts_at.astimezone(shanghai).hour, s.starts_at.astimezone(shanghai).minute) for s in shifts] == [
        (8, 30)
    ] * 3
    assert [s.member_id for s in shifts] == [1, 2, 3]


def test_across_daylight_saving_a_shift_is_as_long_as_the_wall_clock_says() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    plan = RotationPlan(ShiftPattern.DAILY, 8 * 60, date(2026, 3, 28), (1, 2), berlin)
    spring = plan.shift_at(datetime(2026, 3, 29, 5, tzinfo=berlin))
    assert spring.ends_at - spring.starts_at == timedelta(hours=23)
    assert spring.starts_at.astimezone(berlin).hour == 8 and spring.ends_at.astimezone(berlin).hour == 8


def test_office_hours_and_nights_give_weekdays_two_shifts_and_weekends_one() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    monday = date(2026, 11, 30)
    plan = RotationPlan(ShiftPattern.OFFICE_AND_NIGHTS, 8 * 60 + 30, monday, (1, 2, 3), shanghai)
    week = plan.shifts(plan.slot_start(monday, 0), plan.slot_start(monday + timedelta(days=7), 0))
    lengths = [(s.ends_at - s.starts_at).total_seconds() / 3600 for s in week]
    assert lengths == [9, 15] * 5 + [24, 24]
    assert [s.member_id for s in week[:4]] == [1, 2, 3, 1]


def test_before_the_start_date_nobody_is_on_duty() -> None:
    plan = RotationPlan(ShiftPattern.DAILY, 0, date(2026, 6, 1), (1,), ZoneInfo("UTC"))
    assert plan.shift_at(datetime(2026, 5, 31, 23, tzinfo=UTC)) == Shift(
        datetime(2026, 5, 31, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC), None
    )


def test_overlapping_covers_are_found() -> None:
    a = Cover(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC), 1)
    b = Cover(datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 4, tzinfo=UTC), 2)
    c = Cover(datetime(2026, 1, 3, tzinfo=UTC), datetime(2026, 1, 4, tzinfo=UTC), 2)
    assert overlapping([b, a]) == (a, b)
    assert overlapping([a, c]) is None


@settings(max_examples=60)
@given(first=plans, second=plans, since=instants, hours=st.integers(1, 24 * 14), probes=st.lists(instants, max_size=20))
def test_one_member_on_both_layers_is_found_exactly_where_both_layers_name_them(
    first: RotationPlan, second: RotationPlan, since: datetime, hours: int, probes: list[datetime]
) -> None:
    until = since + timedelta(hours=hours)
    both = held_by_one(first.shifts(since, until), second.shifts(since, until))
    for earlier, later in pairwise(both):
        assert earlier.ends_at <= later.starts_at
    checked = [since, *(p for p in probes if since <= p < until), *(s.starts_at for s in both if s.starts_at >= since)]
    for instant in checked:
        held = first.shift_at(instant).member_id
        same = held is not None and held == second.shift_at(instant).member_id
        found = [s for s in both if s.holds(instant)]
        assert bool(found) == same
        assert all(s.member_id == held for s in found)
