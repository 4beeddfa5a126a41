"""The reminders sweep: from the rules in the database, every reminder whose lead time fell due since the last
sweep, once per (rule, occurrence, lead, member) — the outbox's dedupe key — across restarts, crashes, clock jumps
and a second scheduler. APScheduler only decides when to look.

After downtime, a reminder whose lead time passed but whose event has not begun is still sent, marked late (only
the nearest, when several lead times passed); one whose event has begun is not. A rule saved after every lead time
of its next occurrence had passed is treated the same way. An hour before, those who have
not answered get it as a nudge. The organiser's roll goes out with the first reminder of an occurrence and is
edited in place as answers come. Once an occurrence has ended, its organisers are asked to record it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import on_postgres
from gridguard.db.sweep_marks import sweep_window
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, Notice, enqueue_many
from gridguard.reminders.enums import RsvpAnswer, RuleKind, RuleStatus
from gridguard.reminders.reminder_rules import Reminded, audience_of, occurrences_of, seed_defaults, work_calendar
from gridguard.reminders.reminder_texts import record_question, reminder_content, roll_content, unknown_year_text
from gridguard.reminders.schedule import When
from gridguard.reminders.tables import Occurrence, ReminderRule, Rsvp
from gridguard.reminders.weekly_agenda import Week, township_week, week_text
from gridguard.reminders.work_calendar import WorkCalendar
from gridguard.reports.policy import Policy
from i18n import Localizer

SWEEP_NAME = "reminders"
LOOKBACK_LIMIT = timedelta(days=8)
"""After an outage, look back no further (longer than any lead time a rule may have)."""
LATE_AFTER = timedelta(minutes=10)
NUDGE_LEAD_MINUTES = 60
"""The reminder this close to an event is a nudge for those who have not answered."""


@dataclass(frozen=True)
class SweepContext:
    now: datetime
    zone: ZoneInfo
    language: str
    admin_chat_ids: frozenset[int]
    policy: Policy


async def sweep_reminders(session: AsyncSession, ctx: SweepContext) -> int:
    """Queue every reminder that fell due since the last sweep; how many messages were new."""
    await seed_defaults(session, ctx.now, ctx.zone, ctx.language)
    calendar = await work_calendar(session)
    notices: list[Notice] = []
    async with sweep_window(session, SWEEP_NAME, ctx.now, LOOKBACK_LIMIT) as since:
        if since < ctx.now:
            for rule in await _active_rules(session):
                notices += await _due_for_rule(session, rule, since, ctx, calendar)
        notices += unknown_year_notices(calendar, ctx)
        return await enqueue_many(session, notices, ctx.now)


async def _active_rules(session: AsyncSession) -> list[ReminderRule]:
    query = select(ReminderRule).where(ReminderRule.status == RuleStatus.ACTIVE).order_by(col(ReminderRule.id))
    return list((await session.exec(query)).all())


async def _due_for_rule(
    session: AsyncSession, rule: ReminderRule, since: datetime, ctx: SweepContext, calendar: WorkCalendar
) -> list[Notice]:
    horizon = ctx.now + timedelta(minutes=max(rule.leads) + 1)
    first_look = since <= rule.updated_at <= ctx.now
    since = max(since, rule.created_at)
    notices: list[Notice] = []
    people: list[Reminded] | None = None
    for when in occurrences_of(rule, ctx.zone, since, horizon, calendar):
        leads = [lead for lead in rule.leads if since < when.happens_at - timedelta(minutes=lead) <= ctx.now]
        if not leads and first_look:
            leads = missed_before_saving(rule, when)
        if not leads or when.happens_at <= ctx.now:
            continue
        occurrence_id = await occurrence_id_for(session, rule, when)
        if await recorded_already(session, occurrence_id):
            continue
        people = people if people is not None else await audience_of(session, rule)
        answers = await answers_to(session, occurrence_id)
        week = None
        if rule.kind == RuleKind.WEEKLY_MEETING:
            week = await township_week(session, rule.township_id, ctx.now, ctx.zone, ctx.policy, calendar)
        notices += _reminders(rule, when, occurrence_id, min(leads), people, answers, ctx, week)
        notices += roll_notices(rule, when, occurrence_id, people, answers, ctx.zone)
    return notices + await _record_questions(session, rule, since, ctx, calendar)


def missed_before_saving(rule: ReminderRule, when: When) -> list[int]:
    """A rule saved (made, changed or resumed) after every lead time of an occurrence had passed: its nearest lead,
    to be sent now, late (as after downtime); nothing when a lead is still ahead (it goes on time). A reminder sent
    already is not sent again (its dedupe key)."""
    saved = rule.updated_at
    if when.happens_at <= saved or any(when.happens_at - timedelta(minutes=lead) > saved for lead in rule.leads):
        return []
    return [min(rule.leads)]


async def _record_questions(
    session: AsyncSession, rule: ReminderRule, since: datetime, ctx: SweepContext, calendar: WorkCalendar
) -> list[Notice]:
    """Once an occurrence has ended, its organisers are asked to record it: held or not, and how."""
    duration = timedelta(minutes=rule.duration_minutes)
    notices: list[Notice] = []
    for when in occurrences_of(rule, ctx.zone, since - duration, ctx.now, calendar):
        if when.happens_at < rule.created_at or not since < when.happens_at + duration <= ctx.now:
            continue
        occurrence_id = await occurrence_id_for(session, rule, when)
        if await recorded_already(session, occurrence_id):
            continue
        for organiser in (p for p in await audience_of(session, rule) if p.organiser):
            content = record_question(Localizer(organiser.language), rule, when, ctx.zone, occurrence_id)
            key = f"record-ask:{occurrence_id}:{organiser.member_id}"
            notices.append(Notice(key, organiser.telegram_id, content, Priority.LOW, organiser.member_id))
    return notices


def _reminders(
    rule: ReminderRule,
    when: When,
    occurrence_id: int,
    lead: int,
    people: Sequence[Reminded],
    answers: dict[int, Rsvp],
    ctx: SweepContext,
    week: Week | None,
) -> list[Notice]:
    """The reminders of one lead time; the station's staff get the township's week under a weekly meeting's."""
    due = when.happens_at - timedelta(minutes=lead)
    late = ctx.now - due > LATE_AFTER
    notices = []
    for person in people:
        answer = answers[person.member_id].answer if person.member_id in answers else None
        if answer == RsvpAnswer.CANT:
            continue
        nudge = lead <= NUDGE_LEAD_MINUTES and answer is None
        i18n = Localizer(person.language)
        content = reminder_content(i18n, rule, when, ctx.zone, occurrence_id, answer, nudge, late)
        if week is not None and person.station and not nudge:
            content = replace(content, text=f"{content.text}\n\n{week_text(i18n, week, ctx.zone)}")
        key = f"remind:{rule.id}:{when.planned_for:%Y%m%dT%H%MZ}:{lead}:{person.member_id}"
        notices.append(Notice(key, person.telegram_id, content, Priority.LOW, person.member_id))
    return notices


