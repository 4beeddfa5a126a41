"""What /readyz and /metrics read from the database: readiness, the outbox's state and the escalation lag."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.delivery.enums import DeliveryStatus
from gridguard.delivery.tables import Notification
from gridguard.reports.enums import ReportStatus
from gridguard.reports.tables import Report

WATCHED_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.DEAD)


async def database_revision(session: AsyncSession) -> str | None:
    """The migration the database is at (None before the first)."""
    return (await session.exec(text("SELECT version_num FROM alembic_version"))).scalar()  # type: ignore[call-overload]


@dataclass(frozen=True)
class OutboxGauges:
    counts: dict[tuple[DeliveryStatus, int], int]
    """Rows by status and priority (pending, sending, dead)."""
    oldest_pending_seconds: float
    """How long the oldest row due has waited (0 when none waits)."""


async def outbox_gauges(session: AsyncSession, now: datetime) -> OutboxGauges:
    status, priority = col(Notification.status), col(Notification.priority)
    rows = (
        await session.exec(
            select(status, priority, func.count()).where(status.in_(WATCHED_STATUSES)).group_by(status, priority)
        )
    ).all()
    oldest = (
        await session.exec(
            select(func.min(Notification.next_attempt_at)).where(
                status == DeliveryStatus.PENDING, col(Notification.next_attempt_at) <= now
            )
        )
    ).one()
    waited = (now - oldest).total_seconds() if oldest is not None else 0.0
    return OutboxGauges({(DeliveryStatus(s), p): n for s, p, n in rows}, max(0.0, waited))


async def escalation_lag(session: AsyncSession, now: datetime) -> float:
    """Seconds the most overdue escalation step is past its due time (0 when none is overdue): the sweeps keep it
    within a tick or two; it grows when no instance leads them."""
    due = col(Report.next_escalation_at)
    oldest = (await session.exec(select(func.min(due)).where(Report.status == ReportStatus.NEW, due <= now))).one()
    return (now - oldest).total_seconds() if oldest is not None else 0.0
