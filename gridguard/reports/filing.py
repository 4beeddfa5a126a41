"""Filing: a finished draft becomes a report with its code, evidence, history and first cards."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Table, Text, bindparam, cast, func, insert, literal, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.as_loaded import as_loaded
from gridguard.db.database import on_postgres
from gridguard.db.direct import Direct
from gridguard.delivery.outbox import enqueue_many
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, may, may_add_information
from gridguard.directory.places import Place, UnitRef, place_of
from gridguard.directory.tables import Unit
from gridguard.kernel.errors import DomainError, NoLongerThere, NotAllowed
from gridguard.reports.audience import Audience
from gridguard.reports.enums import Category, ReportEventKind, ReportStatus, Severity
from gridguard.reports.escalation import CardSource, Context, cards_for, plan_start, refresh_cards
from gridguard.reports.report_cards import CardFacts
from gridguard.reports.report_lifecycle import OPEN_STATUSES
from gridguard.reports.tables import Report, ReportCounter, ReportEvent, ReportMedia


@dataclass(frozen=True)
class Filing:
    """A finished draft, ready to become a report."""

    category: Category
    severity: Severity
    unit_id: int
    description: str | None = None
    voice_file_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media: tuple[tuple[str, str], ...] = field(default_factory=tuple)


REPORTS = Report.__table__  # type: ignore[attr-defined]
COUNTERS = ReportCounter.__table__  # type: ignore[attr-defined]
EVENTS = ReportEvent.__table__  # type: ignore[attr-defined]


def _next_number(dialect_insert: Callable[[Table], Any]) -> Any:
    """The township's next number in the period: its counter row, made or counted up, returning `last`."""
    return (
        dialect_insert(COUNTERS)
        .values(township_id=bindparam("township_id"), period=bindparam("period"), last=1)
        .on_conflict_do_update(index_elements=["township_id", "period"], set_={"last": COUNTERS.c.last + 1})
        .returning(COUNTERS.c.last)
    )


_NEXT_NUMBER_ON_SQLITE = Direct(_next_number(sqlite_insert))
_INSERT_REPORT = Direct(insert(REPORTS).returning(REPORTS.c.id))
_INSERT_MEDIA = Direct(insert(ReportMedia.__table__))  # type: ignore[attr-defined]
_INSERT_EVENT = Direct(insert(EVENTS))
"""Filing's statements, Core on the tables, compiled once and run on the driver (gridguard/db/direct.py): the hot
path of an emergency skips SQLAlchemy's execution machinery, which costs more than the SQL."""


def _numbered_report_with_its_first_event() -> Select[tuple[int, str]]:
    """PostgreSQL: the township's next number, the report under its code and its "created" event in one statement
    (data-modifying CTEs), one round trip where SQLite takes three. The code is `code_prefix` and the number, at
    least four digits, as `numbered_code` writes it."""
    counter = _next_number(postgres_insert).cte("counter")
    number = cast(counter.c.last, Text)
    code = bindparam("code_prefix", type_=Text) + func.lpad(number, func.greatest(4, func.length(number)), "0")
    values = [column for column in REPORTS.c if column.name not in ("id", "code")]
    filed = (
        insert(REPORTS)
        .from_select(
            ["code", *(column.name for column in values)],
            core_select(code, *(bindparam(column.name, type_=column.type) for column in values)).select_from(counter),
        )
        .returning(REPORTS.c.id, REPORTS.c.code)
        .cte("filed")
    )
    created = insert(EVENTS).from_select(
        ["report_id", "actor_id", "kind", "to_status", "created_at"],
        core_select(
            filed.c.id,
            bindparam("reporter_id", type_=EVENTS.c.actor_id.type),
            literal(ReportEventKind.CREATED, EVENTS.c.kind.type),
            bindparam("status", type_=EVENTS.c.to_status.type),
            bindparam("created_at", type_=EVENTS.c.created_at.type),
        ).select_from(filed),
    )
    return core_select(filed.c.id, filed.c.code).add_cte(created.cte("created"))


_FILE_ON_POSTGRES = Direct(_numbered_report_with_its_first_event())


def code_period(now: datetime, zone: ZoneInfo) -> str:
    """The year and month a report's number counts in."""
    return now.astimezone(zone).strftime("%y%m")


def code_prefix(township: UnitRef, period: str) -> str:
    return f"{township.code[4:9]}-{period}-"


def numbered_code(township: UnitRef, period: str, sequence: int) -> str:
    """A short human code: township (county and township digits), year and month, sequence."""
    return f"{code_prefix(township, period)}{sequence:04d}"


async def next_code_on_sqlite(session: AsyncSession, township: UnitRef, period: str) -> str:
    sequence = await _NEXT_NUMBER_ON_SQLITE.scalar(session, {"township_id": township.id, "period": period})
    return numbered_code(township, period, sequence)


def new_card_source(
    report: Report, filing: Filing, place: Place, reporter: MemberProfile, callers: frozenset[int]
) -> CardSource:
    facts = CardFacts(
        report_id=report.id or 0,
        code=report.code,
        category=report.category,
        severity=report.severity,
        status=report.status,
        place=place.label,
        reporter=reporter.name,
        reporter_phone=reporter.phone,
        description=report.description,
        has_voice=report.voice_file_id is not None,
        latitude=report.latitude,
        longitude=report.longitude,
        created_at=report.created_at,
        acted_by=None,
        acted_at=None,
        assignee=None,
        photo_count=len(filing.media),
    )
    photo = next((file_id for kind, file_id in filing.media if kind == "photo"), None)
    return CardSource(facts, photo, callers)


