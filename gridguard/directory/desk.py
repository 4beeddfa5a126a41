"""The directory's use cases, in the shape of the other desks: each opens its one transaction and takes its one
`now`; a refusal is a DomainError raised inside it, so it changes nothing. Invites (by a code typed or a unit
pressed), registering with an invite, grids added from the chat, a member's language."""

from dataclasses import dataclass

from gridguard.db.database import Database
from gridguard.directory.directory import find_unit, get_unit, unit_labels, unit_path
from gridguard.directory.enums import Role
from gridguard.directory.grids import add_grid_as, village_for_grids, villages_for_grids
from gridguard.directory.invites import (
    InviteOffer,
    InviteSpec,
    Redemption,
    check_invitable,
    check_invite,
    create_invite,
    invitable_units,
    redeem_invite,
)
from gridguard.directory.members import MemberProfile, load_profile, set_language
from gridguard.directory.tables import Invite, Unit
from gridguard.kernel.clock import Clock


@dataclass(frozen=True)
class CreatedInvite:
    invite: Invite
    path_names: list[str]
    """The unit's path, top first, as the link's message names it."""


@dataclass(frozen=True)
class UnitChoices:
    units: list[Unit]
    labels: dict[int, str]


@dataclass(frozen=True)
class Registered:
    redemption: Redemption
    profile: MemberProfile


class DirectoryDesk:
    def __init__(self, db: Database, clock: Clock, admin_ids: frozenset[int] = frozenset()) -> None:
        self.db, self.clock, self.admin_ids = db, clock, admin_ids

    # --- invites --------------------------------------------------------------------------------

    async def invite(
        self, member: MemberProfile, role: Role, uses: int, days: int, *, code: str = "", unit_id: int = 0
    ) -> CreatedInvite:
        """An invite to `role` on the unit named by its code or id (refused where the member may not invite)."""
        async with self.db.transaction() as session:
            unit = await find_unit(session, code) if code else await get_unit(session, unit_id)
            invite = await create_invite(session, member, InviteSpec(unit, role, uses, days), self.clock.now())
            return CreatedInvite(invite, [u.name for u in await unit_path(session, unit)])

    async def invitable(self, member: MemberProfile, role: Role) -> UnitChoices:
        """The units of the member's own township(s) where `role` may sit."""
        async with self.db.reading() as session:
            units = await invitable_units(session, member, role)
            return UnitChoices(units, await unit_labels(session, units))

    async def invitable_unit(self, member: MemberProfile, role: Role, *, code: str = "", unit_id: int = 0) -> Unit:
        """The unit pressed or typed, if the member may invite someone to `role` there."""
        async with self.db.reading() as session:
            unit = await find_unit(session, code) if code else await get_unit(session, unit_id)
            await check_invitable(session, member, unit, role)
            return unit

    async def offer(self, token: str) -> InviteOffer:
        """What an invite link offers (refused if it is unknown, expired or used up)."""
        async with self.db.reading() as session:
            return await check_invite(session, token, self.clock.now())

    async def redeem(self, token: str, telegram_id: int) -> Redemption:
        """A registered member opens another invite: the role is added."""
        async with self.db.transaction() as session:
            return await redeem_invite(session, token, telegram_id, self.clock.now())

    async def register(self, token: str, telegram_id: int, name: str, phone: str | None, language: str) -> Registered:
        """A newcomer registers with the invite's role, in one transaction; who they are now."""
        async with self.db.transaction() as session:
            redemption = await redeem_invite(
                session, token, telegram_id, self.clock.now(), name=name, phone=phone, language=language
            )
            profile = await load_profile(session, telegram_id, self.admin_ids)
            assert profile is not None
            return Registered(redemption, profile)

    # --- grids and language ---------------------------------------------------------------------

    async def grid_villages(self, member: MemberProfile) -> UnitChoices:
        async with self.db.reading() as session:
            villages = await villages_for_grids(session, member)
            return UnitChoices(villages, await unit_labels(session, villages))

    async def grid_village(self, member: MemberProfile, *, code: str = "", unit_id: int = 0) -> Unit:
        """The village pressed or typed, if the member may add grids there."""
        async with self.db.reading() as session:
            unit = await find_unit(session, code) if code else await get_unit(session, unit_id)
            return await village_for_grids(session, member, unit)

    async def add_grid(self, member: MemberProfile, village_code: str, name: str) -> tuple[Unit, Unit]:
        """A grid under the village; the grid and the village."""
        async with self.db.transaction() as session:
            village = await find_unit(session, village_code)
            return await add_grid_as(session, member, village, name, self.clock.now()), village

    async def set_language(self, member_id: int, language: str) -> None:
        async with self.db.transaction() as session:
            await set_language(session, member_id, language)
