"""Onboarding by invite: create a deep-link token, check it, redeem it."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.directory import descendants, has_grids, path_ids, unit_path
from gridguard.directory.enums import Role
from gridguard.directory.members import MemberProfile, add_member, find_member
from gridguard.directory.permissions import (
    ROLE_LEVELS,
    Action,
    invite_roots,
    may,
    role_fits_unit,
    roles_grantable_by,
)
from gridguard.directory.tables import Invite, InviteRedemption, Member, RoleAssignment, Unit
from gridguard.kernel.errors import DomainError, NotAllowed
from gridguard.kernel.numbers import whole_number
from i18n import Keys

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_USES = 1000
MAX_DAYS = 90


@dataclass(frozen=True)
class InviteSpec:
    unit: Unit
    role: Role
    max_uses: int
    days: int


INVITE_PROBLEMS = Keys("invite.{}", ("malformed", "unknown", "expired", "used_up", "needs_registration"))


class InviteProblem(DomainError):
    """Why an invite can't be used: malformed, unknown, expired or used up."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(INVITE_PROBLEMS(reason), **params)
        self.reason = reason


def parse_invite_arguments(args: str, default_days: int, usage: DomainError) -> tuple[str, Role, int, int]:
    """`CODE ROLE [USES] [DAYS]`: numbers are ASCII digits within the limits; `usage` for anything else."""
    parts = args.split()
    if not 2 <= len(parts) <= 4 or parts[1] not in {r.value for r in Role}:
        raise usage
    uses = whole_number(parts[2], 1, MAX_USES, DomainError("invite.bad_uses", limit=MAX_USES)) if len(parts) > 2 else 1
    days = (
        whole_number(parts[3], 1, MAX_DAYS, DomainError("invite.bad_days", limit=MAX_DAYS))
        if len(parts) > 3
        else default_days
    )
    return parts[0], Role(parts[1]), uses, days


def new_token() -> str:
    """24 characters of A-Z a-z 0-9 _ -: 144 random bits."""
    return secrets.token_urlsafe(18)


async def create_invite(
    session: AsyncSession,
    actor: MemberProfile,
    spec: InviteSpec,
    now: datetime,
) -> Invite:
    if not 1 <= spec.max_uses <= MAX_USES:
        raise DomainError("invite.bad_uses", limit=MAX_USES)
    if not 1 <= spec.days <= MAX_DAYS:
        raise DomainError("invite.bad_days", limit=MAX_DAYS)
    await check_invitable(session, actor, spec.unit, spec.role)
    assert spec.unit.id is not None
    invite = Invite(
        token=new_token(),
        unit_id=spec.unit.id,
        role=spec.role,
        max_uses=spec.max_uses,
        expires_at=now + timedelta(days=spec.days),
        created_by_member_id=actor.id,
        created_at=now,
    )
    session.add(invite)
    await session.flush()
    return invite


@dataclass(frozen=True)
class InviteOffer:
    invite_id: int
    role: Role
    unit: Unit
    unit_path_names: tuple[str, ...]


async def _find_invite(session: AsyncSession, token: str) -> Invite:
    if not TOKEN_PATTERN.fullmatch(token):
        raise InviteProblem("malformed")
    invite = (await session.exec(select(Invite).where(Invite.token == token))).first()
    if invite is None:
        raise InviteProblem("unknown")
    return invite


async def _offer(session: AsyncSession, invite: Invite) -> InviteOffer:
    unit = await session.get(Unit, invite.unit_id)
    assert unit is not None and invite.id is not None
    path = await unit_path(session, unit)
    return InviteOffer(invite.id, invite.role, unit, tuple(u.name for u in path))


def _ensure_usable(invite: Invite, now: datetime) -> None:
    if invite.expires_at <= now:
        raise InviteProblem("expired")
    if invite.uses >= invite.max_uses:
        raise InviteProblem("used_up")


