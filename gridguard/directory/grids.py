"""Grids added from the chat: permission-checked wrappers over the directory."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.directory import add_grid, descendants, path_ids
from gridguard.directory.enums import UnitLevel
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, may, units_for
from gridguard.directory.tables import Unit
from gridguard.kernel.errors import DomainError, NotAllowed


async def villages_for_grids(session: AsyncSession, actor: MemberProfile) -> list[Unit]:
    """Villages where the actor may add grids (their own village or their township's)."""
    roots = units_for(actor, Action.ADD_GRID)
    return await descendants(session, roots, [UnitLevel.VILLAGE])


async def village_for_grids(session: AsyncSession, actor: MemberProfile, unit: Unit) -> Unit:
    """`unit`, if it is a village where the actor may add grids; else DomainError."""
    if not may(actor, Action.ADD_GRID, await path_ids(session, unit)):
        raise NotAllowed()
    if unit.level != UnitLevel.VILLAGE:
        raise DomainError("grid.not_a_village", code=unit.code)
    return unit


async def add_grid_as(session: AsyncSession, actor: MemberProfile, village: Unit, name: str, now: datetime) -> Unit:
    if not may(actor, Action.ADD_GRID, await path_ids(session, village)):
        raise NotAllowed()
    return await add_grid(session, village, name, now)