async def file_report(
    session: AsyncSession, filing: Filing, place: Place, reporter: MemberProfile, reach: Audience, ctx: Context
) -> Report:
    """Save the report with its evidence and history, and queue its first cards — in the caller's transaction."""
    if not may(reporter, Action.REPORT, place.ids):
        raise NoLongerThere("report.no_longer_reporter")
    report = as_loaded(
        Report,
        code="",
        township_id=place.township.id,
        unit_id=filing.unit_id,
        village_id=place.village.id if place.village else None,
        reporter_id=reporter.id or 0,
        category=filing.category,
        severity=filing.severity,
        description=filing.description,
        voice_file_id=filing.voice_file_id,
        latitude=filing.latitude,
        longitude=filing.longitude,
        status=ReportStatus.NEW,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    reached = plan_start(report, ctx, reach)
    await _insert_numbered(session, report, place.township, ctx)
    for position, (kind, file_id) in enumerate(filing.media):
        media = {"report_id": report.id, "kind": kind, "file_id": file_id, "position": position}
        await _INSERT_MEDIA.rows(session, media)
    cards = cards_for(report, reached, new_card_source(report, filing, place, reporter, reach.callers), ctx, "card")
    await enqueue_many(session, cards, ctx.now)
    return report


async def _insert_numbered(session: AsyncSession, report: Report, township: UnitRef, ctx: Context) -> None:
    """Give the report the township's next code, save it with its "created" event, and set its id and code."""
    period = code_period(ctx.now, ctx.zone)
    if on_postgres(session):
        row = report.model_dump(exclude={"id", "code"})
        numbering = {"township_id": township.id, "period": period, "code_prefix": code_prefix(township, period)}
        [(report.id, report.code)] = await _FILE_ON_POSTGRES.rows(session, row | numbering)
        return
    report.code = await next_code_on_sqlite(session, township, period)
    report.id = await _INSERT_REPORT.scalar(session, report.model_dump(exclude={"id"}))
    created = {"report_id": report.id, "actor_id": report.reporter_id, "kind": ReportEventKind.CREATED,
               "from_status": None, "to_status": ReportStatus.NEW, "note": None, "created_at": ctx.now}  # fmt: skip
    await _INSERT_EVENT.rows(session, created)


async def add_information(
    session: AsyncSession, actor: MemberProfile, report_id: int, filing: Filing, ctx: Context
) -> Report:
    """The reporter's information joins the report the duplicate hint offered them ("add mine to it"), if it is
    still open and lies in the township they report in."""
    report = await session.get(Report, report_id)
    if report is None:
        raise NoLongerThere("report.not_found", code=str(report_id))
    unit = await session.get(Unit, filing.unit_id)
    if unit is None or not may_add_information(actor, (await place_of(session, unit)).ids, report.township_id):
        raise NotAllowed()
    if report.status not in OPEN_STATUSES:
        raise DomainError("report.offer_closed", code=report.code)
    existing = len((await session.exec(select(ReportMedia).where(ReportMedia.report_id == report_id))).all())
    for offset, (kind, file_id) in enumerate(filing.media):
        session.add(ReportMedia(report_id=report_id, kind=kind, file_id=file_id, position=existing + offset))
    note = filing.description or ""
    if filing.description:
        report.description = f"{report.description or ''}\n\n+ {filing.description}".strip()
    report.updated_at = ctx.now
    session.add(report)
    session.add(
        ReportEvent(
            report_id=report_id, actor_id=actor.id, kind=ReportEventKind.INFO_ADDED, note=note, created_at=ctx.now
        )
    )
    await session.flush()
    await refresh_cards(session, report, ctx)
    return report


RESUBMIT_WINDOW = timedelta(minutes=2)
"""A press of "confirm" whose draft is already filed, this soon after, is the same press again: Telegram posting
an update once more because the instance that filed it died before answering, or a double tap."""


async def just_filed(session: AsyncSession, member_id: int, now: datetime) -> Report | None:
    """The member's report filed within `RESUBMIT_WINDOW`, if any (the newest)."""
    query = (
        select(Report)
        .where(Report.reporter_id == member_id, col(Report.created_at) >= now - RESUBMIT_WINDOW)
        .order_by(col(Report.id).desc())
        .limit(1)
    )
    return (await session.exec(query)).first()


async def find_report(session: AsyncSession, code: str) -> Report:
    report = (await session.exec(select(Report).where(Report.code == code.strip()))).first()
    if report is None:
        raise DomainError("report.not_found", code=code)
    return report


async def bump(session: AsyncSession, report: Report, **values: object) -> bool:
    """Change the report only if nobody else changed it since we read it (optimistic concurrency)."""
    statement = (
        update(Report)
        .where(col(Report.id) == report.id, col(Report.version) == report.version)
        .values(version=report.version + 1, **values)
    )
    result = await session.exec(statement)
    if result.rowcount != 1:
        return False
    await session.refresh(report)
    return True
