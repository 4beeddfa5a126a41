"""When a message can't be delivered: mark the member unreachable and tell their station, once."""

import logging
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, enqueue
from gridguard.directory.directory import unit_path
from gridguard.directory.enums import ROLE_NAMES, UnitLevel
from gridguard.directory.permissions import TOLD_OF_UNDELIVERABLE
from gridguard.directory.tables import Member, RoleAssignment, Unit
from i18n import Localizer

log = logging.getLogger("gridguard.delivery")


async def townships_of_member(session: AsyncSession, member_id: int) -> set[int]:
    query = (
        select(Unit)
        .join(RoleAssignment, col(RoleAssignment.unit_id) == Unit.id)
        .where(RoleAssignment.member_id == member_id)
    )
    townships: set[int] = set()
    for unit in (await session.exec(query)).all():
        townships |= await township_of(session, unit)
    return townships


async def township_of(session: AsyncSession, unit: Unit) -> set[int]:
    return {u.id for u in await unit_path(session, unit) if u.level == UnitLevel.TOWNSHIP and u.id is not None}


async def station_heads(session: AsyncSession, township_ids: set[int], excluding: int | None = None) -> list[Member]:
    if not township_ids:
        return []
    query = (
        select(Member)
        .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(
            RoleAssignment.role == TOLD_OF_UNDELIVERABLE,
            col(RoleAssignment.unit_id).in_(township_ids),
            col(Member.unreachable_since).is_(None),
        )
        .distinct()
    )
    return [m for m in (await session.exec(query)).all() if m.id != excluding]


async def _roles_text(session: AsyncSession, member_id: int, i18n: Localizer) -> str:
    query = (
        select(RoleAssignment, Unit)
        .join(Unit, col(Unit.id) == RoleAssignment.unit_id)
        .where(RoleAssignment.member_id == member_id)
    )
    parts = [f"{i18n(ROLE_NAMES(ra.role))} · {unit.name}" for ra, unit in (await session.exec(query)).all()]
    return "；".join(parts)


async def report_unreachable(session: AsyncSession, member_id: int, error: str, now: datetime) -> None:
    """Mark the member unreachable; the first time (per episode) tell their station heads."""
    member = await session.get(Member, member_id)
    if member is None or member.unreachable_since is not None:
        return
    member.unreachable_since = now
    member.unreachable_reason = error[:200]
    session.add(member)
    heads = await station_heads(session, await townships_of_member(session, member_id), excluding=member_id)
    if not heads:
        log.error("member %s is unreachable (%s) and no station head can be told", member_id, error)
    episode = now.strftime("%Y%m%dT%H%M%S")
    for head in heads:
        i18n = Localizer(head.language)
        text = i18n(
            "outbox.unreachable",
            name=member.name,
            roles=await _roles_text(session, member_id, i18n),
            phone=member.phone or i18n("me.no_phone"),
        )
        await enqueue(
            session,
            dedupe_key=f"unreachable:{member_id}:{episode}:{head.id}",
            chat_id=head.telegram_id,
            content=Content(text=text),
            now=now,
            priority=Priority.URGENT,
            member_id=head.id,
        )


async def report_dead(
    session: AsyncSession,
    notification_id: int,
    member_id: int | None,
    unit_id: int | None,
    error: str,
    now: datetime,
) -> None:
    """A notification was given up: tell the station heads concerned (not the recipient themselves)."""
    townships: set[int] = set()
    if member_id is not None:
        townships |= await townships_of_member(session, member_id)
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    if unit is not None:
        townships |= await township_of(session, unit)
    recipient = await session.get(Member, member_id) if member_id is not None else None
    heads = await station_heads(session, townships, excluding=member_id)
    if not heads:
        log.error("notification %s is dead and no station head can be told: %s", notification_id, error)
    for head in heads:
        i18n = Localizer(head.language)
        who = recipient.name if recipient else (unit.name if unit else "?")
        await enqueue(
            session,
            dedupe_key=f"dead:{notification_id}:{head.id}",
            chat_id=head.telegram_id,
            content=Content(text=i18n("outbox.dead", recipient=who, error=error[:300])),
            now=now,
            priority=Priority.URGENT,
            member_id=head.id,
        )


async def mark_reachable(session: AsyncSession, member_id: int) -> None:
    """The member wrote to the bot again: deliveries to them can succeed once more."""
    member = await session.get(Member, member_id)
    if member is not None and member.unreachable_since is not None:
        member.unreachable_since = None
        member.unreachable_reason = None
        session.add(member)
