"""Compliance with the work rules, per township: weekly meetings held against those due this quarter, the
quarterly safety meeting, inspections this month, the last drill, and what is overdue (ended, and not recorded
as held); and per village, at how many of those held its safety officers were present. Due occurrences come from
the rules; what was held, and who came, from the organisers' records."""

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.directory.directory import find_unit
from gridguard.directory.permissions import VILLAGE_DELEGATE
from gridguard.directory.tables import RoleAssignment, Unit
from gridguard.kernel.cells import safe_cell
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import DomainError
from gridguard.kernel.numbers import FIRST_YEAR, LAST_YEAR
from gridguard.reminders.enums import RuleKind
from gridguard.reminders.reminder_rules import rules_of, schedule_of, work_calendar
from gridguard.reminders.tables import Occurrence, ReminderRule
from gridguard.reminders.work_calendar import WorkCalendar
from i18n import Keys


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


QUARTER = re.compile(r"([0-9]{4})Q([1-4])")


def quarter(year: int, number: int, zone: ZoneInfo) -> Period:
    first = date(year, 3 * number - 2, 1)
    after = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(_local_midnight(first, zone), _local_midnight(after, zone), f"{year}Q{number}")


def parse_quarter(text: str, zone: ZoneInfo) -> Period:
    """2026Q4 -> the fourth quarter of 2026 in the deployment's zone."""
    match = QUARTER.fullmatch(text.strip().upper())
    if match is None or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise DomainError("compliance.bad_quarter", value=text)
    return quarter(int(match.group(1)), int(match.group(2)), zone)


