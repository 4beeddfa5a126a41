"""Hazard reports: filing, escalation step by step until someone acknowledges, and the cards that carry them.

Escalation runs from the database: a report row holds its current step and the deadline of the next one; a
sweep (`escalate_due`, `renotify_due`) acts on what is past due, in one transaction with the outbox rows it
queues, under dedupe keys — so a restart, a crash or a second process neither loses nor doubles a step.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from i18n import Localizer
from models import (
    Category,
    Member,
    PolicyOverride,
    Priority,
    Report,
    ReportCounter,
    ReportEvent,
    ReportEventKind,
    ReportMedia,
    ReportStatus,
    Role,
    RoleAssignment,
    Severity,
    StationGroup,
    Unit,
    UnitLevel,
)
from models.db import on_postgres
from services.directory import unit_path
from services.errors import DomainError, NoLongerThere, NotAllowed
from services.members import MemberProfile
from services.outbox import Content, Notice, enqueue_edit, enqueue_many, messages_about
from services.permissions import Action, may, may_add_information
from services.policy import Policy
from services.report_cards import CAPTION_LIMIT, TEXT_LIMIT, CardFacts, card_keyboard, card_text
from services.report_lifecycle import OPEN_STATUSES

STEP_ROLES = {0: Role.VILLAGE_OFFICER, 1: Role.STATION_DUTY, 2: Role.STATION_HEAD, 3: Role.COUNTY_OFFICER}
SWEEP_BATCH = 100


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


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    member_id: int | None
    language: str


def topic(report_id: int) -> str:
    return f"report:{report_id}"


# --- places and people ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    unit: Unit
    village: Unit | None
    township: Unit
    county: Unit | None
    names: tuple[str, ...]
    ids: tuple[int, ...]
    """The path's unit ids, top first (what permissions are checked against)."""


async def place_of(session: AsyncSession, unit: Unit) -> Place:
    path = await unit_path(session, unit)
    by_level = {u.level: u for u in path}
    township = by_level.get(UnitLevel.TOWNSHIP)
    if township is None:
        raise DomainError("report.no_township", unit=unit.name)
    names = tuple(u.name for u in path if u.level != UnitLevel.COUNTY)
    ids = tuple(u.id for u in path if u.id is not None)
    return Place(unit, by_level.get(UnitLevel.VILLAGE), township, by_level.get(UnitLevel.COUNTY), names, ids)


@dataclass(frozen=True)
class ReportUnits:
    village_id: int | None
    township_id: int
    county_id: int | None


@dataclass(frozen=True)
class Audience:
    """Who a report can reach at each step, and the township's own timeouts: read before the write."""

    by_step: dict[int, list[Recipient]]
    overrides: dict[int, int]


async def audience(session: AsyncSession, units: ReportUnits, severity: str, default_language: str) -> Audience:
    """Step 0 the village's safety officers; 1 the township's on-duty members and group; 2 its heads; 3 the county."""
    step_units = {0: units.village_id, 1: units.township_id, 2: units.township_id, 3: units.county_id}
    wanted = [(STEP_ROLES[step], unit_id) for step, unit_id in step_units.items() if unit_id is not None]
    query = (
        select(Member, RoleAssignment)
        .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(
            tuple_(col(RoleAssignment.role), col(RoleAssignment.unit_id)).in_(wanted),
            col(Member.unreachable_since).is_(None),
        )
        .order_by(col(Member.id))
    )
    held = {(ra.role, ra.unit_id, m.id): m for m, ra in (await session.exec(query)).all()}
    by_step: dict[int, list[Recipient]] = {}
    for step, unit_id in step_units.items():
        role = STEP_ROLES[step]
        by_step[step] = [
            Recipient(m.telegram_id, m.id, m.language) for (r, u, _), m in held.items() if r == role and u == unit_id
        ]
    group = (await session.exec(select(StationGroup).where(StationGroup.township_id == units.township_id))).first()
    if group is not None:
        by_step[1].append(Recipient(group.chat_id, None, default_language))
    return Audience(by_step, await township_overrides(session, units.township_id, severity))


async def units_of(session: AsyncSession, report: Report) -> ReportUnits:
    township = await session.get(Unit, report.township_id)
    return ReportUnits(report.village_id, report.township_id, township.parent_id if township else None)


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
    original = await session.get(Report, report.duplicate_of_id) if report.duplicate_of_id else None
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
        duplicate_of=original.code if original else None,
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
    return Content(text=text, photo=photo, buttons=card_keyboard(i18n, facts.report_id, facts.status))


# --- escalation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the escalation needs besides the session: the policy, the clock's reading, the zone, the language."""

    policy: Policy
    now: datetime
    zone: ZoneInfo
    default_language: str


@dataclass(frozen=True)
class CardSource:
    """What every card of one report is made from."""

    facts: CardFacts
    photo: str | None


async def card_source(session: AsyncSession, report: Report) -> CardSource:
    assert report.id is not None
    return CardSource(await card_facts(session, report), await first_photo(session, report.id))


Nudge = Callable[[Localizer], str]
"""A short text (a reminder under a card, a card's header) rendered in each recipient's language."""


