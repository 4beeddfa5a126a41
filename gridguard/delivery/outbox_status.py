"""What /outbox shows: the delivery queue's health and who can't be reached, for an admin or a station."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import true
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.delivery.enums import DeliveryStatus
from gridguard.delivery.tables import Notification
from gridguard.directory.directory import descendants
from gridguard.directory.enums import UnitLevel
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, may_at_all, units_for
from gridguard.directory.tables import Member, RoleAssignment
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import NotAllowed

LAST_ERRORS = 5


@dataclass(frozen=True)
class Unreachable:
    name: str
    since: datetime
    reason: str


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    failed: int
    dead: int
    oldest_pending_age: timedelta | None
    last_errors: list[tuple[datetime | None, str]]
    unreachable: list[Unreachable]


async def _scope(session: AsyncSession, actor: MemberProfile) -> tuple[set[int], set[int]] | None:
    """Unit ids and member ids the actor oversees; None means everything (an admin)."""
    if actor.is_admin:
        return None
    townships = units_for(actor, Action.VIEW_OUTBOX)
    units = {u.id for u in await descendants(session, townships, UnitLevel) if u.id is not None}
    members = set(
        (await session.exec(select(RoleAssignment.member_id).where(col(RoleAssignment.unit_id).in_(units)))).all()
    )
    return units, members


async def outbox_status(session: AsyncSession, actor: MemberProfile, now: datetime) -> OutboxStatus:
    if not may_at_all(actor, Action.VIEW_OUTBOX):
        raise NotAllowed()
    scope = await _scope(session, actor)
    in_scope = (
        true()
        if scope is None
        else or_(col(Notification.unit_id).in_(scope[0]), col(Notification.member_id).in_(scope[1]))
    )
    counts = dict(
        (
            await session.exec(
                select(Notification.status, func.count()).where(in_scope).group_by(col(Notification.status))
            )
        ).all()
    )
    oldest = (
        await session.exec(
            select(func.min(Notification.created_at)).where(
                in_scope, col(Notification.status).in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
            )
        )
    ).one()
    errors = (
        await session.exec(
            select(Notification.last_attempt_at, Notification.last_error)
            .where(in_scope, col(Notification.last_error).is_not(None))
            .order_by(col(Notification.last_attempt_at).desc())
            .limit(LAST_ERRORS)
        )
    ).all()
    unreachable_query = select(Member).where(col(Member.unreachable_since).is_not(None)).order_by(col(Member.name))
    if scope is not None:
        unreachable_query = unreachable_query.where(col(Member.id).in_(scope[1]))
    unreachable = [
        Unreachable(m.name, m.unreachable_since, m.unreachable_reason or "")
        for m in (await session.exec(unreachable_query)).all()
        if m.unreachable_since is not None
    ]
    return OutboxStatus(
        pending=counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0),
        failed=counts.get(DeliveryStatus.FAILED, 0),
        dead=counts.get(DeliveryStatus.DEAD, 0),
        oldest_pending_age=now - oldest if oldest is not None else None,
        last_errors=[(when, error or "") for when, error in errors],
        unreachable=unreachable,
    )


class OutboxDesk:
    """/outbox as a use case: the queue's health and who can't be reached, read in one transaction."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock

    async def status(self, member: MemberProfile) -> OutboxStatus:
        async with self.db.reading() as session:
            return await outbox_status(session, member, self.clock.now())