def quarter_of(instant: datetime, zone: ZoneInfo) -> Period:
    local = instant.astimezone(zone)
    return quarter(local.year, (local.month - 1) // 3 + 1, zone)


def month_of(instant: datetime, zone: ZoneInfo) -> Period:
    local = instant.astimezone(zone).date()
    first = local.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return Period(_local_midnight(first, zone), _local_midnight(after, zone), f"{first:%Y-%m}")


@dataclass(frozen=True)
class Tally:
    held: int
    due: int


@dataclass(frozen=True)
class VillageAttendance:
    """A village's line: of the meetings, inspections and drills held in the period, at how many one of its safety
    officers was recorded present (None: the village has no safety officer)."""

    name: str
    attended: int | None
    held: int


@dataclass(frozen=True)
class TownshipCompliance:
    township: str
    meetings: Tally
    safety_meetings: Tally
    inspections: Tally
    last_drill: datetime | None
    overdue: list[tuple[str, datetime]]
    """Occurrences that ended this quarter without a record of being held: title, when."""
    villages: list[VillageAttendance]


async def township_compliance(
    session: AsyncSession,
    township_id: int,
    now: datetime,
    zone: ZoneInfo,
    calendar: WorkCalendar,
    period: Period,
    inspections_period: Period,
) -> TownshipCompliance:
    township = await session.get(Unit, township_id)
    rules = await rules_of(session, township_id)
    tallies: dict[RuleKind, Tally] = {}
    overdue: list[tuple[str, datetime]] = []
    for kind, window in (
        (RuleKind.WEEKLY_MEETING, period),
        (RuleKind.SAFETY_MEETING, period),
        (RuleKind.INSPECTION, inspections_period),
    ):
        held, due = 0, 0
        missed: list[tuple[str, datetime]] = []
        for rule in (r for r in rules if r.kind == kind):
            rule_held, rule_due, rule_missed = await _rule_tally(session, rule, now, zone, calendar, window)
            held, due, missed = held + rule_held, due + rule_due, missed + rule_missed
        tallies[kind] = Tally(held, due)
        overdue += missed
    return TownshipCompliance(
        township.name if township else "?",
        tallies[RuleKind.WEEKLY_MEETING],
        tallies[RuleKind.SAFETY_MEETING],
        tallies[RuleKind.INSPECTION],
        await _last_drill(session, [r for r in rules if r.kind == RuleKind.DRILL]),
        sorted(overdue, key=lambda pair: pair[1]),
        await _villages(session, township_id, [r.id for r in rules if r.id is not None], period),
    )


async def _villages(
    session: AsyncSession, township_id: int, rule_ids: list[int], period: Period
) -> list[VillageAttendance]:
    held_query = select(Occurrence).where(
        col(Occurrence.rule_id).in_(rule_ids),
        col(Occurrence.held).is_(True),
        col(Occurrence.happens_at) >= period.start,
        col(Occurrence.happens_at) < period.end,
    )
    held = [set(o.attended or []) for o in (await session.exec(held_query)).all()]
    villages = (await session.exec(select(Unit).where(Unit.parent_id == township_id).order_by(col(Unit.code)))).all()
    delegates_query = select(RoleAssignment).where(
        col(RoleAssignment.unit_id).in_([v.id for v in villages]), RoleAssignment.role == VILLAGE_DELEGATE
    )
    delegates: dict[int, set[int]] = {}
    for ra in (await session.exec(delegates_query)).all():
        delegates.setdefault(ra.unit_id, set()).add(ra.member_id)
    return [
        VillageAttendance(
            v.name,
            sum(1 for present in held if present & delegates[v.id]) if v.id in delegates else None,
            len(held),
        )
        for v in villages
    ]


async def _rule_tally(
    session: AsyncSession, rule: ReminderRule, now: datetime, zone: ZoneInfo, calendar: WorkCalendar, window: Period
) -> tuple[int, int, list[tuple[str, datetime]]]:
    """Held and due within the window (due: ended by now, and not before the rule existed), and the due ones not
    recorded as held."""
    duration = timedelta(minutes=rule.duration_minutes)
    since, until = max(window.start, rule.created_at), min(window.end, now - duration)
    due = schedule_of(rule, zone).occurrences(since, until, calendar) if until > since else []
    query = select(Occurrence).where(
        Occurrence.rule_id == rule.id,
        col(Occurrence.happens_at) >= window.start,
        col(Occurrence.happens_at) < window.end,
    )
    held_at = {o.planned_for for o in (await session.exec(query)).all() if o.held}
    missed = [(rule.title, w.happens_at) for w in due if w.planned_for not in held_at]
    return len(held_at), len(due), missed


async def _last_drill(session: AsyncSession, drills: list[ReminderRule]) -> datetime | None:
    if not drills:
        return None
    query = (
        select(Occurrence.happens_at)
        .where(col(Occurrence.rule_id).in_([d.id for d in drills]), col(Occurrence.held).is_(True))
        .order_by(col(Occurrence.happens_at).desc())
    )
    return (await session.exec(query)).first()


async def townships_of_county(session: AsyncSession, county_code: str) -> list[int]:
    county = (await session.exec(select(Unit).where(Unit.code == county_code))).first()
    if county is None:
        raise DomainError("error.unit_not_found", code=county_code)
    query = select(Unit.id).where(Unit.parent_id == county.id).order_by(col(Unit.code))
    return [t for t in (await session.exec(query)).all() if t is not None]


COLUMNS = ("township", "meetings", "safety_meetings", "inspections", "last_drill", "overdue")
COLUMN_NAMES = Keys("export.{}", COLUMNS)


@dataclass(frozen=True)
class CountyCompliance:
    county: Unit
    townships: list[TownshipCompliance]


async def county_compliance(
    db: Database, county_code: str, period: Period, zone: ZoneInfo, clock: Clock
) -> CountyCompliance:
    """`python -m bot export compliance`: every township of the county against the period, in one read."""
    async with db.reading() as session:
        county = await find_unit(session, county_code)
        townships = await townships_of_county(session, county.code)
        calendar = await work_calendar(session)
        now = clock.now()
        rows = [await township_compliance(session, t, now, zone, calendar, period, period) for t in townships]
    return CountyCompliance(county, rows)


def table_rows(rows: list[TownshipCompliance], zone: ZoneInfo) -> list[list[str | int]]:
    """One row a township for a spreadsheet: held and due side by side, the last drill's date, overdue count."""
    return [
        [
            r.township,
            f"{r.meetings.held}/{r.meetings.due}",
            f"{r.safety_meetings.held}/{r.safety_meetings.due}",
            f"{r.inspections.held}/{r.inspections.due}",
            r.last_drill.astimezone(zone).date().isoformat() if r.last_drill else "",
            len(r.overdue),
        ]
        for r in rows
    ]


def write_table(path: Path, header: list[str], rows: list[list[str | int]]) -> None:
    """XLSX (openpyxl) for a .xlsx path, CSV (UTF-8 with BOM, as Excel reads it) otherwise; no cell a formula."""
    if path.suffix.lower() == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(cell) for cell in row])
        book.save(path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([safe_cell(cell) for cell in row] for row in rows)
