"""The metrics the delivery worker feeds: delivery latency from the row falling due, 429s, reminders by kind."""

from datetime import UTC, datetime, timedelta

from bot.metrics import Metrics
from gridguard.delivery.outbox import Claimed

DUE = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


def row(dedupe_key: str) -> Claimed:
    return Claimed(1, 42, None, None, 1, {"text": "x"}, 0, 0, dedupe_key=dedupe_key, queued_at=DUE)


def test_sends_are_timed_from_falling_due_and_reminders_counted_by_kind() -> None:
    metrics = Metrics()
    for key in ("remind:7:20261130T0100Z:day:3", "duty-hour:5:primary:202611301000:9", "duty-evening:5:primary:1:9",
                "report:3:card:12"):  # fmt: skip
        metrics.sent(row(key), DUE + timedelta(seconds=2))
    metrics.flood_wait(row("report:3:card:13"), 5)
    sample = metrics.registry.get_sample_value
    assert sample("gridguard_reminders_sent_total", {"kind": "schedule"}) == 1
    assert sample("gridguard_reminders_sent_total", {"kind": "duty"}) == 2
    assert sample("gridguard_delivery_seconds_count") == 4 and sample("gridguard_delivery_seconds_sum") == 8
    assert sample("gridguard_telegram_429_total") == 1