async def check_invite(session: AsyncSession, token: str, now: datetime) -> InviteOffer:
    """What the token offers, or an InviteProblem saying why it can't be used."""
    invite = await _find_invite(session, token)
    _ensure_usable(invite, now)
    return await _offer(session, invite)


async def _holds_role(session: AsyncSession, member: Member, offer: InviteOffer) -> bool:
    query = select(RoleAssignment).where(
        RoleAssignment.member_id == member.id,
        RoleAssignment.unit_id == offer.unit.id,
        RoleAssignment.role == offer.role,
    )
    return (await session.exec(query)).first() is not None


@dataclass(frozen=True)
class Redemption:
    offer: InviteOffer
    member: Member
    new_member: bool
    already_had_role: bool


async def _consume_use(session: AsyncSession, invite_id: int) -> None:
    """Take one use atomically, so two people racing for the last use can't both win."""
    result = await session.exec(
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.uses) < col(Invite.max_uses))
        .values(uses=col(Invite.uses) + 1)
    )
    if result.rowcount != 1:
        raise InviteProblem("used_up")


async def redeem_invite(
    session: AsyncSession,
    token: str,
    telegram_id: int,
    now: datetime,
    name: str | None = None,
    phone: str | None = None,
    language: str = "zh",
) -> Redemption:
    """Give the invite's role to the user, registering them first when `name` is given.

    A member who already holds the role is told so, even once the invite is used up or expired.
    """
    invite = await _find_invite(session, token)
    offer = await _offer(session, invite)
    member = await find_member(session, telegram_id)
    if member is not None and await _holds_role(session, member, offer):
        return Redemption(offer, member, new_member=False, already_had_role=True)
    _ensure_usable(invite, now)
    new_member = member is None
    if member is None:
        if name is None:
            raise InviteProblem("needs_registration")
        member = await add_member(session, telegram_id, name, phone, language, now)
    assert member.id is not None and offer.unit.id is not None
    await _consume_use(session, offer.invite_id)
    session.add(RoleAssignment(member_id=member.id, unit_id=offer.unit.id, role=offer.role, created_at=now))
    session.add(InviteRedemption(invite_id=offer.invite_id, member_id=member.id, created_at=now))
    await session.flush()
    return Redemption(offer, member, new_member=new_member, already_had_role=False)


async def check_invitable(session: AsyncSession, actor: MemberProfile, unit: Unit, role: Role) -> None:
    """The actor may invite someone to `role` on `unit`, and the role may sit there; else DomainError."""
    assert unit.id is not None
    if not may(actor, Action.INVITE, await path_ids(session, unit), granted_role=role):
        raise NotAllowed()
    if not role_fits_unit(role, unit.level, await has_grids(session, unit.id)):
        raise DomainError("invite.role_does_not_fit", role=role.value, unit=unit.name)


async def invitable_units(session: AsyncSession, actor: MemberProfile, role: Role) -> list[Unit]:
    """Units of the actor's own township(s) where `role` may sit (empty for an admin: they type a code)."""
    if role not in roles_grantable_by(actor):
        raise NotAllowed()
    roots = invite_roots(actor, role)
    units = await descendants(session, roots, ROLE_LEVELS[role])
    return [u for u in units if u.id is not None and role_fits_unit(role, u.level, await has_grids(session, u.id))]


SYSTEM_ACTOR = MemberProfile(None, 0, "system", None, "en", (), is_admin=True)


async def enroll(
    session: AsyncSession,
    telegram_id: int,
    name: str,
    role: Role,
    unit: Unit,
    now: datetime,
    language: str = "zh",
) -> Member:
    """Register a member with a role as the system would (demo seeding, tests): a one-use invite, redeemed."""
    invite = await create_invite(session, SYSTEM_ACTOR, InviteSpec(unit, role, 1, 1), now)
    redemption = await redeem_invite(session, invite.token, telegram_id, now, name=name, language=language)
    return redemption.member
