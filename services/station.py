"""The station's own settings: its group chat (/linkgroup) and its escalation timeouts (/policy)."""

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import PolicyOverride, StationGroup, Unit
from services.errors import DomainError, NotAllowed
from services.members import MemberProfile
from services.permissions import ACTION_ROLES, Action
from services.policy import SEVERITIES, Policy
from services.reports import township_overrides


async def own_township(session: AsyncSession, actor: MemberProfile, action: Action) -> Unit:
    """The township whose station the actor heads (one, or they must say which)."""
    townships = {r.unit_id for r in actor.roles if r.role in ACTION_ROLES[action]}
    if not townships:
        raise NotAllowed()
    if len(townships) > 1:
        raise DomainError("station.several_townships")
    unit = await session.get(Unit, townships.pop())
    assert unit is not None
    return unit


async def link_group(session: AsyncSession, actor: MemberProfile, chat_id: int, chat_type: str, now: datetime) -> Unit:
    if chat_type not in ("group", "supergroup"):
        raise DomainError("station.link_in_group")
    township = await own_township(session, actor, Action.LINK_GROUP)
    assert township.id is not None
    link = (await session.exec(select(StationGroup).where(StationGroup.township_id == township.id))).first()
    if link is None:
        link = StationGroup(township_id=township.id, chat_id=chat_id, linked_by_id=actor.id, created_at=now)
    else:
        link.chat_id, link.linked_by_id = chat_id, actor.id
    session.add(link)
    return township


async def township_timelines(
    session: AsyncSession, actor: MemberProfile, policy: Policy
) -> tuple[Unit, dict[str, list[tuple[int, int, bool]]]]:
    """Per severity: (step, seconds, is this township's own value)."""
    township = await own_township(session, actor, Action.SET_POLICY)
    assert township.id is not None
    timelines = {}
    for severity in SEVERITIES:
        own = await township_overrides(session, township.id, severity)
        timelines[severity] = [(step, seconds, step in own) for step, seconds in policy.timeline(severity, own)]
    return township, timelines


async def set_timeout(
    session: AsyncSession, actor: MemberProfile, policy: Policy, severity: str, step: int, seconds: int
) -> Unit:
    if severity not in SEVERITIES:
        raise DomainError("policy.usage")
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
