"""Hazard reports: filing, escalation step by step until someone acknowledges, and the cards that carry them.

Escalation runs from the database: a report row holds its current step and the deadline of the next one; a
sweep (`escalate_due`, `renotify_due`) acts on what is past due, in one transaction with the outbox rows it
queues, under dedupe keys — so a restart, a crash or a second process neither loses nor doubles a step.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n import Localizer
from models import (
    Member,
    PolicyOverride,
    Priority,
    Report,
    ReportCounter,
    ReportEvent,
    ReportMedia,
    Role,
    RoleAssignment,
    StationGroup,
    Unit,
    UnitLevel,
)
from services.directory import unit_path
from services.errors import DomainError
from services.outbox import Content, Notice, enqueue_edit, enqueue_many, messages_about
from services.policy import Policy
from services.report_cards import CAPTION_LIMIT, TEXT_LIMIT, CardFacts, card_keyboard, card_text

OPEN_STATUSES = ("new", "acknowledged", "in_progress")
STEP_ROLES = {0: Role.VILLAGE_OFFICER, 1: Role.STATION_DUTY, 2: Role.STATION_HEAD, 3: Role.COUNTY_OFFICER}
SWEEP_BATCH = 100


@dataclass(frozen=True)
class Filing:
    """A finished draft, ready to become a report."""

    category: str
    severity: str
    unit_id: int
    description: str | None = None
    voice_file_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    member_id: int | None
    language: str


def topic(report_id: int) -> str:
    return f"report:{report_id}"


def _on_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- places and people ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    unit: Unit
    village: Unit | None
    township: Unit
    county: Unit | None
    names: tuple[str, ...]


async def place_of(session: AsyncSession, unit: Unit) -> Place:
    path = await unit_path(session, unit)
    by_level = {u.level: u for u in path}
    township = by_level.get(UnitLevel.TOWNSHIP)
    if township is None:
        raise DomainError("report.no_township", unit=unit.name)
    names = tuple(u.name for u in path if u.level != UnitLevel.COUNTY)
    return Place(unit, by_level.get(UnitLevel.VILLAGE), township, by_level.get(UnitLevel.COUNTY), names)


async def members_with_role(session: AsyncSession, role: Role, unit_id: int) -> list[Member]:
    query = (
        select(Member)
        .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(RoleAssignment.role == role, RoleAssignment.unit_id == unit_id, col(Member.unreachable_since).is_(None))
        .order_by(col(Member.id))
    )
    return list((await session.exec(query)).all())


async def recipients_for_step(
    session: AsyncSession, report: Report, step: int, default_language: str
) -> list[Recipient]:
    """Step 0 the village's safety officers; 1 the township's on-duty members and group; 2 its heads; 3 the county."""
    unit_id: int | None = {0: report.village_id, 1: report.township_id, 2: report.township_id}.get(step)
    if step == 3:
        township = await session.get(Unit, report.township_id)
        unit_id = township.parent_id if township else None
    recipients: list[Recipient] = []
    if unit_id is not None:
        members = await members_with_role(session, STEP_ROLES[step], unit_id)
        recipients = [Recipient(m.telegram_id, m.id, m.language) for m in members]
    if step == 1:
        group = (await session.exec(select(StationGroup).where(StationGroup.township_id == report.township_id))).first()
        if group is not None:
            recipients.append(Recipient(group.chat_id, None, default_language))
    return recipients


# --- what a card shows ------------------------------------------------------------------------


async def card_facts(session: AsyncSession, report: Report) -> CardFacts:
    assert report.id is not None
    unit = await session.get(Unit, report.unit_id)
    assert unit is not None
    place = await place_of(session, unit)
    reporter = await session.get(Member, report.reporter_id)
    acted = await session.get(Member, report.acknowledged_by_id) if report.acknowledged_by_id else None
    assignee = await session.get(Member, report.assigned_to_id) if report.assigned_to_id else None
    photos = (await session.exec(select(ReportMedia).where(ReportMedia.report_id == report.id))).all()
    return CardFacts(
        report_id=report.id,
        code=report.code,
        category=report.category,
        severity=report.severity,
        status=report.status,
        place=" › ".join(place.names),
        reporter=reporter.name if reporter else "?",
        reporter_phone=reporter.phone if reporter else None,
        description=report.description,
        has_voice=report.voice_file_id is not None,
        latitude=report.latitude,
        longitude=report.longitude,
        created_at=report.created_at,
        acted_by=acted.name if acted else None,
        acted_at=report.acknowledged_at,
        assignee=assignee.name if assignee else None,
        photo_count=len(photos),
    )


async def first_photo(session: AsyncSession, report_id: int) -> str | None:
    query = select(ReportMedia).where(ReportMedia.report_id == report_id, ReportMedia.kind == "photo")
    media = (await session.exec(query.order_by(col(ReportMedia.position)))).first()
    return media.file_id if media else None


def card_content(
    facts: CardFacts, language: str, photo: str | None, now: datetime, zone: ZoneInfo, header: str = ""
) -> Content:
    i18n = Localizer(language)
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    text = card_text(i18n, facts, now, zone, limit, header)
    return Content(text=text, photo=photo, reply_markup=card_keyboard(i18n, facts.report_id, facts.status))


# --- escalation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the escalation needs besides the session: the policy, the clock's reading, the zone, the language."""

    policy: Policy
    now: datetime
    zone: ZoneInfo
    default_language: str


