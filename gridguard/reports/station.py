"""The station's own settings: its group chat (/linkgroup) and its escalation timeouts (/policy)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import STEP_ROLES, Action, units_for
from gridguard.directory.tables import StationGroup, Unit
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import DomainError, NotAllowed
from gridguard.kernel.numbers import decimal_number, whole_number
from gridguard.reports.audience import township_overrides
from gridguard.reports.enums import Severity
from gridguard.reports.policy import SEVERITIES, Policy
from gridguard.reports.tables import PolicyOverride

MAX_STEP = max(STEP_ROLES)
MAX_MINUTES = 7 * 24 * 60
"""Nobody means a week; anything longer is a typo, refused before the policy's own bounds are checked."""


async def own_township(session: AsyncSession, actor: MemberProfile, action: Action) -> Unit:
    """The township whose station the actor heads (one, or they must say which)."""
    townships = set(units_for(actor, action))
    if not townships:
        raise NotAllowed()
    if len(townships) > 1:
        raise DomainError("station.several_townships")
    unit = await session.get(Unit, townships.pop())
    assert unit is not None
    return unit


async def link_group(session: AsyncSession, actor: MemberProfile, chat_id: int, chat_type: str, now: datetime) -> Unit:
    """Make this group the station's duty group. A group serves one station: its cards and its duty step belong
    to one township, so a group another township already linked is refused (that station must unlink it)."""
    if chat_type not in ("group", "supergroup"):
        raise DomainError("station.link_in_group")
    township = await own_township(session, actor, Action.LINK_GROUP)
    assert township.id is not None
    taken = (await session.exec(select(StationGroup).where(StationGroup.chat_id == chat_id))).first()
    if taken is not None and taken.township_id != township.id:
        other = await session.get(Unit, taken.township_id)
        raise DomainError("station.group_taken", township=other.name if other else "?")
    link = (await session.exec(select(StationGroup).where(StationGroup.township_id == township.id))).first()
    if link is None:
        link = StationGroup(township_id=township.id, chat_id=chat_id, linked_by_id=actor.id, created_at=now)
    else:
        link.chat_id, link.linked_by_id = chat_id, actor.id
    session.add(link)
    return township


async def township_timelines(
    session: AsyncSession, actor: MemberProfile, policy: Policy
) -> tuple[Unit, dict[Severity, list[tuple[int, int, bool]]]]:
    """Per severity: (step, seconds, is this township's own value)."""
    township = await own_township(session, actor, Action.SET_POLICY)
    assert township.id is not None
    timelines = {}
    for severity in SEVERITIES:
        own = await township_overrides(session, township.id, severity)
        timelines[severity] = [(step, seconds, step in own) for step, seconds in policy.timeline(severity, own)]
    return township, timelines


@dataclass(frozen=True)
class TimeoutChange:
    severity: Severity
    step: int
    seconds: int


def parse_timeout_change(args: str, severity_names: dict[str, Severity]) -> TimeoutChange:
    """`SEVERITY STEP MINUTES`, the severity by key or by its name in any language (major, 重大)."""
    usage = DomainError("policy.usage")
    parts = args.split()
    if len(parts) != 3:
        raise usage
    severity = severity_names.get(parts[0].casefold())
    if severity is None:
        raise usage
    step = whole_number(parts[1], 0, MAX_STEP, usage)
    minutes = decimal_number(parts[2], Decimal(0), Decimal(MAX_MINUTES), usage)
    return TimeoutChange(severity, step, int(minutes * 60))


async def set_timeout(session: AsyncSession, actor: MemberProfile, policy: Policy, change: TimeoutChange) -> Unit:
    severity, step, seconds = change.severity, change.step, change.seconds
    policy.check_override(severity, step, seconds)
    township = await own_township(session, actor, Action.SET_POLICY)
    assert township.id is not None
    query = select(PolicyOverride).where(
        PolicyOverride.township_id == township.id, PolicyOverride.severity == severity, PolicyOverride.step == step
    )
    override = (await session.exec(query)).first() or PolicyOverride(
        township_id=township.id, severity=severity, step=step, seconds=seconds
    )
    override.seconds = seconds
    session.add(override)
    return township


class StationDesk:
    """The station's settings as use cases: link its group chat, set and read its escalation timeouts."""

    def __init__(self, db: Database, clock: Clock, policy: Policy) -> None:
        self.db, self.clock, self.policy = db, clock, policy

    async def link_group(self, member: MemberProfile, chat_id: int, chat_type: str) -> Unit:
        async with self.db.transaction() as session:
            return await link_group(session, member, chat_id, chat_type, self.clock.now())

    async def set_timeout(self, member: MemberProfile, change: TimeoutChange) -> Unit:
        async with self.db.transaction() as session:
            return await set_timeout(session, member, self.policy, change)

    async def timelines(self, member: MemberProfile) -> tuple[Unit, dict[Severity, list[tuple[int, int, bool]]]]:
        async with self.db.reading() as session:
            return await township_timelines(session, member, self.policy)
