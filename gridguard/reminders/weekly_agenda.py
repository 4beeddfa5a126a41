"""The township's week, built from the data: what the weekly meeting (周例会) reviews, and what /week shows.

Reports filed, acknowledged, resolved in the last 7 days and still open, by village; the oldest unacknowledged;
those still unacknowledged after escalating past their first steps; duty gaps ahead; and when the inspections and
drills are next due.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.directory.tables import Unit
from gridguard.duty.enums import DutyLayer
from gridguard.duty.roster import load_roster
from gridguard.duty.rotation import Shift
from gridguard.kernel.times import local_time, span
from gridguard.reminders.enums import RuleKind
from gridguard.reminders.reminder_rules import rules_of, schedule_of
from gridguard.reminders.schedule import When
from gridguard.reminders.work_calendar import WorkCalendar
from gridguard.reports.enums import ReportEventKind, ReportStatus
from gridguard.reports.policy import Policy
from gridguard.reports.report_lifecycle import OPEN_STATUSES
from gridguard.reports.tables import Report, ReportEvent
from i18n import Localizer

WEEK = timedelta(days=7)
VILLAGES_SHOWN = 15
CODES_SHOWN = 5
DUE_KINDS = (RuleKind.INSPECTION, RuleKind.DRILL)


@dataclass(frozen=True)
class VillageWeek:
    name: str
    filed: int
    acknowledged: int
    resolved: int
    open: int


@dataclass(frozen=True)
class Week:
    township: str
    since: datetime
    until: datetime
    """The week is (since, until]: the last 7 days up to now."""
    villages: list[VillageWeek]
    oldest_unacknowledged: Report | None
    overdue: list[str]
    """Codes of reports still unacknowledged after escalating past their starting steps."""
    duty_gaps: list[Shift]
    due: list[tuple[str, When]]


async def township_week(
    session: AsyncSession, township_id: int, now: datetime, zone: ZoneInfo, policy: Policy, calendar: WorkCalendar
) -> Week:
    since = now - WEEK
    township = await session.get(Unit, township_id)
    villages = {
        u.id: u.name
        for u in (await session.exec(select(Unit).where(Unit.parent_id == township_id).order_by(col(Unit.code)))).all()
    }
    reports = list((await session.exec(select(Report).where(Report.township_id == township_id))).all())
    resolved = await _resolved_in(session, [r.id for r in reports if r.id is not None], since, now)
    by_report = {r.id: r for r in reports}
    counts: dict[str, Counter[int | None]] = {k: Counter() for k in ("filed", "acknowledged", "resolved", "open")}
    for r in reports:
        counts["filed"][r.village_id] += since < r.created_at <= now
        counts["acknowledged"][r.village_id] += r.acknowledged_at is not None and since < r.acknowledged_at <= now
        counts["open"][r.village_id] += r.status in OPEN_STATUSES
    for report_id in resolved:
        counts["resolved"][by_report[report_id].village_id] += 1
    rows = [
        VillageWeek(name, *(counts[k][village_id] for k in ("filed", "acknowledged", "resolved", "open")))
        for village_id, name in [*villages.items(), (None, "")]
        if any(counts[k][village_id] for k in counts)
    ]
    unacknowledged = sorted((r for r in reports if r.status == ReportStatus.NEW), key=lambda r: r.created_at)
    overdue = [r.code for r in unacknowledged if r.escalation_step > max(policy.severities[r.severity].start)]
    return Week(
        township.name if township else "?",
        since,
        now,
        rows,
        unacknowledged[0] if unacknowledged else None,
        overdue,
        await _duty_gaps(session, township_id, zone, now),
        await _due(session, township_id, zone, now, calendar),
    )


async def _resolved_in(session: AsyncSession, report_ids: list[int], since: datetime, until: datetime) -> set[int]:
    if not report_ids:
        return set()
    query = select(ReportEvent.report_id).where(
        col(ReportEvent.report_id).in_(report_ids),
        ReportEvent.kind == ReportEventKind.RESOLVED,
        col(ReportEvent.created_at) > since,
        col(ReportEvent.created_at) <= until,
    )
    return set((await session.exec(query)).all())


async def _duty_gaps(session: AsyncSession, township_id: int, zone: ZoneInfo, now: datetime) -> list[Shift]:
    roster = await load_roster(session, township_id, zone, now)
    if DutyLayer.PRIMARY not in roster.specs:
        return []
    return [s for s in roster.timeline(DutyLayer.PRIMARY, now, now + WEEK) if s.member_id is None]


async def _due(
    session: AsyncSession, township_id: int, zone: ZoneInfo, now: datetime, calendar: WorkCalendar
) -> list[tuple[str, When]]:
    due = []
    for rule in await rules_of(session, township_id, active_only=True):
        if rule.kind in DUE_KINDS:
            upcoming = schedule_of(rule, zone).next_after(now, calendar)
            if upcoming is not None:
                due.append((rule.title, upcoming))
    return sorted(due, key=lambda pair: pair[1].happens_at)


def week_text(i18n: Localizer, week: Week, zone: ZoneInfo) -> str:
    weekdays = i18n("onduty.weekdays").split(",")
    period = {"since": local_time(week.since, zone), "until": local_time(week.until, zone)}
    lines = [i18n("week.header", township=week.township, **period)]
    if week.villages:
        lines.append(i18n("week.columns"))
        for v in week.villages[:VILLAGES_SHOWN]:
            name = v.name or i18n("week.township_level")
            numbers = {"filed": v.filed, "acknowledged": v.acknowledged, "resolved": v.resolved, "open": v.open}
            lines.append(i18n("week.village", name=name, **numbers))
        if len(week.villages) > VILLAGES_SHOWN:
            lines.append(i18n("week.more_villages", n=len(week.villages) - VILLAGES_SHOWN))
    else:
        lines.append(i18n("week.no_reports"))
    oldest = week.oldest_unacknowledged
    if oldest is not None:
        lines.append(i18n("week.oldest", code=oldest.code, since=local_time(oldest.created_at, zone)))
    if week.overdue:
        lines.append(i18n("week.overdue", count=len(week.overdue), codes="、".join(week.overdue[:CODES_SHOWN])))
    if week.duty_gaps:
        gaps = "、".join(span(g.starts_at, g.ends_at, zone, weekdays) for g in week.duty_gaps[:CODES_SHOWN])
        lines.append(i18n("week.duty_gaps", gaps=gaps))
    for title, when in week.due:
        lines.append(i18n("week.due", title=title, when=local_time(when.happens_at, zone)))
    return "\n".join(lines)
