"""The Telegram edge: one Router per capability, built fresh for every Dispatcher."""

from aiogram import Router

from gridguard.telegram import common, fallback, guards
from gridguard.telegram.registry import edges


def build_routers() -> list[Router]:
    """Routers in the order they are tried: the guards, the edge's own commands, every capability's (by rank),
    and the fallback last."""
    return [
        guards.router(),
        common.router(),
        *(make() for edge in edges() for make in edge.routers),
        fallback.router(),
    ]