def roll_key(occurrence_id: int, member_id: int) -> str:
    return f"roll:{occurrence_id}:{member_id}"


def roll_notices(
    rule: ReminderRule,
    when: When,
    occurrence_id: int,
    people: Sequence[Reminded],
    answers: dict[int, Rsvp],
    zone: ZoneInfo,
) -> list[Notice]:
    """The roll, to each organiser (the station's heads), once per occurrence."""
    return [
        Notice(
            roll_key(occurrence_id, organiser.member_id),
            organiser.telegram_id,
            roll_content(Localizer(organiser.language), rule, when, zone, people, answers),
            Priority.LOW,
            organiser.member_id,
        )
        for organiser in people
        if organiser.organiser
    ]


async def occurrence_id_for(session: AsyncSession, rule: ReminderRule, when: When) -> int:
    """The occurrence's row (made the first time it is reminded; a second process finds the same one)."""
    table = Occurrence.__table__  # type: ignore[attr-defined]
    insert = postgres_insert(table) if on_postgres(session) else sqlite_insert(table)
    row = {"rule_id": rule.id, "planned_for": when.planned_for, "happens_at": when.happens_at}
    await session.exec(insert.values(**row).on_conflict_do_nothing(index_elements=["rule_id", "planned_for"]))
    query = select(Occurrence.id).where(Occurrence.rule_id == rule.id, Occurrence.planned_for == when.planned_for)
    found = (await session.exec(query)).one()
    assert found is not None
    return found


async def recorded_already(session: AsyncSession, occurrence_id: int) -> bool:
    """Recorded before its time (a drill held early, as a plan response's drill): nothing more to remind or ask."""
    held = (await session.exec(select(Occurrence.held).where(Occurrence.id == occurrence_id))).first()
    return held is not None


async def answers_to(session: AsyncSession, occurrence_id: int) -> dict[int, Rsvp]:
    rows = (await session.exec(select(Rsvp).where(Rsvp.occurrence_id == occurrence_id))).all()
    return {r.member_id: r for r in rows}


def unknown_year_notices(calendar: WorkCalendar, ctx: SweepContext) -> list[Notice]:
    """The admins hear once of a year the holiday data does not cover yet (this one or the next)."""
    year = ctx.now.astimezone(ctx.zone).year
    for probe in (date(year, 12, 31), date(year + 1, 1, 1)):
        calendar.day(probe)
    i18n = Localizer(ctx.language)
    return [
        Notice(f"holidays-unknown:{y}:{chat}", chat, Content(text=unknown_year_text(i18n, y)), Priority.LOW)
        for y in sorted(calendar.unknown_years)
        for chat in sorted(ctx.admin_chat_ids)
    ]
