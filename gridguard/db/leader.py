"""One leader at a time for periodic work, chosen by a lease row in the database."""

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.tables import SchedulerLease


async def try_lead(session: AsyncSession, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease `name`; False while another live holder has it."""
    lease = await session.get(SchedulerLease, name)
    if lease is None:
        session.add(SchedulerLease(name=name, holder=holder, expires_at=now + ttl))
        return True
    if lease.holder != holder and lease.expires_at > now:
        return False
    lease.holder, lease.expires_at = holder, now + ttl
    session.add(lease)
    return True


async def resign(session: AsyncSession, name: str, holder: str, now: datetime) -> bool:
    """Give the lease up at once (a graceful stop), so the next process leads without waiting it out."""
    lease = await session.get(SchedulerLease, name)
    if lease is None or lease.holder != holder:
        return False
    lease.expires_at = now
    session.add(lease)
    return True
