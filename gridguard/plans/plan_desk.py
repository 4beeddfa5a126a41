"""Plan response's use cases, in the shape of gridguard/callouts/callout_desk: a level's preview and its start in
one press (Ⅱ/Ⅰ on a head's confirmation), its tasks and call-out handed out, the level changed (only the difference
goes out), the end, the situation log, and each assignee's answer to a task. The plans themselves are
gridguard/plans/plan_library."""

import asyncio
import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.callout_lifecycle import COMING
from gridguard.callouts.enums import CalloutKind, CalloutStatus
from gridguard.callouts.launch import CalloutOrder, launch_callout, reachable_responders, stand_down_callout
from gridguard.callouts.tables import Callout, CalloutRecipient
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, Notice, enqueue, enqueue_many
from gridguard.directory.enums import Role
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import (
    may_confirm_response,
    may_run_plans,
)
from gridguard.directory.tables import Member, StationGroup
from gridguard.kernel.errors import DomainError, NoLongerThere, NotAllowed
from gridguard.kernel.fitting import plain_text
from gridguard.plans.enums import (
    CONFIRMED_LEVELS,
    LEVEL_RANK,
    LogKind,
    PlanHazard,
    ResponseLevel,
    ResponseStatus,
    TaskStatus,
)
from gridguard.plans.plan_document import (
    LevelSpec,
)
from gridguard.plans.plan_library import LIVE, StationDesk, document_of, own_plan, startable
from gridguard.plans.plan_texts import (
    ResponseHeading,
    headed,
    level_name,
    marked,
    proposal_content,
    summary_text,
    task_content,
)
from gridguard.plans.response_lifecycle import (
    RESPONSE_TRANSITIONS,
    STILL_TO_DO,
    ResponseVerb,
    task_states_leading_to,
)
from gridguard.plans.response_state import (
    Assignment,
    assignments,
    card_content,
    card_key,
    county_of,
    heading_of,
    log,
    on_duty,
    overseers,
    progress_of,
    refresh_card,
    response_topic,
)
from gridguard.plans.situation_log import log_sheets, log_workbook
from gridguard.plans.tables import LogEntry, Plan, Response, ResponseCallout, ResponseTask
from gridguard.reminders.drill_records import DrillHeld, record_drill
from i18n import Localizer

NOTE_LIMIT = 500
KIND_OF_HAZARD = {
    PlanHazard.FLOOD_TYPHOON: CalloutKind.FLOOD_EVACUATION,
    PlanHazard.GEOLOGICAL: CalloutKind.SEARCH_RESCUE,
    PlanHazard.FOREST_FIRE: CalloutKind.FIRE,
    PlanHazard.WORK_SAFETY: CalloutKind.SEARCH_RESCUE,
    PlanHazard.OTHER: CalloutKind.GENERAL_HELP,
}


@dataclass(frozen=True)
class StartPreview:
    """将召集 48 人，下发 12 项任务（9 人），每 3 小时报送: what one press would do."""

    plan: str
    level: ResponseLevel
    condition: str
    drill: bool
    reaches: int
    needed: int
    tasks: int
    people: int
    report_every_hours: int | None
    needs_confirmation: bool
    on_duty: int = 0
    """How many the level's 24-hour duty holds."""


@dataclass(frozen=True)
class Started:
    response_id: int
    proposed: bool
    reached: int
    tasks: int


@dataclass(frozen=True)
class ChangePreview:
    level_from: ResponseLevel
    level_to: ResponseLevel
    version: int
    new_tasks: int
    withdrawn: int
    reaches: int
    needs_confirmation: bool


@dataclass(frozen=True)
class Applied:
    """What a level's start or change sent out."""

    tasks: int
    withdrawn: int
    reached: int


@dataclass(frozen=True)
class Decided:
    response_id: int
    confirmed: bool
    level: ResponseLevel


@dataclass(frozen=True)
class Running:
    id: int
    level: ResponseLevel
    version: int
    other_levels: list[ResponseLevel]
    """The plan's levels it may change to."""


@dataclass(frozen=True)
class TaskBrief:
    id: int
    title: str
    drill: bool


