"""Each update's trace for the logs (bot/logs.py writes it into every line): its id, sender and type, and the
handler a router picked. Apart from the formatters, so that commands that never see an update import no aiogram."""

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError

from gridguard.kernel.log_context import UpdateTrace, current_update


def update_type(update: object) -> str:
    """message, callback_query, …; "unknown" for a kind this aiogram does not know."""
    try:
        return update.event_type if isinstance(update, Update) else "unknown"
    except UpdateTypeLookupError:
        return "unknown"


Handler = Callable[[Any, dict[str, Any]], Awaitable[Any]]


async def trace_update(handler: Handler, event: Any, data: dict[str, Any]) -> Any:
    """Outer middleware: what follows in this update's task logs its id, sender and type."""
    user = data.get("event_from_user")
    kind = update_type(event)
    current_update.set(UpdateTrace(getattr(event, "update_id", 0), user.id if user else None, kind))
    return await handler(event, data)


async def name_handler(handler: Handler, event: Any, data: dict[str, Any]) -> Any:
    """Inner middleware: the handler a router picked, by its module and name."""
    trace, picked = current_update.get(), data.get("handler")
    callback = getattr(picked, "callback", None)
    if trace is not None and callback is not None:
        trace.handler = f"{callback.__module__}.{callback.__qualname__}"
    return await handler(event, data)