def catalog_text(key: str, **params: object) -> Nudge:
    def render(i18n: Localizer) -> str:
        return i18n(key, **params)

    return render


def cards_for(
    report: Report,
    recipients: list[Recipient],
    source: CardSource,
    ctx: Context,
    key: str,
    held: dict[int, str] | None = None,
    nudge: Nudge | None = None,
    header: Nudge | None = None,
) -> list[Notice]:
    """One live card per report per person. Someone who already holds a card (`held`: chat -> its key) gets the
    `nudge` as a short reply under it; anyone else gets a card (with `header` on top, and after it a map pin
    when the report has a location). Keys are `<key>:<report>:<who>`, so a retried round never sends twice."""
    notices = []
    for r in recipients:
        who = r.member_id if r.member_id is not None else f"g{r.chat_id}"
        i18n = Localizer(r.language)
        card_key = (held or {}).get(r.chat_id)
        if card_key is not None and nudge is not None:
            reminder = Content(text=nudge(i18n), reply_to=card_key)
            notices.append(Notice(f"{key}:{report.id}:{who}", r.chat_id, reminder, Priority.URGENT, r.member_id))
            continue
        on_top = header(i18n) if header else ""
        content = card_content(source.facts, r.language, source.photo, ctx.now, ctx.zone, on_top)
        notices.append(
            Notice(
                f"{key}:{report.id}:{who}",
                r.chat_id,
                content,
                Priority.URGENT,
                r.member_id,
                report.unit_id,
                topic(report.id or 0),
            )
        )
        if report.latitude is not None and report.longitude is not None:
            pin = Content(location=(report.latitude, report.longitude))
            notices.append(
                Notice(f"{key}-pin:{report.id}:{who}", r.chat_id, pin, Priority.URGENT, r.member_id, report.unit_id)
            )
    return notices


async def held_cards(session: AsyncSession, report_id: int) -> dict[int, str]:
    """Who holds a card about the report: chat -> the dedupe key of their (first) card."""
    held: dict[int, str] = {}
    for row in await messages_about(session, topic(report_id)):
        held.setdefault(row.chat_id, row.dedupe_key)
    return held


async def township_overrides(session: AsyncSession, township_id: int, severity: str) -> dict[int, int]:
    query = select(PolicyOverride).where(PolicyOverride.township_id == township_id, PolicyOverride.severity == severity)
    return {o.step: o.seconds for o in (await session.exec(query)).all()}


def _later_steps(report: Report, ctx: Context, overrides: dict[int, int]) -> list[tuple[int, int]]:
    return [(s, sec) for s, sec in ctx.policy.timeline(report.severity, overrides) if s > report.escalation_step]


def _schedule_next(report: Report, ctx: Context, since: datetime, overrides: dict[int, int]) -> None:
    upcoming = _later_steps(report, ctx, overrides)
    report.next_escalation_at = since + timedelta(seconds=upcoming[0][1]) if upcoming else None
    report.renotify_count = 0
    report.next_renotify_at = ctx.now + timedelta(seconds=ctx.policy.renotify_every_seconds)


def _advance(report: Report, ctx: Context, reach: Audience) -> list[Recipient]:
    """Move to later steps until someone is reached (a step nobody can receive passes straight on)."""
    reached: list[Recipient] = []
    while not reached and (later := _later_steps(report, ctx, reach.overrides)):
        report.escalation_step = later[0][0]
        reached = reach.by_step[report.escalation_step]
    return reached


def plan_start(report: Report, ctx: Context, reach: Audience) -> list[Recipient]:
    """Set the report's starting step and its deadlines (no id needed, so filing writes them in its one INSERT);
    who is reached now: the severity's starting steps, or the next step that reaches anyone."""
    report.escalation_started_at = ctx.now
    reached: list[Recipient] = []
    for step in ctx.policy.severities[report.severity].start:
        reached += reach.by_step[step]
        report.escalation_step = step
    if not reached:
        reached = _advance(report, ctx, reach)
    _schedule_next(report, ctx, ctx.now, reach.overrides)
    return reached


async def restart_escalation(session: AsyncSession, report: Report, ctx: Context, key: str, nudge: Nudge) -> None:
    """A reopened report escalates again from its starting steps, timed from now: those holding its card (already
    edited back to "new") get `nudge` under it, anyone else a card."""
    reach = await audience(session, await units_of(session, report), report.severity, ctx.default_language)
    held = await held_cards(session, report.id or 0)
    reached = plan_start(report, ctx, reach)
    source = await card_source(session, report)
    await enqueue_many(session, cards_for(report, reached, source, ctx, key, held, nudge), ctx.now)
    session.add(report)


async def _due(session: AsyncSession, column: object, now: datetime) -> list[Report]:
    query = (
        select(Report)
        .where(Report.status == ReportStatus.NEW, col(column).is_not(None), col(column) <= now)
        .order_by(col(column))
        .limit(SWEEP_BATCH)
    )
    if on_postgres(session):
        query = query.with_for_update(skip_locked=True)
    return list((await session.exec(query)).all())