class PlanDesk(StationDesk):
    @classmethod
    async def _runnable_plan(cls, session: AsyncSession, member: MemberProfile, plan_id: int) -> Plan:
        """A township's plan the member may start (a county's published plan is adopted, never run)."""
        plan = await own_plan(session, member, plan_id)
        if not await startable(session, member, plan):
            raise NotAllowed()
        return plan

    # --- starting -------------------------------------------------------------------------------------

    async def preview(self, member: MemberProfile, plan_id: int, level: ResponseLevel, drill: bool) -> StartPreview:
        async with self.db.reading() as session:
            now = self.clock.now()
            plan = await self._runnable_plan(session, member, plan_id)
            await self._not_running(session, plan)
            document = document_of(plan.document)
            spec = document.level(level)
            reaches = await self._reach(session, plan.unit_id, plan.hazard, spec, member, now, frozenset())
            handed = await assignments(session, plan.unit_id, spec.tasks)
            return StartPreview(
                document.name,
                level,
                spec.condition,
                drill,
                reaches,
                spec.callout.needed if spec.callout else 0,
                len(handed),
                len({a.member_id for a in handed}),
                spec.report_every_hours,
                await self._needs_confirmation(session, member, plan.unit_id, level),
                len(await on_duty(session, plan.unit_id, spec.duty)),
            )

    async def _needs_confirmation(
        self, session: AsyncSession, member: MemberProfile, township_id: int, level: ResponseLevel
    ) -> bool:
        if level not in CONFIRMED_LEVELS:
            return False
        return not may_confirm_response(member, township_id, (await county_of(session, township_id),))

    @staticmethod
    async def _not_running(session: AsyncSession, plan: Plan) -> None:
        query = select(Response.id).where(
            Response.township_id == plan.unit_id, Response.hazard == plan.hazard, col(Response.status).in_(LIVE)
        )
        if (await session.exec(query)).first() is not None:
            raise DomainError("plan.already_running")

    @staticmethod
    async def _reach(
        session: AsyncSession,
        township_id: int,
        hazard: PlanHazard,
        spec: LevelSpec,
        member: MemberProfile,
        now: datetime,
        asked: frozenset[int],
    ) -> int:
        if spec.callout is None:
            return 0
        order = _order(township_id, hazard, spec, False)
        return len(await reachable_responders(session, order, now, member.id, asked))

    async def start(self, member: MemberProfile, plan_id: int, level: ResponseLevel, drill: bool) -> Started:
        """One press: the response starts at `level` and everything it sends is queued in this transaction; Ⅱ/Ⅰ
        pressed by a duty member is proposed to the heads instead. Two presses at once (two instances, a double tap)
        start one response: the other is refused."""
        try:
            async with self._work() as (session, now):
                plan = await self._runnable_plan(session, member, plan_id)
                await self._not_running(session, plan)
                document = document_of(plan.document)
                document.level(level)
                proposed = await self._needs_confirmation(session, member, plan.unit_id, level)
                response = Response(
                    township_id=plan.unit_id,
                    plan_id=plan_id,
                    hazard=plan.hazard,
                    document=plan.document,
                    level=level,
                    status=ResponseStatus.PROPOSED if proposed else ResponseStatus.ACTIVE,
                    drill=drill,
                    started_by_id=member.id or 0,
                    card_chat_id=await self._card_chat(session, plan.unit_id, member),
                    created_at=now,
                )
                session.add(response)
                await session.flush()
                await self._post_card(session, response, now)
                if proposed:
                    await self._propose(session, response, level, member, now, starting=True)
                    return Started(response.id or 0, True, 0, 0)
                applied = await self._apply(session, response, level, member, now)
                return Started(response.id or 0, False, applied.reached, applied.tasks)
        except IntegrityError as clash:
            raise DomainError("plan.already_running") from clash

    @staticmethod
    async def _card_chat(session: AsyncSession, township_id: int, member: MemberProfile) -> int:
        """The station's group keeps the progress card; without one, the starter's own chat."""
        query = select(StationGroup.chat_id).where(StationGroup.township_id == township_id)
        return (await session.exec(query)).first() or member.telegram_id

    async def _post_card(self, session: AsyncSession, response: Response, now: datetime) -> None:
        await enqueue(
            session,
            dedupe_key=card_key(response.id or 0),
            chat_id=response.card_chat_id,
            content=await card_content(session, response, self.zone),
            now=now,
            priority=Priority.URGENT,
        )

    async def _propose(
        self,
        session: AsyncSession,
        response: Response,
        level: ResponseLevel,
        member: MemberProfile,
        now: datetime,
        starting: bool,
    ) -> None:
        """Ask the township's heads (or, without one, the county) to confirm Ⅱ/Ⅰ; the proposal is a log entry whose
        id its buttons carry, so a decided proposal's buttons never decide a later one."""
        i18n = Localizer(self.language)
        entry = await log(
            session,
            response,
            now,
            member.id,
            LogKind.PROPOSED,
            i18n("plan.log_text_proposed", who=member.name, level=level_name(i18n, level)),
        )
        response.proposed_level, response.proposed_by_id, response.proposal_id = level, member.id, entry.id
        response.version += 1
        session.add(response)
        heading = replace(await heading_of(session, response), level=level)
        condition = document_of(response.document).level(level).condition
        deciders = await overseers(session, response.township_id, with_county=True)
        notices = [
            Notice(
                f"{response_topic(response.id or 0)}:proposal:{entry.id}:{d.member_id}",
                d.telegram_id,
                proposal_content(Localizer(d.language), heading, member.name, condition, entry.id or 0, starting),
                Priority.URGENT,
                d.member_id,
            )
            for d in deciders
        ]
        await enqueue_many(session, notices, now)
        await refresh_card(session, response, now, self.zone)

    async def _apply(
        self, session: AsyncSession, response: Response, level: ResponseLevel, actor: MemberProfile, now: datetime
    ) -> Applied:
        """The level in force: its tasks handed to whoever lacks them, the tasks it no longer lists withdrawn, its
        call-out sent to responders this response has not asked yet, the report cadence set; logged once."""
        document = document_of(response.document)
        spec = document.level(level)
        previous = response.level
        first = response.started_at is None
        response.level, response.proposed_level, response.proposal_id = level, None, None
        response.status = ResponseStatus.ACTIVE
        response.started_at = response.started_at or now
        response.version += 1
        if not first:
            response.changes += 1
        every = spec.report_every_hours
        response.next_report_at = now + timedelta(hours=every) if every else None
        session.add(response)
        heading = await heading_of(session, response)
        tasks = await self._hand_out(session, response, spec, heading, now)
        withdrawn = await withdraw_tasks(session, response, {t.key for t in spec.tasks}, heading, now, self.zone)
        reached = await self._call_out(session, response, spec, actor, now)
        before = [] if first else document.level(previous).duty
        await tell_duty(session, response, heading, before, spec.duty, str(response.changes), now)
        i18n = Localizer(self.language)
        key = "plan.log_text_started" if first else "plan.log_text_level"
        text = i18n(
            key,
            who=actor.name,
            level=level_name(i18n, level),
            before=level_name(i18n, previous),
            tasks=tasks,
            withdrawn=withdrawn,
            reached=reached,
        )
        await log(session, response, now, actor.id, LogKind.STARTED if first else LogKind.LEVEL, text)
        await refresh_card(session, response, now, self.zone)
        return Applied(tasks, withdrawn, reached)

    async def _hand_out(
        self, session: AsyncSession, response: Response, spec: LevelSpec, heading: ResponseHeading, now: datetime
    ) -> int:
        """Each of the level's tasks to every member holding its role who lacks it; one withdrawn when the level went
        down comes back (the level is up again). How many went out."""
        held = select(ResponseTask).where(ResponseTask.response_id == response.id)
        rows_held = {(t.member_id, t.key): t for t in (await session.exec(held)).all()}
        due = {t.key: now + timedelta(hours=t.due_hours) for t in spec.tasks}
        going: list[tuple[ResponseTask, Assignment, str]] = []
        topic = response_topic(response.id or 0)
        fresh = []
        for a in await assignments(session, response.township_id, spec.tasks):
            row = rows_held.get((a.member_id, a.task.key))
            if row is None:
                fresh.append((_task_row(response, a, due[a.task.key], now), a))
            elif row.status == TaskStatus.WITHDRAWN:
                row.status, row.due_at, row.escalated_at, row.closed_at = TaskStatus.OPEN, due[a.task.key], None, None
                session.add(row)
                going.append((row, a, f"{topic}:task:{row.id}:{response.changes}"))
        session.add_all([row for row, _ in fresh])
        await session.flush()
        going += [(row, a, f"{topic}:task:{row.id}") for row, a in fresh]
        notices = [
            Notice(
                key,
                a.telegram_id,
                task_content(Localizer(a.language), heading, row.id or 0, row.title, row.due_at, self.zone),
                Priority.URGENT,
                a.member_id,
            )
            for row, a, key in going
        ]
        await enqueue_many(session, notices, now)
        return len(going)

    async def _call_out(
        self, session: AsyncSession, response: Response, spec: LevelSpec, actor: MemberProfile, now: datetime
    ) -> int:
        """The level's call-out, to the responders no call-out of this response has asked (none: none sent)."""
        if spec.callout is None:
            return 0
        asked = await asked_by(session, response.id or 0)
        order = _order(response.township_id, response.hazard, spec, response.drill, self.language)
        recipients = await reachable_responders(session, order, now, actor.id, asked)
        if not recipients:
            return 0
        callout = await launch_callout(session, actor, order, recipients, now, self.zone)
        session.add(ResponseCallout(response_id=response.id or 0, callout_id=callout.id or 0, level=response.level))
        return len(recipients)

    # --- deciding a proposal --------------------------------------------------------------------------

    async def decide(self, member: MemberProfile, proposal_id: int, confirmed: bool) -> Decided:
        """A head's 同意 or 不同意 on a proposal (the log entry its buttons name): a proposed start becomes active or
        declined; a proposed raise is applied or dropped. A proposal already decided changes nothing."""
        async with self._work() as (session, now):
            entry = await session.get(LogEntry, proposal_id)
            if entry is None or entry.kind != LogKind.PROPOSED:
                raise NoLongerThere("plan.gone")
            response = await session.get(Response, entry.response_id, with_for_update=True)
            assert response is not None
            if not may_confirm_response(
                member, response.township_id, (await county_of(session, response.township_id),)
            ):
                raise NotAllowed()
            if response.proposal_id != proposal_id or response.proposed_level is None:
                raise NoLongerThere("plan.already_decided")
            level = response.proposed_level
            await self._mark_decided(session, response, level, member, now, confirmed)
            await self._tell_proposer(session, response, level, member, confirmed, now)
            if confirmed:
                response.confirmed_by_id = member.id
                await self._apply(session, response, level, member, now)
            elif response.status == ResponseStatus.PROPOSED:
                await self._move(session, response, ResponseVerb.DECLINE, now)
            else:
                response.proposed_level, response.proposal_id = None, None
                response.version += 1
                session.add(response)
                await refresh_card(session, response, now, self.zone)
            return Decided(response.id or 0, confirmed, level)

    async def _mark_decided(
        self,
        session: AsyncSession,
        response: Response,
        level: ResponseLevel,
        member: MemberProfile,
        now: datetime,
        confirmed: bool,
    ) -> None:
        i18n = Localizer(self.language)
        key = "plan.log_text_confirmed" if confirmed else "plan.log_text_declined"
        kind = LogKind.CONFIRMED if confirmed else LogKind.DECLINED
        await log(session, response, now, member.id, kind, i18n(key, who=member.name, level=level_name(i18n, level)))

    async def _tell_proposer(
        self,
        session: AsyncSession,
        response: Response,
        level: ResponseLevel,
        member: MemberProfile,
        confirmed: bool,
        now: datetime,
    ) -> None:
        proposer = await session.get(Member, response.proposed_by_id) if response.proposed_by_id else None
        if proposer is None or proposer.id == member.id:
            return
        i18n = Localizer(proposer.language)
        key = "plan.proposal_confirmed" if confirmed else "plan.proposal_declined"
        text = marked(i18n, response.drill, i18n(key, level=level_name(i18n, level), who=member.name))
        await enqueue(
            session,
            dedupe_key=f"{response_topic(response.id or 0)}:decided:{response.proposal_id}",
            chat_id=proposer.telegram_id,
            content=Content(text=text),
            now=now,
            priority=Priority.URGENT,
            member_id=proposer.id,
        )

    async def _move(self, session: AsyncSession, response: Response, verb: ResponseVerb, now: datetime) -> None:
        """A status move by the transition table, if the response still stands where it was read (its version)."""
        transition = RESPONSE_TRANSITIONS[verb]
        moved = await session.exec(
            update(Response)
            .where(
                col(Response.id) == response.id,
                col(Response.status) == transition.allowed_from,
                col(Response.version) == response.version,
            )
            .values(
                status=transition.to, version=response.version + 1, ended_at=now, proposed_level=None, proposal_id=None
            )
        )
        if moved.rowcount != 1:
            raise NoLongerThere("plan.changed_meanwhile")
        await session.refresh(response)
        await refresh_card(session, response, now, self.zone)

    # --- running: level changes and the end ------------------------------------------------------------

    async def running(self, member: MemberProfile, response_id: int) -> Running:
        """The active response, if the member runs the township's responses (before offering levels or the end)."""
        async with self.db.reading() as session:
            response = await _running(session, member, response_id)
            levels = document_of(response.document).ordered_levels()
            return Running(response_id, response.level, response.version, [lv for lv in levels if lv != response.level])

    async def card(self, member: MemberProfile, response_id: int) -> Content:
        """The running response's progress card, for the member's own chat."""
        async with self.db.reading() as session:
            response = await _running(session, member, response_id)
            return await card_content(session, response, self.zone)

    async def change_preview(self, member: MemberProfile, response_id: int, level: ResponseLevel) -> ChangePreview:
        async with self.db.reading() as session:
            response = await _running(session, member, response_id)
            if level == response.level:
                raise DomainError("plan.same_level")
            spec = document_of(response.document).level(level)
            held = select(ResponseTask.member_id, ResponseTask.key, ResponseTask.status).where(
                ResponseTask.response_id == response_id
            )
            rows = (await session.exec(held)).all()
            keys = {t.key for t in spec.tasks}
            standing = {(m, k) for m, k, status in rows if status != TaskStatus.WITHDRAWN}
            new = [
                a
                for a in await assignments(session, response.township_id, spec.tasks)
                if (a.member_id, a.task.key) not in standing
            ]
            withdrawn = sum(1 for _, k, s in rows if k not in keys and s in STILL_TO_DO)
            asked = await asked_by(session, response_id)
            reaches = await self._reach(
                session, response.township_id, response.hazard, spec, member, self.clock.now(), asked
            )
            needs = LEVEL_RANK[level] > LEVEL_RANK[response.level] and await self._needs_confirmation(
                session, member, response.township_id, level
            )
            return ChangePreview(response.level, level, response.version, len(new), withdrawn, reaches, needs)

    async def change_level(
        self, member: MemberProfile, response_id: int, level: ResponseLevel, version: int
    ) -> Applied | None:
        """Go to `level` as previewed (the response unchanged since: `version`): the difference goes out; a raise to
        Ⅱ/Ⅰ by a duty member is proposed to the heads (None)."""
        async with self._work() as (session, now):
            response = await _running(session, member, response_id, lock=True)
            if response.version != version:
                raise NoLongerThere("plan.changed_meanwhile")
            if level == response.level:
                raise DomainError("plan.same_level")
            document_of(response.document).level(level)
            raising = LEVEL_RANK[level] > LEVEL_RANK[response.level]
            if raising and await self._needs_confirmation(session, member, response.township_id, level):
                await self._propose(session, response, level, member, now, starting=False)
                return None
            return await self._apply(session, response, level, member, now)

    async def end(self, member: MemberProfile, response_id: int) -> str:
        """Stand everyone down: open tasks withdrawn, the response's open call-outs stood down, the summary written
        to the log and the card. The summary."""
        async with self._work() as (session, now):
            response = await _running(session, member, response_id, lock=True)
            heading = await heading_of(session, response)
            progress = await progress_of(session, response)
            withdrawn = await withdraw_tasks(session, response, set(), heading, now, self.zone)
            standing = document_of(response.document).level(response.level).duty
            await tell_duty(session, response, heading, standing, [], "end", now)
            for callout in await _open_callouts(session, response_id):
                await stand_down_callout(session, callout, member.name, now, self.zone)
            i18n = Localizer(self.language)
            summary = summary_text(i18n, progress, withdrawn, now - (response.started_at or now))
            response.summary = summary
            session.add(response)
            await log(
                session,
                response,
                now,
                member.id,
                LogKind.ENDED,
                i18n("plan.log_text_ended", who=member.name, summary=summary),
            )
            if response.drill:
                summary += await self._record_drill(session, response, heading, summary, member, now)
            await self._move(session, response, ResponseVerb.CONFIRM_END, now)
            return summary

    async def _record_drill(
        self,
        session: AsyncSession,
        response: Response,
        heading: ResponseHeading,
        summary: str,
        member: MemberProfile,
        now: datetime,
    ) -> str:
        """A drill ended is the township's drill of its half-year (reminders' record): its scenario, the summary and
        who took part (a task done, or answered the call-out as coming). What the summary adds about it."""
        i18n = Localizer(self.language)
        scenario = i18n("plan.drill_scenario", plan=heading.plan, level=level_name(i18n, heading.level))
        held = DrillHeld(
            response.township_id,
            response.started_at or now,
            scenario,
            summary,
            sorted(await took_part(session, response.id or 0)),
            member.id,
        )
        title = await record_drill(session, held, now, self.zone)
        text = i18n("plan.drill_recorded", title=title) if title else i18n("plan.drill_not_recorded")
        await log(session, response, now, member.id, LogKind.NOTE, text)
        return "\n" + plain_text(text)

    # --- the situation log ----------------------------------------------------------------------------

    async def add_note(
        self, member: MemberProfile, response_id: int, text: str | None, photo: str | None, voice: str | None
    ) -> None:
        """An entry typed, or a photo or voice note (with its caption), into the running response's log."""
        i18n = Localizer(self.language)
        marker = i18n("plan.log_text_photo") if photo else i18n("plan.log_text_voice") if voice else ""
        words = _checked_note(text, required=not marker) or ""
        async with self._work() as (session, now):
            response = await _running(session, member, response_id)
            typed = " ".join(filter(None, (marker, html.escape(words, quote=False))))
            entry = await log(session, response, now, member.id, LogKind.NOTE, typed)
            entry.file_id = photo or voice
            session.add(entry)

    async def log_file(self, member: MemberProfile, response_id: int) -> tuple[str, bytes, str]:
        """The situation log as a workbook (built off the event loop): its file name, bytes and caption."""
        async with self.db.reading() as session:
            response = await session.get(Response, response_id)
            if response is None:
                raise NoLongerThere("plan.gone")
            if not may_run_plans(member, response.township_id):
                raise NotAllowed()
            sheets = await log_sheets(session, response, self.clock.now())
            heading = await heading_of(session, response)
        i18n = Localizer(member.language)
        data = await asyncio.to_thread(log_workbook, sheets, i18n, self.zone)
        caption = marked(
            i18n,
            response.drill,
            i18n("plan.log_file_caption", plan=heading.plan, level=level_name(i18n, response.level)),
        )
        day = (response.started_at or response.created_at).astimezone(self.zone).date().isoformat()
        return f"gridguard-response-{response_id}-{day}.xlsx", data, caption

    # --- tasks ----------------------------------------------------------------------------------------

    async def task(self, member: MemberProfile, task_id: int) -> TaskBrief:
        """The member's own task, still to do, in a running response (before asking for a note or a reason)."""
        async with self.db.reading() as session:
            task, response = await _own_task(session, member, task_id)
            return TaskBrief(task.id or 0, task.title, response.drill)

    async def finish_task(self, member: MemberProfile, task_id: int, note: str | None, photo: str | None) -> TaskBrief:
        """Done, with a note or a photo (or neither)."""
        note = _checked_note(note, required=False)
        async with self._work() as (session, now):
            task, response = await _own_task(session, member, task_id)
            await _move_task(session, task, TaskStatus.DONE, now, note, photo)
            i18n = Localizer(self.language)
            text = i18n("plan.log_text_task_done", who=member.name, title=task.title, note=note or "")
            await log(session, response, now, member.id, LogKind.TASK_DONE, text)
            await refresh_card(session, response, now, self.zone)
            return TaskBrief(task.id or 0, task.title, response.drill)

    async def cant_do_task(self, member: MemberProfile, task_id: int, reason: str) -> TaskBrief:
        """Can't, with the reason: the heads hear it."""
        reason = _checked_note(reason, required=True) or ""
        async with self._work() as (session, now):
            task, response = await _own_task(session, member, task_id)
            if task.status == TaskStatus.CANT:
                raise DomainError("plan.task_already_cant")
            await _move_task(session, task, TaskStatus.CANT, now, reason, None)
            i18n = Localizer(self.language)
            text = i18n("plan.log_text_task_cant", who=member.name, title=task.title, reason=reason)
            await log(session, response, now, member.id, LogKind.TASK_CANT, text)
            heading = await heading_of(session, response)
            notices = [
                Notice(
                    f"{response_topic(response.id or 0)}:cant:{task.id}:{o.member_id}",
                    o.telegram_id,
                    headed(
                        Localizer(o.language),
                        heading,
                        "plan.task_cant_notice",
                        who=member.name,
                        title=task.title,
                        reason=reason,
                    ),
                    Priority.URGENT,
                    o.member_id,
                )
                for o in await overseers(session, response.township_id)
            ]
            await enqueue_many(session, notices, now)
            await refresh_card(session, response, now, self.zone)
            return TaskBrief(task.id or 0, task.title, response.drill)


