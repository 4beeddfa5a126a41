"""Schedule arithmetic against the real 2026 calendar: Spring Festival 15–23 February with make-up working days
on 14 and 28 February; National Day 1–7 October with make-up days on 20 September and 10 October; New Year's
Day 1–3 January with a make-up day on Sunday 4 January. And a year nobody knows yet (2027)."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.paths import HOLIDAY_FILES
from gridguard.kernel.errors import DomainError
from gridguard.reminders.enums import HolidayHandling, RuleKind, RuleStatus
from gridguard.reminders.reminder_rules import occurrences_of, schedule_of
from gridguard.reminders.schedule import Schedule
from gridguard.reminders.tables import ReminderRule
from gridguard.reminders.work_calendar import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAYS_AT_9 = "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0"


def local(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=SHANGHAI)


def days(schedule: Schedule, since: datetime, until: datetime, calendar: WorkCalendar | None = None) -> list[str]:
    found = schedule.occurrences(since, until, calendar or WorkCalendar())
    return [w.happens_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") for w in found]


def weekly(byday: str, holidays: HolidayHandling = HolidayHandling.MOVE) -> Schedule:
    return Schedule(f"FREQ=WEEKLY;BYDAY={byday};BYHOUR=9;BYMINUTE=0;BYSECOND=0", date(2026, 1, 1), holidays, SHANGHAI)


def test_a_monday_meeting_in_spring_festival_moves_to_the_first_working_day_once() -> None:
    assert days(weekly("MO"), local(2026, 2, 9), local(2026, 3, 3)) == ["02-09 09:00", "02-24 09:00", "03-02 09:00"]


def test_a_rule_may_skip_or_keep_a_holiday_instead() -> None:
    assert days(weekly("MO", HolidayHandling.SKIP), local(2026, 2, 9), local(2026, 3, 3)) == [
        "02-09 09:00",
        "03-02 09:00",
    ]
    kept = days(weekly("MO", HolidayHandling.KEEP), local(2026, 2, 9), local(2026, 3, 3))
    assert kept == ["02-09 09:00", "02-16 09:00", "02-23 09:00", "03-02 09:00"]


def test_make_up_working_days_count_as_working_days() -> None:
    assert days(weekly("TH"), local(2026, 1, 1), local(2026, 1, 9)) == ["01-04 09:00", "01-08 09:00"]
    saturdays = days(weekly("SA"), local(2026, 2, 13), local(2026, 3, 1))
    assert saturdays[0] == "02-14 09:00" and saturdays[-1] == "02-28 09:00", "make-up Saturdays are kept"
    assert "02-24 09:00" in saturdays, "the holiday Saturday moves to the first working day"


def test_national_day_moves_a_thursday_meeting_to_the_eighth() -> None:
    assert days(weekly("TH"), local(2026, 9, 30), local(2026, 10, 16)) == ["10-08 09:00", "10-15 09:00"]
    assert WorkCalendar().is_workday(date(2026, 9, 20)) and WorkCalendar().is_workday(date(2026, 10, 10))


def test_monthly_on_the_first_monday_and_quarterly_and_half_yearly() -> None:
    first_monday = Schedule("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9", date(2026, 1, 1), HolidayHandling.MOVE, SHANGHAI)
    assert days(first_monday, local(2026, 5, 1), local(2026, 7, 1)) == ["05-06 09:00", "06-01 09:00"]
    quarterly = Schedule(
        "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=5;BYHOUR=15", date(2026, 1, 1), HolidayHandling.MOVE, SHANGHAI
    )
    assert days(quarterly, local(2026, 1, 1), local(2027, 1, 1)) == [
        "01-05 15:00",
        "04-07 15:00",
        "07-05 15:00",
        "10-08 15:00",
    ]
    drills = Schedule(
        "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=15;BYHOUR=9", date(2026, 1, 1), HolidayHandling.MOVE, SHANGHAI
    )
    assert days(drills, local(2026, 1, 1), local(2027, 1, 1)) == ["06-15 09:00", "12-15 09:00"]


def test_a_year_nobody_knows_yet_is_plain_weekdays_and_weekends_and_is_remembered() -> None:
    calendar = WorkCalendar()
    assert days(weekly("FR"), local(2027, 1, 1), local(2027, 1, 9), calendar) == ["01-01 09:00", "01-08 09:00"]
    assert calendar.unknown_years == {2027}


def test_a_loaded_holiday_file_fills_the_year() -> None:
    loaded = {date(2027, 1, 1): (True, "元旦"), date(2027, 1, 2): (True, "元旦"), date(2027, 1, 9): (False, "元旦")}
    calendar = WorkCalendar(loaded)
    assert days(weekly("FR"), local(2027, 1, 1), local(2027, 1, 9), calendar) == ["01-04 09:00", "01-08 09:00"]
    assert calendar.is_workday(date(2027, 1, 9)) and calendar.unknown_years == set()


def test_the_2026_file_agrees_with_the_package() -> None:
    data = json.loads((HOLIDAY_FILES / "2026.json").read_text(encoding="utf-8"))
    package = WorkCalendar()
    for day in data["days"]:
        assert package.day(date.fromisoformat(day["date"])).off == day["isOffDay"], day


def test_a_bad_rrule_is_refused_and_one_without_a_future_has_no_next() -> None:
    with pytest.raises(DomainError):
        Schedule("FREQ=SOMETIMES", date(2026, 1, 1), HolidayHandling.MOVE, SHANGHAI).occurrences(
            local(2026, 1, 1), local(2026, 2, 1), WorkCalendar()
        )
    ended = Schedule(f"{MONDAYS_AT_9};UNTIL=20260301T000000", date(2026, 1, 1), HolidayHandling.MOVE, SHANGHAI)
    assert ended.next_after(local(2026, 11, 29), WorkCalendar()) is None


def a_rule(rrule: str = MONDAYS_AT_9, version: int = 0) -> ReminderRule:
    return ReminderRule(
        id=7, township_id=1, kind=RuleKind.WEEKLY_MEETING, title="周例会", rrule=rrule, starts_on=date(2026, 1, 1),
        holidays=HolidayHandling.MOVE, audience=[], leads=[60], status=RuleStatus.ACTIVE, version=version,
        created_at=local(2026, 1, 1), updated_at=local(2026, 1, 1),
    )  # fmt: skip


@given(
    start=st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 1)),
    steps=st.lists(st.integers(0, 3 * 24 * 60), min_size=1, max_size=6),
    length=st.integers(1, 20 * 24 * 60),
)
def test_occurrences_held_in_memory_are_those_the_schedule_works_out(
    start: datetime, steps: list[int], length: int
) -> None:
    """Windows moving forward as the sweeps' do, some longer than what is held: always the schedule's answer."""
    rule, calendar = a_rule(), WorkCalendar()
    since = start.replace(tzinfo=SHANGHAI)
    for step in steps:
        since += timedelta(minutes=step)
        until = since + timedelta(minutes=length)
        assert occurrences_of(rule, SHANGHAI, since, until, calendar) == schedule_of(rule, SHANGHAI).occurrences(
            since, until, calendar
        )


def test_a_changed_rule_is_worked_out_again_and_unknown_years_are_still_noticed() -> None:
    since = local(2027, 1, 1)
    first = WorkCalendar()
    assert [w.happens_at for w in occurrences_of(a_rule(), SHANGHAI, since, local(2027, 1, 20), first)]
    assert first.unknown_years == {2027}
    again = WorkCalendar()
    occurrences_of(a_rule(), SHANGHAI, since, local(2027, 1, 20), again)
    assert again.unknown_years == {2027}, "read from memory, the year the calendar did not know is still told"
    other = a_rule(version=5)
    occurrences_of(other, SHANGHAI, since, local(2027, 1, 20), first)
    fresh = WorkCalendar()
    occurrences_of(other, SHANGHAI, since, local(2027, 1, 20), fresh)
    assert fresh.unknown_years == {2027}, "worked out with a calendar that knew already, the year is still kept"
    daily = "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"
    changed = occurrences_of(a_rule(daily, version=1), SHANGHAI, since, local(2027, 1, 8), WorkCalendar())
    assert len(changed) == 7