async def escalate_due(session: AsyncSession, ctx: Context) -> int:
    """Move every unacknowledged report past its deadline to its next step; how many moved."""
    moved = 0
    for report in await _due(session, Report.next_escalation_at, ctx.now):
        reach = await audience(session, await units_of(session, report), report.severity, ctx.default_language)
        source = await card_source(session, report)
        await enqueue_many(session, cards_for(report, _advance(report, ctx, reach), source, ctx, "card"), ctx.now)
        note = f"step {report.escalation_step}"
        session.add(
            ReportEvent(report_id=report.id or 0, kind=ReportEventKind.ESCALATED, note=note, created_at=ctx.now)
        )
        _schedule_next(report, ctx, report.escalation_started_at or report.created_at, reach.overrides)
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
            reach = await audience(session, await units_of(session, report), report.severity, ctx.default_language)
            source = await card_source(session, report)
            held = await held_cards(session, report.id or 0)
            n, code = report.renotify_count, report.code
            nudge = catalog_text("report.renotify_nudge", n=n, code=code)
            header = catalog_text("report.renotify_header", n=n)
            for step in current_steps(report, ctx.policy):
                key = f"renotify{n}:{step}"
                notices = cards_for(report, reach.by_step[step], source, ctx, key, held, nudge, header)
                await enqueue_many(session, notices, ctx.now)
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
    insert = postgres_insert if on_postgres(session) else sqlite_insert
    statement = (
        insert(ReportCounter)
        .values(township_id=township.id, period=period, last=1)
        .on_conflict_do_update(index_elements=["township_id", "period"], set_={"last": col(ReportCounter.last) + 1})
        .returning(col(ReportCounter.last))
    )
    sequence = (await session.exec(statement)).scalar_one()
    return f"{township.code[4:9]}-{period}-{sequence:04d}"


@dataclass(frozen=True)
class Prepared:
    """Everything filing needs to read, read before the write transaction so that one stays short."""

    place: Place
    reporter: Member
    reach: Audience


async def prepare_filing(
    session: AsyncSession, filing: Filing, actor: MemberProfile, default_language: str
) -> Prepared:
    """Read what filing needs, and check the reporter may still report there (a role can go mid-flow)."""
    unit = await session.get(Unit, filing.unit_id)
    reporter = await session.get(Member, actor.id)
    if unit is None or reporter is None:
        raise NoLongerThere("report.no_longer_reporter")
    place = await place_of(session, unit)
    if not may(actor, Action.REPORT, place.ids):
        raise NoLongerThere("report.no_longer_reporter")
    units = ReportUnits(
        place.village.id if place.village else None, place.township.id or 0, place.county.id if place.county else None
    )
    return Prepared(place, reporter, await audience(session, units, filing.severity, default_language))


def new_card_source(report: Report, filing: Filing, prepared: Prepared) -> CardSource:
    facts = CardFacts(
        report_id=report.id or 0,
        code=report.code,
        category=report.category,
        severity=report.severity,
        status=report.status,
        place=" › ".join(prepared.place.names),
        reporter=prepared.reporter.name,
        reporter_phone=prepared.reporter.phone,
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
    return CardSource(facts, photo)


async def file_report(session: AsyncSession, filing: Filing, prepared: Prepared, ctx: Context) -> Report:
    """Save the report with its evidence and history, and queue its first cards — in the caller's transaction."""
    place = prepared.place
    report = Report(
        code=await next_code(session, place.township, ctx.now, ctx.zone),
        township_id=place.township.id or 0,
        unit_id=filing.unit_id,
        village_id=place.village.id if place.village else None,
        reporter_id=prepared.reporter.id or 0,
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
    reached = plan_start(report, ctx, prepared.reach)
    session.add(report)
    await session.flush()
    assert report.id is not None
    session.add_all(
        [ReportMedia(report_id=report.id, kind=k, file_id=f, position=n) for n, (k, f) in enumerate(filing.media)]
    )
    session.add(
        ReportEvent(
            report_id=report.id,
            actor_id=report.reporter_id,
            kind=ReportEventKind.CREATED,
            to_status=ReportStatus.NEW,
            created_at=ctx.now,
        )
    )
    cards = cards_for(report, reached, new_card_source(report, filing, prepared), ctx, "card")
    await enqueue_many(session, cards, ctx.now)
    return report


def distance_meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    radius = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class DuplicateOffer:
    """An open report that may be the same hazard: what the reporter needs to recognise it."""

    report_id: int
    code: str
    category: Category
    place: str
    filed_at: datetime
    status: str
    description: str | None


async def possible_duplicate(
    session: AsyncSession, filing: Filing, policy: Policy, now: datetime
) -> DuplicateOffer | None:
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
                return await _offer(session, candidate)
        elif place.village is not None and candidate.village_id == place.village.id:
            return await _offer(session, candidate)
    return None


async def _offer(session: AsyncSession, report: Report) -> DuplicateOffer:
    unit = await session.get(Unit, report.unit_id)
    assert unit is not None and report.id is not None
    place = await place_of(session, unit)
    return DuplicateOffer(
        report.id, report.code, report.category, " › ".join(place.names), report.created_at, report.status,
        report.description,
    )  # fmt: skip


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
