"""Values worked out once and kept in memory, bounded: past `limit` entries the store starts again rather than grow
(what is kept is cheap to work out again; an unbounded key, such as a rule's version, cannot fill memory)."""

from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Held(Generic[Value]):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: dict[Hashable, Value] = {}

    def get(self, key: Hashable) -> Value | None:
        return self._values.get(key)

    def keep(self, key: Hashable, value: Value) -> Value:
        if len(self._values) >= self.limit:
            self._values.clear()
        self._values[key] = value
        return value
