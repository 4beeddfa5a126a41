"""Filters checked on the event loop, not in a worker thread.

aiogram awaits a filter that is a coroutine function or a `Filter`; any other callable — an `F` magic filter, a
`State` given as a filter — it runs with `asyncio.to_thread`, so every such check hands the update to the thread
pool and back, which costs far more than the check (a dictionary lookup, a comparison). Every filter of ours is
cheap and never blocks, so each is wrapped to run in place: same arguments, same answer.
"""

from collections.abc import Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def run_filters_on_loop(router: Router) -> None:
    """Every filter of `router` and of the routers under it, its own and its handlers', checked on the loop."""
    for check in filters_of(router):
        _on_loop(check)


def filters_of(router: Router) -> Iterator[FilterObject]:
    """Every filter of `router` and of the routers under it: each observer's own, then its handlers'."""
    for observer in router.observers.values():
        for handler in [observer._handler, *observer.handlers]:
            yield from handler.filters or []
    for sub_router in router.sub_routers:
        yield from filters_of(sub_router)


def _on_loop(check: FilterObject) -> None:
    if check.awaitable:
        return
    plain = check.callback

    async def checked(*args: Any, **kwargs: Any) -> Any:
        return plain(*args, **kwargs)

    check.callback = checked
    check.awaitable = True
