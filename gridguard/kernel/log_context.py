"""What a log line is about, carried by context variables so every line inside an update or a send names it.

An outer middleware (bot/logs.trace_update) sets the update's, an inner one its handler; the delivery worker sets
the row's for each send.
bot/logs.JsonFormatter writes them into every JSON line.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class UpdateTrace:
    update_id: int
    user_id: int | None
    kind: str
    handler: str | None = None
    """The handler that took the update (set once a router picks it)."""


@dataclass(frozen=True)
class RowTrace:
    row_id: int
    dedupe_key: str


current_update: ContextVar[UpdateTrace | None] = ContextVar("current_update", default=None)
current_row: ContextVar[RowTrace | None] = ContextVar("current_row", default=None)


def row_fields(row_id: int, dedupe_key: str) -> dict[str, object]:
    """`extra=` for a delivery line logged outside the row's send (a record made later)."""
    return {"row_id": row_id, "dedupe_key": dedupe_key}
