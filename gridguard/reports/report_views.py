"""Reading reports: one report in full (with its history), a reporter's own, an officer's open ones."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.directory import descendants
from gridguard.directory.enums import UnitLevel
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, townships_of, units_for
from gridguard.directory.tables import Member
from gridguard.kernel.errors import DomainError, NotAllowed
from gridguard.reports.enums import ReportStatus
from gridguard.reports.escalation import card_facts
from gridguard.reports.filing import find_report
from gridguard.reports.report_actions import may_act
from gridguard.reports.report_cards import CardFacts
from gridguard.reports.report_lifecycle import OPEN_STATUSES
from gridguard.reports.tables import Report, ReportEvent, ReportMedia

LIST_LIMIT = 15


@dataclass(frozen=True)
class HistoryLine:
    kind: str
    who: str | None
    when: datetime
    note: str | None


@dataclass(frozen=True)
class Details:
    facts: CardFacts
    media: list[tuple[str, str]]
    voice: str | None
    history: list[HistoryLine]
    resolution_note: str | None
    resolution_photo: str | None
    reject_reason: str | None
    may_act: bool
    """The viewer may act on it as on a card (the same buttons, the same checks on every press)."""
    is_reporter: bool
    calls_out: bool = False
    """The viewer may call out volunteers in the report's township (a critical report offers it)."""


@dataclass(frozen=True)
class ReportLists:
    mine: list[Report]
    to_act: list[Report]


async def report_details(
    session: AsyncSession, actor: MemberProfile, *, code: str | None = None, report_id: int | None = None
) -> Details:
    """One report in full, by its code or id, for its reporter or someone who may act on it."""
    report = await find_report(session, code) if code is not None else await session.get(Report, report_id)
    if report is None:
        raise DomainError("report.not_found", code=str(report_id))
    may_act_on_it = await may_act(session, actor, report)
    is_reporter = actor.id == report.reporter_id
    if not is_reporter and not may_act_on_it:
        raise NotAllowed()
    media = (
        await session.exec(
            select(ReportMedia).where(ReportMedia.report_id == report.id).order_by(col(ReportMedia.position))
        )
    ).all()
    events = (
        await session.exec(select(ReportEvent).where(ReportEvent.report_id == report.id).order_by(col(ReportEvent.id)))
    ).all()
    names: dict[int, str] = {}
    for event in events:
        if event.actor_id is not None and event.actor_id not in names:
            member = await session.get(Member, event.actor_id)
            names[event.actor_id] = member.name if member else "?"
    return Details(
        facts=await card_facts(session, report),
        media=[(m.kind, m.file_id) for m in media],
        voice=report.voice_file_id,
        history=[HistoryLine(e.kind, names.get(e.actor_id or -1), e.created_at, e.note) for e in events],
        resolution_note=report.resolution_note,
        resolution_photo=report.resolution_photo,
        reject_reason=report.reject_reason,
        may_act=may_act_on_it,
        is_reporter=is_reporter,
        calls_out=report.township_id in townships_of(actor, Action.CALL_OUT),
    )


async def my_reports(session: AsyncSession, member_id: int) -> list[Report]:
    query = select(Report).where(Report.reporter_id == member_id).order_by(col(Report.created_at).desc())
    return list((await session.exec(query.limit(LIST_LIMIT))).all())


async def open_reports_for(session: AsyncSession, actor: MemberProfile, now: datetime) -> list[Report]:
    """Open reports of the units the actor acts for: unacknowledged first, then the oldest."""
    roots = units_for(actor, Action.ACT_ON_REPORT)
    if not roots and not actor.is_admin:
        return []
    query = select(Report).where(col(Report.status).in_(OPEN_STATUSES))
    if not actor.is_admin:
        units = [u.id for u in await descendants(session, roots, list(UnitLevel))]
        query = query.where(col(Report.unit_id).in_(units))
    reports = list((await session.exec(query.order_by(col(Report.created_at)).limit(200))).all())
    reports.sort(key=lambda r: (r.status != ReportStatus.NEW, r.created_at))
    return reports[:LIST_LIMIT]