def _order(township_id: int, hazard: PlanHazard, spec: LevelSpec, drill: bool, language: str = "zh") -> CalloutOrder:
    assert spec.callout is not None
    message = marked(Localizer(language), drill, spec.callout.message)
    return CalloutOrder(township_id, KIND_OF_HAZARD[hazard], (), message, spec.callout.needed, drill=drill)


def _task_row(response: Response, assignment: Assignment, due_at: datetime, now: datetime) -> ResponseTask:
    return ResponseTask(
        response_id=response.id or 0,
        member_id=assignment.member_id,
        key=assignment.task.key,
        title=assignment.task.title,
        role=assignment.task.role,
        unit_id=assignment.unit_id,
        status=TaskStatus.OPEN,
        due_at=due_at,
        created_at=now,
    )


def _checked_note(text: str | None, required: bool) -> str | None:
    note = " ".join((text or "").split())
    if required and not note:
        raise DomainError("plan.reason_empty")
    if len(note) > NOTE_LIMIT:
        raise DomainError("plan.note_too_long", limit=NOTE_LIMIT)
    return note or None


async def _running(session: AsyncSession, member: MemberProfile, response_id: int, lock: bool = False) -> Response:
    response = await session.get(Response, response_id, with_for_update=lock)
    if response is None:
        raise NoLongerThere("plan.gone")
    if not may_run_plans(member, response.township_id):
        raise NotAllowed()
    if response.status != ResponseStatus.ACTIVE:
        raise NoLongerThere("plan.not_running")
    return response


