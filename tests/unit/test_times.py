"""Times are shown in the deployment's zone, whatever zone they were stored in."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.times import local_time, time_of_day


def test_a_utc_moment_reads_in_the_deployment_zone() -> None:
    stored = datetime(2026, 11, 29, 18, 5, tzinfo=UTC)
    assert local_time(stored, ZoneInfo("Asia/Shanghai")) == "11-30 02:05"
    assert time_of_day(stored, ZoneInfo("Asia/Shanghai")) == "02:05"
    assert local_time(stored, ZoneInfo("Europe/Berlin")) == "11-29 19:05"
