"""Escalation: a report's cards go step by step to those who can act until someone acknowledges.

Escalation runs from the database: a report row holds its current step and the deadline of the next one; a
sweep (`escalate_due`, `renotify_due`) acts on what is past due, in one transaction with the outbox rows it
queues, under dedupe keys — so a restart, a crash or a second process neither loses nor doubles a step.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import on_postgres
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, Notice, enqueue_edit, enqueue_many, messages_about
from gridguard.directory.permissions import CALLER_ROLES
from gridguard.directory.places import place_of
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.duty.roster import holders_of_duty_step, with_duty
from gridguard.kernel.fitting import TEXT_LIMIT
from gridguard.reports.audience import Audience, Recipient, audience, units_of
from gridguard.reports.enums import ReportEventKind, ReportStatus
from gridguard.reports.policy import Policy
from gridguard.reports.report_cards import CAPTION_LIMIT, CardFacts, card_keyboard, card_text
from gridguard.reports.tables import Report, ReportEvent, ReportMedia
from i18n import Localizer

E = ReportEventKind
SWEEP_BATCH = 100
DUTY_STEP = 1
"""The step a township's duty roster decides: its primary on duty, then its backup."""


def topic(report_id: int) -> str:
    return f"report:{report_id}"


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
        place=place.label,
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
    facts: CardFacts,
    language: str,
    photo: str | None,
    now: datetime,
    zone: ZoneInfo,
    header: str = "",
    calls_out: bool = False,
) -> Content:
    """A card in one language; `calls_out`: its holder may call out volunteers (a station's head or duty member,
    or the station's group), so a critical report's card offers it."""
    i18n = Localizer(language)
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    text = card_text(i18n, facts, now, zone, limit, header)
    buttons = card_keyboard(i18n, facts.report_id, facts.status, facts.severity, calls_out=calls_out)
    return Content(text=text, photo=photo, buttons=buttons)


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
    callers: frozenset[int] = frozenset()
    """The members who may call out volunteers in the report's township."""

    def calls_out(self, member_id: int | None) -> bool:
        """Whether a card held by `member_id` (None: the station's group) offers "call out volunteers"."""
        return member_id is None or member_id in self.callers


async def card_source(session: AsyncSession, report: Report) -> CardSource:
    assert report.id is not None
    query = select(RoleAssignment.member_id).where(
        RoleAssignment.unit_id == report.township_id, col(RoleAssignment.role).in_(CALLER_ROLES)
    )
    callers = frozenset((await session.exec(query)).all())
    return CardSource(await card_facts(session, report), await first_photo(session, report.id), callers)


Nudge = Callable[[Localizer], str]
"""A short text (a reminder under a card, a card's header) rendered in each recipient's language."""


def catalog_text(key: str, **params: object) -> Nudge:
    def render(i18n: Localizer) -> str:
        return i18n(key, **params)

    return render


