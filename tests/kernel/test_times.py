"""Times are shown in the deployment's zone, whatever zone they were stored in."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gridguard.kernel.errors import DomainError
from gridguard.kernel.numbers import ascii_digits, clock_minutes, whole_number
from gridguard.kernel.times import local_time, time_of_day


def test_a_utc_moment_reads_in_the_deployment_zone() -> None:
    stored = datetime(2026, 11, 29, 18, 5, tzinfo=UTC)
    assert local_time(stored, ZoneInfo("Asia/Shanghai")) == "11-30 02:05"
    assert time_of_day(stored, ZoneInfo("Asia/Shanghai")) == "02:05"
    assert local_time(stored, ZoneInfo("Europe/Berlin")) == "11-29 19:05"


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("08:30", 510), ("8:30", 510), ("8点30", 510), ("8点", 480), ("8：30", 510), ("23:59", 1439), ("0", 0)],
)
def test_a_typed_time_is_read_in_ascii_digits(typed: str, minutes: int) -> None:
    assert clock_minutes(typed) == minutes


@pytest.mark.parametrize("typed", ["08:³⁰", "²", "０８:３０", "٠٨:٣٠", "24:00", "8:60", "", "8:30:00", "1" * 5000])
def test_a_time_in_other_digits_or_out_of_range_is_refused_without_an_exception(typed: str) -> None:
    assert clock_minutes(typed) is None


@pytest.mark.parametrize("typed", ["²", "1²", "٣", "３", "-1", "1e3", "9" * 5000])
def test_a_typed_whole_number_in_other_digits_is_refused_with_the_given_error(typed: str) -> None:
    with pytest.raises(DomainError) as refused:
        whole_number(typed, 0, 1000, DomainError("callout.ask_needed"))
    assert refused.value.key == "callout.ask_needed"


@pytest.mark.parametrize(
    ("typed", "digits"), [("350524", True), ("３５０５２４", False), ("٣٥٠٥٢٤", False), ("³⁵", False)]
)
def test_a_unit_code_is_digits_0_to_9_only(typed: str, digits: bool) -> None:
    assert ascii_digits(typed) is digits