async def _own_task(session: AsyncSession, member: MemberProfile, task_id: int) -> tuple[ResponseTask, Response]:
    task = await session.get(ResponseTask, task_id)
    if task is None:
        raise NoLongerThere("plan.task_gone")
    if task.member_id != member.id:
        raise NotAllowed()
    response = await session.get(Response, task.response_id)
    if response is None or response.status != ResponseStatus.ACTIVE or task.status not in STILL_TO_DO:
        raise NoLongerThere("plan.task_closed")
    return task, response


async def _move_task(
    session: AsyncSession, task: ResponseTask, to: TaskStatus, now: datetime, note: str | None, photo: str | None
) -> None:
    """One statement, from where the table allows: two presses at once move it once."""
    moved = await session.exec(
        update(ResponseTask)
        .where(col(ResponseTask.id) == task.id, col(ResponseTask.status).in_(task_states_leading_to(to)))
        .values(status=to, note=note, photo_file_id=photo, closed_at=now)
    )
    if moved.rowcount != 1:
        raise NoLongerThere("plan.task_closed")


async def asked_by(session: AsyncSession, response_id: int) -> frozenset[int]:
    """Everyone the response's call-outs have asked."""
    query = (
        select(CalloutRecipient.member_id)
        .join(ResponseCallout, col(ResponseCallout.callout_id) == CalloutRecipient.callout_id)
        .where(ResponseCallout.response_id == response_id)
    )
    return frozenset((await session.exec(query)).all())


