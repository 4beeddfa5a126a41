"""Who a report reaches at each escalation step, and the township's own timeouts."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.permissions import CALLER_ROLES, STEP_ROLES
from gridguard.directory.places import ReportUnits
from gridguard.directory.tables import Member, RoleAssignment, StationGroup, Unit
from gridguard.reports.tables import PolicyOverride, Report


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    member_id: int | None
    language: str


@dataclass(frozen=True)
class Audience:
    """Who a report can reach at each step, and the township's own timeouts. A value shared through the
    directory cache: read it, never change it."""

    by_step: Mapping[int, tuple[Recipient, ...]]
    overrides: Mapping[int, int]
    primary_id: int | None = None
    """In a township with a duty roster: the primary on duty, whom step 1 reaches instead of every on-duty member."""
    backup: tuple[Recipient, ...] = ()
    """The backup on duty, reached when step 1's own timeout passes unanswered."""
    callers: frozenset[int] = frozenset()
    """The township's members who may call out volunteers: their cards of a critical report offer it."""


async def audience(session: AsyncSession, units: ReportUnits, severity: str, default_language: str) -> Audience:
    """Step 0 the village's safety officers; 1 the township's on-duty members and group; 2 its heads; 3 the county."""
    step_units = {0: units.village_id, 1: units.township_id, 2: units.township_id, 3: units.county_id}
    wanted = [(STEP_ROLES[step], unit_id) for step, unit_id in step_units.items() if unit_id is not None]
    wanted += [(role, units.township_id) for role in CALLER_ROLES]
    query = (
        select(Member, RoleAssignment)
        .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(
            tuple_(col(RoleAssignment.role), col(RoleAssignment.unit_id)).in_(wanted),
            col(Member.unreachable_since).is_(None),
        )
        .order_by(col(Member.id))
    )
    held = {(ra.role, ra.unit_id, m.id): m for m, ra in (await session.exec(query)).all()}
    by_step: dict[int, tuple[Recipient, ...]] = {}
    for step, unit_id in step_units.items():
        role = STEP_ROLES[step]
        by_step[step] = tuple(
            Recipient(m.telegram_id, m.id, m.language) for (r, u, _), m in held.items() if r == role and u == unit_id
        )
    group = (await session.exec(select(StationGroup).where(StationGroup.township_id == units.township_id))).first()
    if group is not None:
        by_step[1] += (Recipient(group.chat_id, None, default_language),)
    overrides = await township_overrides(session, units.township_id, severity)
    callers = frozenset(
        m.id for (r, u, _), m in held.items() if m.id is not None and r in CALLER_ROLES and u == units.township_id
    )
    return Audience(MappingProxyType(by_step), MappingProxyType(overrides), callers=callers)


async def units_of(session: AsyncSession, report: Report) -> ReportUnits:
    township = await session.get(Unit, report.township_id)
    return ReportUnits(report.village_id, report.township_id, township.parent_id if township else None)


async def township_overrides(session: AsyncSession, township_id: int, severity: str) -> dict[int, int]:
    query = select(PolicyOverride).where(PolicyOverride.township_id == township_id, PolicyOverride.severity == severity)
    return {o.step: o.seconds for o in (await session.exec(query)).all()}
