"""The one token bucket: the outbox's limits, the per-user flood throttle and the fake Bot API's limits use it."""

from collections.abc import Callable

EPSILON = 1e-9
"""Tolerance for a bucket that is full up to floating-point rounding."""


class TokenBucket:
    """`rate` tokens a second up to `capacity`, on the clock given (monotonic seconds; tests pass a virtual one)."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float]) -> None:
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock()

    def refill(self) -> float:
        """The tokens there are now."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens

    @property
    def full(self) -> bool:
        return self.refill() >= self.capacity - EPSILON

    def wait_time(self) -> float:
        """0 if a token is free now, otherwise the seconds until one is."""
        tokens = self.refill()
        return 0.0 if tokens >= 1 - EPSILON else (1 - tokens) / self.rate

    def take(self) -> None:
        self.refill()
        self.tokens -= 1

    def try_take(self) -> bool:
        """Take a token if one is free now."""
        if self.wait_time() > 0:
            return False
        self.tokens -= 1
        return True