def cards_for(
    report: Report,
    recipients: Sequence[Recipient],
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
        content = card_content(
            source.facts, r.language, source.photo, ctx.now, ctx.zone, on_top, source.calls_out(r.member_id)
        )
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


def _later_steps(report: Report, ctx: Context, overrides: Mapping[int, int]) -> list[tuple[int, int]]:
    return [(s, sec) for s, sec in ctx.policy.timeline(report.severity, overrides) if s > report.escalation_step]


def _schedule_next(report: Report, ctx: Context, since: datetime, overrides: Mapping[int, int]) -> None:
    upcoming = _later_steps(report, ctx, overrides)
    report.next_escalation_at = since + timedelta(seconds=upcoming[0][1]) if upcoming else None
    report.renotify_count = 0
    report.next_renotify_at = ctx.now + timedelta(seconds=ctx.policy.renotify_every_seconds)


def _advance(report: Report, ctx: Context, reach: Audience) -> list[Recipient]:
    """Move to later steps until someone is reached (a step nobody can receive passes straight on)."""
    reached: list[Recipient] = []
    while not reached and (later := _later_steps(report, ctx, reach.overrides)):
        report.escalation_step = later[0][0]
        reached = list(reach.by_step[report.escalation_step])
        if report.escalation_step == DUTY_STEP and reached:
            reached += _hold_duty_step(report, ctx, reach)
    return reached


def step_timeout(report: Report, ctx: Context, step: int, overrides: Mapping[int, int]) -> int | None:
    """Seconds from `step` to the next one, if the step is a later step with one after it (else None)."""
    timeline = dict(ctx.policy.timeline(report.severity, overrides))
    after = [seconds for s, seconds in sorted(timeline.items()) if s > step]
    return after[0] - timeline[step] if step in timeline and after else None


def _hold_duty_step(report: Report, ctx: Context, reach: Audience) -> list[Recipient]:
    """Step 1 reached in a township with a roster: the report is the primary's; the backup follows after step 1's
    own timeout, and the later steps move back by as much. With no timeout of its own (a severity that starts at
    step 1, or step 1 the last), the backup is reached at once. Returns who is reached at once besides."""
    report.duty_primary_id = reach.primary_id
    if not reach.backup:
        return []
    timeout = step_timeout(report, ctx, DUTY_STEP, reach.overrides)
    if timeout is None:
        report.duty_backup_id = reach.backup[0].member_id
        return list(reach.backup)
    report.backup_due_at = ctx.now + timedelta(seconds=timeout)
    report.escalation_started_at = (report.escalation_started_at or ctx.now) + timedelta(seconds=timeout)
    return []


def reaches_duty_step_at_once(reach: Audience, severity: str, policy: Policy) -> bool:
    """Whether filing a report of `severity` reaches step 1 at once (a starting step, or the first step anyone
    can receive): then the roster's primary on duty must be known before it is filed."""
    start = policy.severities[severity].start
    return DUTY_STEP in start or not any(reach.by_step[step] for step in start)


def plan_start(report: Report, ctx: Context, reach: Audience) -> list[Recipient]:
    """Set the report's starting step and its deadlines (no id needed, so filing writes them in its one INSERT);
    who is reached now: the severity's starting steps, or the next step that reaches anyone."""
    report.escalation_started_at = ctx.now
    report.duty_primary_id = report.duty_backup_id = report.backup_due_at = None
    reached: list[Recipient] = []
    for step in ctx.policy.severities[report.severity].start:
        reached += reach.by_step[step]
        report.escalation_step = step
        if step == DUTY_STEP and reach.by_step[step]:
            reached += _hold_duty_step(report, ctx, reach)
    if not reached:
        reached = _advance(report, ctx, reach)
    _schedule_next(report, ctx, report.escalation_started_at, reach.overrides)
    return reached


async def report_reach(session: AsyncSession, report: Report, ctx: Context) -> Audience:
    """Who the report reaches at each step now, with step 1 as the township's duty roster has it."""
    reach = await audience(session, await units_of(session, report), report.severity, ctx.default_language)
    return await with_duty(session, reach, report.township_id, ctx.zone, ctx.now)


async def restart_escalation(session: AsyncSession, report: Report, ctx: Context, key: str, nudge: Nudge) -> None:
    """A reopened report escalates again from its starting steps, timed from now: those holding its card (already
    edited back to "new") get `nudge` under it, anyone else a card."""
    reach = await report_reach(session, report, ctx)
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
        reach = await report_reach(session, report, ctx)
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


async def backup_due(session: AsyncSession, ctx: Context) -> int:
    """Step 1's timeout passed unanswered in a township with a roster: the backup on duty now gets the card."""
    reached = 0
    for report in await _due(session, Report.backup_due_at, ctx.now):
        report.backup_due_at = None
        reach = await report_reach(session, report, ctx)
        if reach.backup:
            report.duty_backup_id = reach.backup[0].member_id
            source = await card_source(session, report)
            await enqueue_many(session, cards_for(report, reach.backup, source, ctx, "card-backup"), ctx.now)
            note = "step 1 backup"
            session.add(
                ReportEvent(report_id=report.id or 0, kind=ReportEventKind.ESCALATED, note=note, created_at=ctx.now)
            )
            reached += 1
        session.add(report)
    return reached


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
                holders = (
                    await holders_of_duty_step(session, report, reach) if step == DUTY_STEP else reach.by_step[step]
                )
                notices = cards_for(report, holders, source, ctx, key, held, nudge, header)
                await enqueue_many(session, notices, ctx.now)
            report.next_renotify_at = ctx.now + timedelta(seconds=ctx.policy.renotify_every_seconds)
            reminded += 1
        session.add(report)
    return reminded


async def refresh_cards(session: AsyncSession, report: Report, ctx: Context) -> None:
    """Edit every card about the report, at every recipient and in the group, to its current state."""
    assert report.id is not None
    source = await card_source(session, report)
    languages: dict[int, str] = {}
    for row in await messages_about(session, topic(report.id)):
        if row.member_id is not None and row.member_id not in languages:
            member = await session.get(Member, row.member_id)
            languages[row.member_id] = member.language if member else ctx.default_language
        language = languages.get(row.member_id, ctx.default_language) if row.member_id else ctx.default_language
        content = card_content(
            source.facts, language, source.photo, ctx.now, ctx.zone, calls_out=source.calls_out(row.member_id)
        )
        await enqueue_edit(session, of_key=row.dedupe_key, content=content, now=ctx.now, priority=Priority.URGENT)