async def _open_callouts(session: AsyncSession, response_id: int) -> Sequence[Callout]:
    query = (
        select(Callout)
        .join(ResponseCallout, col(ResponseCallout.callout_id) == Callout.id)
        .where(ResponseCallout.response_id == response_id, Callout.status == CalloutStatus.OPEN)
    )
    return (await session.exec(query)).all()


async def withdraw_tasks(
    session: AsyncSession, response: Response, keep: set[str], heading: ResponseHeading, now: datetime, zone: ZoneInfo
) -> int:
    """The response's tasks still to do whose key is not in `keep`, withdrawn; each assignee told once."""
    query = (
        select(ResponseTask, Member.telegram_id, Member.language)
        .join(Member, col(Member.id) == ResponseTask.member_id)
        .where(ResponseTask.response_id == response.id, col(ResponseTask.status).in_(STILL_TO_DO))
    )
    going = [(t, chat, lang) for t, chat, lang in (await session.exec(query)).all() if t.key not in keep]
    if not going:
        return 0
    ids = [t.id for t, _, _ in going]
    await session.exec(
        update(ResponseTask)
        .where(col(ResponseTask.id).in_(ids), col(ResponseTask.status).in_(STILL_TO_DO))
        .values(status=TaskStatus.WITHDRAWN, closed_at=now)
    )
    topic = response_topic(response.id or 0)
    notices = [
        Notice(
            f"{topic}:withdrawn:{t.id}",
            chat,
            replace(
                headed(Localizer(lang), heading, "plan.withdrawn_notice", title=t.title),
                reply_to=f"{topic}:task:{t.id}",
            ),
            Priority.URGENT,
            t.member_id,
        )
        for t, chat, lang in going
    ]
    await enqueue_many(session, notices, now)
    return len(going)