async def notify_step(
    session: AsyncSession, report: Report, step: int, ctx: Context, renotify: int = 0, round_name: str = "card"
) -> int:
    """Queue the card for everyone at `step`; a re-notification is a fresh card with a reminder header."""
    assert report.id is not None
    recipients = await recipients_for_step(session, report, step, ctx.default_language)
    if not recipients:
        return 0
    facts = await card_facts(session, report)
    photo = await first_photo(session, report.id)
    notices = []
    for r in recipients:
        who = r.member_id if r.member_id is not None else f"g{r.chat_id}"
        header = Localizer(r.language)("report.renotify_header", n=renotify) if renotify else ""
        key = f"renotify:{report.id}:{step}:{renotify}:{who}" if renotify else f"{round_name}:{report.id}:{who}"
        content = card_content(facts, r.language, photo, ctx.now, ctx.zone, header)
        notices.append(Notice(key, r.chat_id, content, Priority.URGENT, r.member_id, report.unit_id, topic(report.id)))
    await enqueue_many(session, notices, ctx.now)
    return len(recipients)


async def township_overrides(session: AsyncSession, township_id: int, severity: str) -> dict[int, int]:
    query = select(PolicyOverride).where(PolicyOverride.township_id == township_id, PolicyOverride.severity == severity)
    return {o.step: o.seconds for o in (await session.exec(query)).all()}


async def _schedule_next(session: AsyncSession, report: Report, ctx: Context, since: datetime) -> None:
    timeline = ctx.policy.timeline(
        report.severity, await township_overrides(session, report.township_id, report.severity)
    )
    upcoming = [(step, seconds) for step, seconds in timeline if step > report.escalation_step]
    report.next_escalation_at = since + timedelta(seconds=upcoming[0][1]) if upcoming else None
    report.renotify_count = 0
    report.next_renotify_at = ctx.now + timedelta(seconds=ctx.policy.renotify_every_seconds)


async def _later_steps(session: AsyncSession, report: Report, ctx: Context) -> list[int]:
    timeline = ctx.policy.timeline(
        report.severity, await township_overrides(session, report.township_id, report.severity)
    )
    return [step for step, _ in timeline if step > report.escalation_step]


async def start_escalation(session: AsyncSession, report: Report, ctx: Context, round_name: str = "card") -> None:
    """Notify the severity's starting steps; a step nobody can receive passes straight to the next."""
    reached = 0
    report.escalation_started_at = ctx.now
    for step in ctx.policy.severities[report.severity].start:
        reached += await notify_step(session, report, step, ctx, round_name=round_name)
        report.escalation_step = step
    while reached == 0 and (later := await _later_steps(session, report, ctx)):
        report.escalation_step = later[0]
        reached = await notify_step(session, report, later[0], ctx, round_name=round_name)
    await _schedule_next(session, report, ctx, ctx.now)


async def restart_escalation(session: AsyncSession, report: Report, ctx: Context, round_name: str) -> None:
    """A reopened report escalates again from its starting steps, with fresh cards, timed from now."""
    await start_escalation(session, report, ctx, round_name)
    session.add(report)


async def _due(session: AsyncSession, column: object, now: datetime) -> list[Report]:
    query = (
        select(Report)
        .where(Report.status == "new", col(column).is_not(None), col(column) <= now)
        .order_by(col(column))
        .limit(SWEEP_BATCH)
    )
    if _on_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list((await session.exec(query)).all())


async def escalate_due(session: AsyncSession, ctx: Context) -> int:
    """Move every unacknowledged report past its deadline to its next step; how many moved."""
    moved = 0
    for report in await _due(session, Report.next_escalation_at, ctx.now):
        reached = 0
        while reached == 0 and (later := await _later_steps(session, report, ctx)):
            report.escalation_step = later[0]
            reached = await notify_step(session, report, later[0], ctx)
        session.add(
            ReportEvent(
                report_id=report.id or 0, kind="escalated", note=f"step {report.escalation_step}", created_at=ctx.now
            )
        )
        await _schedule_next(session, report, ctx, report.escalation_started_at or report.created_at)
        session.add(report)
        moved += 1
    return moved


def current_steps(report: Report, policy: Policy) -> list[int]:
    start = policy.severities[report.severity].start
    return list(start) if report.escalation_step == max(start) else [report.escalation_step]


async def renotify_due(session: AsyncSession, ctx: Context) -> int:
    """Remind the current step's recipients of reports still unacknowledged, up to the policy's count."""
    reminded = 0
    for report in await _due(session, Report.next_renotify_at, ctx.now):
        if report.renotify_count >= ctx.policy.renotify_times:
            report.next_renotify_at = None
        else:
            report.renotify_count += 1
            for step in current_steps(report, ctx.policy):
                await notify_step(session, report, step, ctx, renotify=report.renotify_count)
            report.next_renotify_at = ctx.now + timedelta(seconds=ctx.policy.renotify_every_seconds)
            reminded += 1
        session.add(report)
    return reminded


