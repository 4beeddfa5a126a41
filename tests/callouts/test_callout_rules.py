"""Call-outs' pure rules: availability says and when they lapse, the answers' transition table, and the words
/available understands."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from gridguard.callouts.callout_desk import Pause, parse_availability, pause_until
from gridguard.callouts.callout_lifecycle import ANSWER_TRANSITIONS, answers_leading_to, may_change_answer
from gridguard.callouts.callouts import is_available
from gridguard.callouts.enums import CalloutAnswer
from gridguard.kernel.errors import DomainError

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 9, 30, tzinfo=SHANGHAI).astimezone(UTC)


def test_no_say_is_available_and_a_timed_say_turns_into_its_opposite() -> None:
    later, earlier = NOW + timedelta(hours=1), NOW - timedelta(hours=1)
    assert is_available(None, None, NOW)
    assert not is_available(False, None, NOW)
    assert not is_available(False, later, NOW) and is_available(False, earlier, NOW)
    assert is_available(True, later, NOW) and not is_available(True, earlier, NOW)


@pytest.mark.parametrize(
    ("words", "available", "until"),
    [
        ("on", True, None),
        ("关", False, None),
        ("off 至 18:00", False, datetime(2026, 11, 29, 18, 0, tzinfo=SHANGHAI)),
        ("off until 08:00", False, datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)),
        ("开 到 12-01 08:00", True, datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)),
        ("off 2027-01-02 07:30", False, datetime(2027, 1, 2, 7, 30, tzinfo=SHANGHAI)),
        ("暂停 至 18:00", False, datetime(2026, 11, 29, 18, 0, tzinfo=SHANGHAI)),
        ("暂停到明天8:00", False, datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)),
        ("暂停 至 明天 8点半", False, datetime(2026, 11, 30, 8, 30, tzinfo=SHANGHAI)),
        ("暂停 至 今天 21:00", False, datetime(2026, 11, 29, 21, 0, tzinfo=SHANGHAI)),
        ("不接收 直到 后天 7:00", False, datetime(2026, 12, 1, 7, 0, tzinfo=SHANGHAI)),
        ("恢复", True, None),
        ("不在", False, None),
        ("off until tomorrow 06:00", False, datetime(2026, 11, 30, 6, 0, tzinfo=SHANGHAI)),
    ],
)
def test_available_understands_on_off_and_until(words: str, available: bool, until: datetime | None) -> None:
    assert parse_availability(words, NOW, SHANGHAI) == (available, until)


@pytest.mark.parametrize(
    ("words", "until"),
    [
        ("off until 01-02 08:00", datetime(2027, 1, 2, 8, 0, tzinfo=SHANGHAI)),
        ("off until 12-31 08:00", datetime(2026, 12, 31, 8, 0, tzinfo=SHANGHAI)),
        ("off until 02-29 08:00", datetime(2028, 2, 29, 8, 0, tzinfo=SHANGHAI)),
    ],
)
def test_a_month_day_without_its_year_is_the_next_such_date(words: str, until: datetime) -> None:
    on_30_december = datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI).astimezone(UTC)
    now = on_30_december if until.month == 1 else NOW
    assert parse_availability(words, now, SHANGHAI) == (False, until)


@pytest.mark.parametrize(
    "words",
    [
        "",
        "maybe",
        "off 至 明天",
        "暂停 至 今天 8:00",
        "暂停 至 明天 25:00",
        "暂停 至 明天 ０８:００",
        "暂停一下",
        "on until 25:00",
        "off until 08:³⁰",
        "off until ０８:３０",
        "off until ٠٨:٣٠",
        "off until 0001-01-01 00:00",
        "off until 9999-12-31 23:59",
        "off until 02-30 08:00",
    ],
)
def test_available_refuses_what_it_cannot_read(words: str) -> None:
    with pytest.raises(DomainError):
        parse_availability(words, NOW, SHANGHAI)


def test_the_answer_table_never_returns_to_asked_and_arrived_is_final() -> None:
    assert all(CalloutAnswer.ASKED not in allowed for allowed in ANSWER_TRANSITIONS.values())
    assert ANSWER_TRANSITIONS[CalloutAnswer.ARRIVED] == frozenset()
    for answer in CalloutAnswer:
        assert all(may_change_answer(current, answer) for current in answers_leading_to(answer))
        assert not may_change_answer(answer, answer), "pressing the same answer again changes nothing"


def test_each_pause_button_lapses_when_it_says() -> None:
    assert pause_until(Pause.OPEN, NOW, SHANGHAI) is None
    assert pause_until(Pause.TWO_HOURS, NOW, SHANGHAI) == NOW + timedelta(hours=2)
    assert pause_until(Pause.EIGHT_HOURS, NOW, SHANGHAI) == NOW + timedelta(hours=8)
    assert pause_until(Pause.TILL_MORNING, NOW, SHANGHAI) == datetime(2026, 11, 30, 8, 0, tzinfo=SHANGHAI)