async def tell_duty(
    session: AsyncSession,
    response: Response,
    heading: ResponseHeading,
    before: Sequence[Role],
    after: Sequence[Role],
    change: str,
    now: datetime,
) -> None:
    """Those the level's 24-hour duty now holds and did not are told it starts; those it held and no longer does,
    that it is lifted (keyed by the change, so each hears it once)."""
    was = {m.id: m for m in await on_duty(session, response.township_id, before)}
    now_on = {m.id: m for m in await on_duty(session, response.township_id, after)}
    topic = response_topic(response.id or 0)
    moves = [(m, "on", "plan.duty_on") for i, m in now_on.items() if i not in was]
    moves += [(m, "off", "plan.duty_off") for i, m in was.items() if i not in now_on]
    notices = [
        Notice(
            f"{topic}:duty-{what}:{change}:{m.id}",
            m.telegram_id,
            headed(Localizer(m.language), heading, key),
            Priority.URGENT,
            m.id,
        )
        for m, what, key in moves
    ]
    await enqueue_many(session, notices, now)


async def took_part(session: AsyncSession, response_id: int) -> set[int]:
    """Who took part in a response: a task done, or the call-out answered as on the way or arrived."""
    done = select(ResponseTask.member_id).where(
        ResponseTask.response_id == response_id, ResponseTask.status == TaskStatus.DONE
    )
    coming = (
        select(CalloutRecipient.member_id)
        .join(ResponseCallout, col(ResponseCallout.callout_id) == CalloutRecipient.callout_id)
        .where(ResponseCallout.response_id == response_id, col(CalloutRecipient.answer).in_(list(COMING)))
    )
    return set((await session.exec(done)).all()) | set((await session.exec(coming)).all())
