"""The reminders' use cases, in the shape of gridguard/reports/report_desk: /reminders (the township's rules, with
their next
occurrences), pausing, resuming and deleting a rule, and answering a reminder (RSVP), which edits the organiser's
roll in place."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryWorker
from gridguard.delivery.desk import TownshipDesk
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, enqueue_edit
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, counties_of, townships_of
from gridguard.directory.tables import Member, Unit
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import DomainError, NoLongerThere, NotAllowed
from gridguard.reminders.compliance import TownshipCompliance, month_of, quarter_of, township_compliance
from gridguard.reminders.enums import RsvpAnswer, RuleKind, RuleStatus
from gridguard.reminders.meeting_records import RecordLine, RecordsView, RecordView
from gridguard.reminders.reminder_rules import (
    audience_of,
    audience_of_kind,
    new_rule,
    rules_of,
    schedule_of,
    seed_defaults,
    work_calendar,
)
from gridguard.reminders.reminder_sweep import answers_to, roll_key
from gridguard.reminders.reminder_texts import reminder_content, roll_content
from gridguard.reminders.rule_setup import DURATIONS, RuleDraft
from gridguard.reminders.schedule import Schedule, When
from gridguard.reminders.tables import Occurrence, ReminderRule, Rsvp
from gridguard.reminders.weekly_agenda import Week, township_week
from gridguard.reports.policy import Policy
from i18n import Localizer

REASON_LIMIT = 200
PREVIEW_DAYS = 400
RECORDS_LISTED = 400
"""/records lists this many, newest first (about eight years of weekly meetings), a page at a time."""
RULE_LIMIT = 20
"""Rules a township may keep: each is a line and three buttons on /reminders (20 lines, 61 buttons)."""
PREVIEWED = 3


@dataclass(frozen=True)
class RuleView:
    rule: ReminderRule
    upcoming: When | None


@dataclass(frozen=True)
class RecordStart:
    """What recording an occurrence that was held starts from: who could have come, and who said they would."""

    title: str
    drill: bool
    people: list[tuple[int, str, str]]
    """Who could have come: member id, name, and the village (or township) they came for."""
    attending: list[int]


@dataclass(frozen=True)
class Record:
    attended: list[int]
    notes: str | None
    photos: list[str]
    scenario: str | None = None
    problems: str | None = None


@dataclass(frozen=True)
class Answered:
    rule: ReminderRule
    reminder: Content
    """The reminder as it now reads for the member: their answer, and both buttons (it may change)."""


@dataclass(frozen=True)
class RulesView:
    township: str
    rules: list[RuleView]


class ReminderDesk(TownshipDesk):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        zone: ZoneInfo,
        language: str,
        policy: Policy,
        delivery: DeliveryWorker | None = None,
    ) -> None:
        super().__init__(db, clock, zone, delivery)
        self.language, self.policy = language, policy

    async def rules(self, member: MemberProfile) -> RulesView:
        """The township's rules with their next occurrences (a township with a station has the four defaults)."""
        async with self._work() as (session, now):
            township_id = self._township(member, Action.VIEW_DUTY)
            await seed_defaults(session, now, self.zone, self.language)
            township = await session.get(Unit, township_id)
            calendar = await work_calendar(session)
            views = [
                RuleView(rule, schedule_of(rule, self.zone).next_after(now, calendar) if self._active(rule) else None)
                for rule in await rules_of(session, township_id)
            ]
            return RulesView(township.name if township else "?", views)

    async def preview(self, member: MemberProfile, draft: RuleDraft) -> list[When]:
        """The next occurrences `draft` would have (a rule with none is refused)."""
        now = self.clock.now()
        async with self.db.reading() as session:
            self._township(member, Action.KEEP_REMINDERS)
            calendar = await work_calendar(session)
        schedule = Schedule(draft.repeat.rrule(), now.astimezone(self.zone).date(), draft.holidays, self.zone)
        upcoming = schedule.occurrences(now, now + timedelta(days=PREVIEW_DAYS), calendar)[:PREVIEWED]
        if not upcoming:
            raise DomainError("reminders.no_future")
        return upcoming

    async def save_rule(
        self, member: MemberProfile, draft: RuleDraft, rule_id: int | None, seen_version: int | None
    ) -> ReminderRule:
        """Add a rule, or change the one being edited (refused if someone changed it since: its version). A rule
        with no future occurrence is refused. (A rule always reminds someone: its keeper is in every audience.)"""
        async with self._work() as (session, now):
            if rule_id is None:
                township_id = self._township(member, Action.KEEP_REMINDERS)
                await self._refuse_one_too_many(session, township_id)
                rule = new_rule(township_id, draft, now)
            else:
                rule = await self._kept_rule(session, member, rule_id)
                if rule.version != seen_version:
                    raise DomainError("reminders.changed_meanwhile")
                rule.version += 1
            rule.kind, rule.title, rule.rrule, rule.place = draft.kind, draft.title, draft.repeat.rrule(), draft.place
            rule.holidays, rule.starts_on, rule.updated_at = draft.holidays, now.astimezone(self.zone).date(), now
            rule.audience, rule.duration_minutes = audience_of_kind(draft.kind), DURATIONS[draft.kind]
            rule.leads = list(draft.leads)
            rule.status = RuleStatus.ACTIVE
            if schedule_of(rule, self.zone).next_after(now, await work_calendar(session)) is None:
                raise DomainError("reminders.no_future")
            session.add(rule)
            await session.flush()
            return rule

    @staticmethod
    async def _refuse_one_too_many(session: AsyncSession, township_id: int) -> None:
        """/reminders lists every rule with its buttons on one screen: it stays within Telegram's limits."""
        query = select(func.count()).select_from(ReminderRule).where(ReminderRule.township_id == township_id)
        if (await session.exec(query)).one() >= RULE_LIMIT:
            raise DomainError("reminders.too_many", limit=RULE_LIMIT)

    @staticmethod
    def _active(rule: ReminderRule) -> bool:
        return rule.status == RuleStatus.ACTIVE

    async def set_status(self, member: MemberProfile, rule_id: int, status: RuleStatus) -> ReminderRule:
        """Pause or resume a rule (a station head of its township)."""
        async with self._work() as (session, now):
            rule = await self._kept_rule(session, member, rule_id)
            if status == RuleStatus.ACTIVE:
                calendar = await work_calendar(session)
                if schedule_of(rule, self.zone).next_after(now, calendar) is None:
                    raise DomainError("reminders.no_future")
            rule.status, rule.updated_at = status, now
            rule.version += 1
            session.add(rule)
            return rule

    async def delete_rule(self, member: MemberProfile, rule_id: int) -> str:
        """Delete a rule and what hangs on it; its title, for the answer."""
        async with self._work() as (session, _):
            rule = await self._kept_rule(session, member, rule_id)
            occurrences = select(Occurrence.id).where(Occurrence.rule_id == rule.id)
            await session.exec(delete(Rsvp).where(col(Rsvp.occurrence_id).in_(occurrences)))
            await session.exec(delete(Occurrence).where(col(Occurrence.rule_id) == rule.id))
            await session.delete(rule)
            return rule.title

    async def check_keeper(self, member: MemberProfile, rule_id: int) -> ReminderRule:
        """The rule, if the member may change it (before asking them to confirm a deletion, or to edit it)."""
        async with self.db.reading() as session:
            return await self._kept_rule(session, member, rule_id)

    def check_may_add(self, member: MemberProfile) -> None:
        self._township(member, Action.KEEP_REMINDERS)

    async def _kept_rule(self, session: AsyncSession, member: MemberProfile, rule_id: int) -> ReminderRule:
        rule = await session.get(ReminderRule, rule_id)
        if rule is None:
            raise NoLongerThere("reminders.rule_gone")
        if rule.township_id not in townships_of(member, Action.KEEP_REMINDERS):
            raise NotAllowed()
        return rule

    async def week(self, member: MemberProfile) -> Week:
        """The township's week (/week): what the weekly meeting reviews."""
        now = self.clock.now()
        async with self.db.reading() as session:
            township_id = self._township(member, Action.ACT_ON_REPORT)
            calendar = await work_calendar(session)
            return await township_week(session, township_id, now, self.zone, self.policy, calendar)

    async def compliance(self, member: MemberProfile) -> list[TownshipCompliance]:
        """The member's station's compliance this quarter; a county officer's, every township of the county."""
        now = self.clock.now()
        async with self.db.reading() as session:
            townships = townships_of(member, Action.STAND_DUTY)
            if not townships:
                query = select(Unit.id).where(col(Unit.parent_id).in_(counties_of(member))).order_by(col(Unit.code))
                townships = [t for t in (await session.exec(query)).all() if t is not None]
            if not townships:
                raise NotAllowed()
            calendar = await work_calendar(session)
            period, month = quarter_of(now, self.zone), month_of(now, self.zone)
            return [await township_compliance(session, t, now, self.zone, calendar, period, month) for t in townships]

    # --- recording -------------------------------------------------------------------------------

    async def _recordable(
        self, session: AsyncSession, member: MemberProfile, occurrence_id: int, now: datetime
    ) -> tuple[Occurrence, ReminderRule]:
        occurrence, rule = await _occurrence(session, occurrence_id)
        if rule.township_id not in townships_of(member, Action.KEEP_REMINDERS):
            raise NotAllowed()
        if occurrence.happens_at > now:
            raise DomainError("record.not_yet")
        if occurrence.held is not None:
            raise NoLongerThere("record.already")
        return occurrence, rule

    async def start_record(self, member: MemberProfile, occurrence_id: int, held: bool) -> RecordStart | None:
        """The organiser says whether it was held: not held is recorded at once (None); held starts the record,
        attendance pre-filled from the RSVPs."""
        async with self._work() as (session, now):
            occurrence, rule = await self._recordable(session, member, occurrence_id, now)
            if not held:
                occurrence.held, occurrence.recorded_by_id, occurrence.recorded_at = False, member.id, now
                session.add(occurrence)
                return None
            people = await audience_of(session, rule)
            answers = await answers_to(session, occurrence_id)
            attending = [p for p, a in answers.items() if a.answer == RsvpAnswer.ATTENDING]
            roll = [(p.member_id, p.name, p.place) for p in people]
            return RecordStart(rule.title, rule.kind == RuleKind.DRILL, roll, attending)

    async def save_record(self, member: MemberProfile, occurrence_id: int, record: Record) -> str:
        """Record a held occurrence: who attended (among those it reminds), notes, photos, and for a drill its
        scenario and the problems found. Its title, for the answer."""
        async with self._work() as (session, now):
            occurrence, rule = await self._recordable(session, member, occurrence_id, now)
            reminded = {p.member_id for p in await audience_of(session, rule)}
            occurrence.held = True
            occurrence.attended = [m for m in record.attended if m in reminded]
            occurrence.notes, occurrence.photos = record.notes, list(record.photos)
            if rule.kind == RuleKind.DRILL:
                occurrence.scenario, occurrence.problems = record.scenario, record.problems
            occurrence.recorded_by_id, occurrence.recorded_at = member.id, now
            session.add(occurrence)
            return rule.title

    # --- reading records ------------------------------------------------------------------------

    async def records(self, member: MemberProfile) -> RecordsView:
        """The township's recorded meetings, inspections and drills, newest first (the last RECORDS_LISTED)."""
        async with self.db.reading() as session:
            township_id = self._township(member, Action.KEEP_REMINDERS)
            query = (
                select(Occurrence, ReminderRule.title)
                .join(ReminderRule, col(ReminderRule.id) == Occurrence.rule_id)
                .where(ReminderRule.township_id == township_id, col(Occurrence.held).is_not(None))
                .order_by(col(Occurrence.happens_at).desc(), col(Occurrence.id).desc())
                .limit(RECORDS_LISTED)
            )
            rows = (await session.exec(query)).all()
            township = await session.get(Unit, township_id)
            lines = [RecordLine(o.id or 0, title, o.happens_at, bool(o.held)) for o, title in rows]
            return RecordsView(township.name if township else "?", lines)

    async def record(self, member: MemberProfile, occurrence_id: int) -> RecordView:
        """One recorded occurrence: held or not, who attended, the notes, a drill's scenario and problems, photos."""
        async with self.db.reading() as session:
            occurrence, rule = await _occurrence(session, occurrence_id)
            if rule.township_id not in townships_of(member, Action.KEEP_REMINDERS):
                raise NotAllowed()
            if occurrence.held is None:
                raise NoLongerThere("record.not_recorded")
            people = await audience_of(session, rule)
            ids = list(occurrence.attended or [])
            found = (await session.exec(select(Member.id, Member.name).where(col(Member.id).in_(ids)))).all()
            names = dict(found)
            recorder = await session.get(Member, occurrence.recorded_by_id) if occurrence.recorded_by_id else None
            return RecordView(
                title=rule.title,
                drill=rule.kind == RuleKind.DRILL,
                happens_at=occurrence.happens_at,
                held=occurrence.held,
                attended=[names[i] for i in ids if i in names],
                invited=len(people),
                notes=occurrence.notes,
                scenario=occurrence.scenario,
                problems=occurrence.problems,
                photos=list(occurrence.photos or []),
                recorded_by=recorder.name if recorder else "—",
                recorded_at=occurrence.recorded_at,
            )

    # --- answering ------------------------------------------------------------------------------

    async def check_rsvp(self, member: MemberProfile, occurrence_id: int) -> None:
        """May the member answer this reminder now (before asking a reason)?"""
        async with self.db.reading() as session:
            await self._answerable(session, member, occurrence_id, self.clock.now())

    async def _answerable(
        self, session: AsyncSession, member: MemberProfile, occurrence_id: int, now: datetime
    ) -> tuple[Occurrence, ReminderRule]:
        occurrence, rule = await _occurrence(session, occurrence_id)
        if member.id not in {p.member_id for p in await audience_of(session, rule)}:
            raise NotAllowed()
        if occurrence.happens_at <= now:
            raise NoLongerThere("reminders.rsvp_after")
        if rule.status == RuleStatus.PAUSED:
            raise NoLongerThere("reminders.rsvp_paused")
        return occurrence, rule

    async def rsvp(
        self, member: MemberProfile, occurrence_id: int, answer: RsvpAnswer, reason: str | None = None
    ) -> Answered:
        """Record the member's answer (a second answer replaces the first) and edit the organisers' roll; the
        reminder as it now reads for the member."""
        assert member.id is not None
        if reason is not None and len(reason) > REASON_LIMIT:
            raise DomainError("reminders.reason_too_long", limit=REASON_LIMIT)
        async with self._work() as (session, now):
            occurrence, rule = await self._answerable(session, member, occurrence_id, now)
            query = select(Rsvp).where(Rsvp.occurrence_id == occurrence_id, Rsvp.member_id == member.id)
            row = (await session.exec(query)).first() or Rsvp(
                occurrence_id=occurrence_id, member_id=member.id, answer=answer, answered_at=now
            )
            row.answer, row.reason, row.answered_at = answer, reason, now
            session.add(row)
            await session.flush()
            await self._refresh_roll(session, rule, occurrence, now)
            when = When(occurrence.planned_for, occurrence.happens_at)
            i18n = Localizer(member.language)
            content = reminder_content(i18n, rule, when, self.zone, occurrence_id, answer, nudge=False, late=False)
            return Answered(rule, content)

    async def _refresh_roll(
        self, session: AsyncSession, rule: ReminderRule, occurrence: Occurrence, now: datetime
    ) -> None:
        people = await audience_of(session, rule)
        answers = await answers_to(session, occurrence.id or 0)
        when = When(occurrence.planned_for, occurrence.happens_at)
        for organiser in (p for p in people if p.organiser):
            content = roll_content(Localizer(organiser.language), rule, when, self.zone, people, answers)
            key = roll_key(occurrence.id or 0, organiser.member_id)
            await enqueue_edit(session, of_key=key, content=content, now=now, priority=Priority.LOW)


async def _occurrence(session: AsyncSession, occurrence_id: int) -> tuple[Occurrence, ReminderRule]:
    """An occurrence and its rule (gone, if either is: a rule deleted since the reminder)."""
    occurrence = await session.get(Occurrence, occurrence_id)
    rule = await session.get(ReminderRule, occurrence.rule_id) if occurrence else None
    if occurrence is None or rule is None:
        raise NoLongerThere("reminders.rule_gone")
    return occurrence, rule
