"""What an administrator does from the server's command line (`python -m bot import-units|add-grid|invite`): each a
use case with its own transaction, as the chat's desks are."""

from collections.abc import Sequence
from dataclasses import dataclass

from gridguard.db.database import Database
from gridguard.directory.directory import DivisionRow, ImportReport, add_grid, find_unit, import_divisions, unit_path
from gridguard.directory.enums import Role
from gridguard.directory.invites import SYSTEM_ACTOR, InviteSpec, create_invite
from gridguard.directory.places import place_label
from gridguard.directory.tables import Invite, Unit
from gridguard.kernel.clock import Clock


async def import_division_list(db: Database, rows: Sequence[DivisionRow], clock: Clock) -> ImportReport:
    """The official division list, imported again idempotently: new units added, renamed ones renamed."""
    async with db.transaction() as session:
        return await import_divisions(session, rows, clock.now())


@dataclass(frozen=True)
class GridAdded:
    grid: Unit
    village: Unit


async def add_grid_at(db: Database, village_code: str, name: str, clock: Clock) -> GridAdded:
    async with db.transaction() as session:
        village = await find_unit(session, village_code)
        return GridAdded(await add_grid(session, village, name, clock.now()), village)


@dataclass(frozen=True)
class ServerInvite:
    invite: Invite
    place: str
    """Where the invite is to, as a path of names."""


async def invite_at(db: Database, unit_code: str, role: Role, uses: int, days: int, clock: Clock) -> ServerInvite:
    """An invite made by the system itself (no member invites: the first head is invited this way)."""
    async with db.transaction() as session:
        unit = await find_unit(session, unit_code)
        created = await create_invite(session, SYSTEM_ACTOR, InviteSpec(unit, role, uses, days), clock.now())
        return ServerInvite(created, place_label([u.name for u in await unit_path(session, unit)]))