async def refresh_cards(session: AsyncSession, report: Report, ctx: Context) -> None:
    """Edit every card about the report, at every recipient and in the group, to its current state."""
    assert report.id is not None
    facts = await card_facts(session, report)
    photo = await first_photo(session, report.id)
    languages: dict[int, str] = {}
    for row in await messages_about(session, topic(report.id)):
        if row.member_id is not None and row.member_id not in languages:
            member = await session.get(Member, row.member_id)
            languages[row.member_id] = member.language if member else ctx.default_language
        language = languages.get(row.member_id, ctx.default_language) if row.member_id else ctx.default_language
        content = card_content(facts, language, photo, ctx.now, ctx.zone)
        await enqueue_edit(session, of_key=row.dedupe_key, content=content, now=ctx.now, priority=Priority.URGENT)


# --- filing -----------------------------------------------------------------------------------


async def next_code(session: AsyncSession, township: Unit, now: datetime, zone: ZoneInfo) -> str:
    """A short human code: township (county and township digits), year and month, sequence."""
    assert township.id is not None
    period = now.astimezone(zone).strftime("%y%m")
    insert = postgres_insert if _on_postgres(session) else sqlite_insert
    statement = (
        insert(ReportCounter)
        .values(township_id=township.id, period=period, last=1)
        .on_conflict_do_update(index_elements=["township_id", "period"], set_={"last": col(ReportCounter.last) + 1})
        .returning(col(ReportCounter.last))
    )
    sequence = (await session.exec(statement)).scalar_one()
    return f"{township.code[4:9]}-{period}-{sequence:04d}"


async def file_report(session: AsyncSession, filing: Filing, reporter_id: int, ctx: Context) -> Report:
    unit = await session.get(Unit, filing.unit_id)
    if unit is None:
        raise DomainError("error.unit_not_found", code=str(filing.unit_id))
    place = await place_of(session, unit)
    report = Report(
        code=await next_code(session, place.township, ctx.now, ctx.zone),
        township_id=place.township.id or 0,
        unit_id=filing.unit_id,
        village_id=place.village.id if place.village else None,
        reporter_id=reporter_id,
        category=filing.category,
        severity=filing.severity,
        description=filing.description,
        voice_file_id=filing.voice_file_id,
        latitude=filing.latitude,
        longitude=filing.longitude,
        status="new",
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(report)
    await session.flush()
    assert report.id is not None
    for position, (kind, file_id) in enumerate(filing.media):
        session.add(ReportMedia(report_id=report.id, kind=kind, file_id=file_id, position=position))
    session.add(
        ReportEvent(report_id=report.id, actor_id=reporter_id, kind="created", to_status="new", created_at=ctx.now)
    )
    await session.flush()
    await start_escalation(session, report, ctx)
    session.add(report)
    return report


def distance_meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    radius = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


async def possible_duplicate(session: AsyncSession, filing: Filing, policy: Policy, now: datetime) -> Report | None:
    """An open report of the same category nearby (or in the same village without a location) from the window."""
    unit = await session.get(Unit, filing.unit_id)
    if unit is None:
        return None
    place = await place_of(session, unit)
    since = now - timedelta(seconds=policy.duplicate_window_seconds)
    query = select(Report).where(
        Report.category == filing.category,
        col(Report.status).in_(OPEN_STATUSES),
        Report.created_at >= since,
        Report.township_id == place.township.id,
    )
    for candidate in (await session.exec(query.order_by(col(Report.created_at).desc()))).all():
        if filing.latitude is not None and filing.longitude is not None and candidate.latitude is not None:
            assert candidate.longitude is not None
            distance = distance_meters(filing.latitude, filing.longitude, candidate.latitude, candidate.longitude)
            if distance <= policy.duplicate_radius_meters:
                return candidate
        elif place.village is not None and candidate.village_id == place.village.id:
            return candidate
    return None


async def add_information(
    session: AsyncSession, report_id: int, filing: Filing, member_id: int, ctx: Context
) -> Report:
    """The reporter's information joins an existing report (the duplicate hint's "add mine to it")."""
    report = await session.get(Report, report_id)
    if report is None:
        raise DomainError("report.not_found", code=str(report_id))
    existing = len((await session.exec(select(ReportMedia).where(ReportMedia.report_id == report_id))).all())
    for offset, (kind, file_id) in enumerate(filing.media):
        session.add(ReportMedia(report_id=report_id, kind=kind, file_id=file_id, position=existing + offset))
    note = filing.description or ""
    if filing.description:
        report.description = f"{report.description or ''}\n\n+ {filing.description}".strip()
    report.updated_at = ctx.now
    session.add(report)
    session.add(ReportEvent(report_id=report_id, actor_id=member_id, kind="info_added", note=note, created_at=ctx.now))
    await session.flush()
    await refresh_cards(session, report, ctx)
    return report


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
