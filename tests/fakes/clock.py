"""A clock tests move by hand."""

import asyncio
from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 2, 1, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class FakeMonotonic:
    """A monotonic clock in seconds for rate limiters under test."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


class VirtualTimer:
    """The delivery worker's timer in tests: sleeping moves the wall clock and the monotonic clock
    (shared with the fake Bot API's rate limits) forward at once, so minutes of sending take milliseconds."""

    def __init__(self, clock: FakeClock, monotonic: FakeMonotonic) -> None:
        self.clock = clock
        self.mono = monotonic
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.mono()

    async def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)
        self.mono.advance(seconds)
        self.slept += seconds
        await asyncio.sleep(0)
