"""Temporary layers over the roster that another capability holds open — a plan response's 24-hour duty for
every station member and village officer — found by walking the capabilities: each registers `DUTY_OVERLAYS`,
`(session, township_id) -> overlays`, and /duty shows them beside the roster."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.capabilities import registered


@dataclass(frozen=True)
class Overlay:
    title: str
    """What holds it open, as its users name it (防汛防台风应急预案)."""
    level: str
    """Its grade as a numeral (Ⅱ), read the same in every language."""
    drill: bool
    names: tuple[str, ...]
    """Who is on it."""


OverlaySource = Callable[[AsyncSession, int], Awaitable[list[Overlay]]]


async def overlays_of(session: AsyncSession, township_id: int) -> list[Overlay]:
    """Every registered capability's overlays open in the township now."""
    sources: tuple[OverlaySource, ...] = registered("DUTY_OVERLAYS")
    return [overlay for source in sources for overlay in await source(session, township_id)]
