"""The Telegram edge: one Router per capability, built fresh for every Dispatcher."""

from aiogram import Router

from gridguard.telegram import common, fallback, guards
from gridguard.telegram.filters_on_loop import run_filters_on_loop
from gridguard.telegram.registry import edges


def build_routers() -> list[Router]:
    """Routers in the order they are tried: the guards, the edge's own commands, every capability's (by rank),
    and the fallback last. Their filters are checked on the event loop (`filters_on_loop`)."""
    routers = [
        guards.router(),
        common.router(),
        *(make() for edge in edges() for make in edge.routers),
        fallback.router(),
    ]
    for router in routers:
        run_filters_on_loop(router)
    return routers
