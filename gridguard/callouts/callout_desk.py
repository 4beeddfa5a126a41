"""Call-outs' use cases, in the shape of gridguard/reports/report_desk: /alert (what the wizard starts from, the
preview with
how many it reaches, sending), a volunteer's answer (which edits the sender's live tally, at most every 2 s), the
sender's message to those coming and the stand-down, /alerts, and /available."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.callout_lifecycle import (
    COMING,
    answers_leading_to,
    may_change_answer,
)
from gridguard.callouts.callout_notices import callout_topic
from gridguard.callouts.callout_texts import (
    REPORT_TEXT_SHOWN,
    ReportBrief,
    alert_text,
    answer_name,
    reminder_content,
    tally_content,
)
from gridguard.callouts.callouts import (
    AreaResponders,
    CalloutRecord,
    area_responders,
    callouts_since,
    check_meeting_point,
    is_available,
    recipients_answering,
    record_of,
    tally_of,
    villages_of,
)
from gridguard.callouts.enums import CalloutAnswer, CalloutKind, CalloutStatus
from gridguard.callouts.launch import (
    CalloutOrder,
    launch_callout,
    refresh_tally,
    stand_down_callout,
    under_alerts,
)
from gridguard.callouts.tables import Availability, Callout, CalloutRecipient
from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryWorker
from gridguard.delivery.desk import TownshipDesk
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, enqueue, enqueue_many
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import Action, may_at_all, may_call_out, may_run_callout, townships_of
from gridguard.directory.places import place_of
from gridguard.directory.tables import Member, Unit
from gridguard.duty.enums import DutyLayer
from gridguard.duty.roster import on_duty_now
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import DomainError, NoLongerThere, NotAllowed
from gridguard.kernel.fitting import TEXT_LIMIT, visible_length
from gridguard.kernel.numbers import clock_minutes
from gridguard.reports.enums import Category, Severity
from gridguard.reports.tables import Report
from i18n import LANGUAGES, Localizer

REMIND_AFTER = timedelta(minutes=10)
NEEDED_LIMIT = 10_000
NOTE_LIMIT = 1000
MEETING_PLACE_LIMIT = 100
RECENT_SHOWN = 10
RECENT_DAYS = 90
CRITICAL_KINDS = frozenset({CalloutKind.FLOOD_EVACUATION, CalloutKind.FIRE, CalloutKind.SEARCH_RESCUE})
"""Call-outs that may go by paid broadcast (with PAID_BROADCAST on), besides one raised from a critical report."""
KIND_OF_CATEGORY = {
    Category.FIRE: CalloutKind.FIRE,
    Category.FOREST_FIRE: CalloutKind.FIRE,
    Category.FLOOD: CalloutKind.FLOOD_EVACUATION,
    Category.LANDSLIDE: CalloutKind.SEARCH_RESCUE,
    Category.BUILDING: CalloutKind.SEARCH_RESCUE,
}


@dataclass(frozen=True)
class CalloutDraft:
    """What the wizard gathered."""

    township_id: int
    kind: CalloutKind
    villages: tuple[int, ...]
    message: str
    """The sender's words (may be empty for a call-out from a report, which carries the report's)."""
    needed: int
    latitude: float | None = None
    longitude: float | None = None
    report_id: int | None = None
    meeting_place: str | None = None
    """Where to meet, typed (without a pin)."""


@dataclass(frozen=True)
class Opening:
    """What /alert starts from: the township and its villages; from a critical report, its kind, village, what the
    report says and its location, prefilled."""

    township_id: int
    township: str
    villages: list[tuple[int, str]]
    kind: CalloutKind | None = None
    village_id: int | None = None
    report: ReportBrief | None = None
    location: tuple[float, float] | None = None
    report_id: int | None = None


@dataclass(frozen=True)
class Preview:
    township: str
    villages: list[str]
    reaches: int
    unavailable: int
    unreachable: int
    paid: bool
    report: ReportBrief | None = None
    """The report the alert carries, if raised from one."""


class Pause(StrEnum):
    """How long a volunteer pauses with a button on /available."""

    OPEN = "open"
    """Until they answer again."""
    TWO_HOURS = "2h"
    EIGHT_HOURS = "8h"
    TILL_MORNING = "morning"
    """Until 08:00 tomorrow."""


@dataclass(frozen=True)
class RecentCallouts:
    records: list[CalloutRecord]
    live: list[Callout]
    """The open ones among them the member may run."""


@dataclass(frozen=True)
class Answered:
    answer: CalloutAnswer
    has_point: bool
    """Whether the call-out has a meeting point (its pin follows for someone who sets out)."""


@dataclass(frozen=True)
class Say:
    """A volunteer's availability now, and their say (with when it lapses)."""

    available: bool
    until: datetime | None


async def brief_of(session: AsyncSession, report: Report) -> ReportBrief:
    unit = await session.get(Unit, report.unit_id)
    place = (await place_of(session, unit)).label if unit else report.code
    return ReportBrief(report.code, report.category, place, report.description, report.voice_file_id)


@dataclass(frozen=True)
class TallyReader:
    telegram_id: int
    language: str
    township: str


async def _sender_of(session: AsyncSession, callout: Callout) -> TallyReader | None:
    query = (
        select(Member.telegram_id, Member.language, Unit.name)
        .join(Unit, col(Unit.id) == callout.township_id)
        .where(Member.id == callout.sender_id)
    )
    found = (await session.exec(query)).first()
    return TallyReader(*found) if found is not None else None


async def render_tally(session: AsyncSession, callout_id: int, zone: ZoneInfo) -> Content:
    """The sender's live tally as it stands now, in their language (rendered by delivery when the edit goes)."""
    callout = await session.get(Callout, callout_id)
    sender = await _sender_of(session, callout) if callout is not None else None
    if callout is None or sender is None:
        raise NoLongerThere("callout.gone")
    tally = await tally_of(session, callout_id)
    return tally_content(Localizer(sender.language), callout, sender.township, tally, zone)


class CalloutDesk(TownshipDesk):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        zone: ZoneInfo,
        paid_broadcast: bool = False,
        delivery: DeliveryWorker | None = None,
    ) -> None:
        super().__init__(db, clock, zone, delivery)
        self.paid_broadcast = paid_broadcast

    # --- sending ---------------------------------------------------------------------------------

    async def opening(self, member: MemberProfile, report_id: int | None = None) -> Opening:
        """Where the member may call out (refused if nowhere, or a duty member off duty); from a report, prefilled."""
        async with self.db.reading() as session:
            now = self.clock.now()
            report = await session.get(Report, report_id) if report_id is not None else None
            if report_id is not None and report is None:
                raise NoLongerThere("callout.report_gone")
            township_id = report.township_id if report else self._township(member, Action.CALL_OUT)
            await self._check_caller(session, member, township_id, now)
            township = await session.get(Unit, township_id)
            villages = [(v.id or 0, v.name) for v in await villages_of(session, township_id)]
            opening = Opening(township_id, township.name if township else "?", villages)
            if report is None:
                return opening
            return await self._from_report(session, opening, report, villages)

    async def _from_report(
        self, session: AsyncSession, opening: Opening, report: Report, villages: list[tuple[int, str]]
    ) -> Opening:
        village = next((v for v, _ in villages if v == report.unit_id), None)
        if village is None:
            unit = await session.get(Unit, report.unit_id)
            village = unit.parent_id if unit and unit.parent_id in {v for v, _ in villages} else None
        located = report.latitude is not None and report.longitude is not None
        return Opening(
            opening.township_id,
            opening.township,
            villages,
            KIND_OF_CATEGORY.get(report.category, CalloutKind.GENERAL_HELP),
            village,
            await brief_of(session, report),
            (report.latitude, report.longitude) if located else None,  # type: ignore[arg-type]
            report.id,
        )

    async def _check_caller(
        self, session: AsyncSession, member: MemberProfile, township_id: int, now: datetime
    ) -> None:
        """A head of the township may call out; its duty members while on duty (refused with a reason)."""
        roster = await on_duty_now(session, township_id, self.zone, now)
        on_duty = None
        if roster is not None:
            on_duty = frozenset(m.id for layer in DutyLayer if (m := roster.member_at(layer, now)) is not None)
        if may_call_out(member, township_id, on_duty):
            return
        if township_id in townships_of(member, Action.CALL_OUT):
            raise DomainError("callout.not_on_duty")
        raise NotAllowed()

    def check_message(self, text: str, from_report: bool = False) -> str:
        """The alert's message, if the alert carrying it (and a report's longest brief) fits a Telegram message in
        every language; empty only beside a report's own words."""
        message = text.strip()
        if not message and not from_report:
            raise DomainError("callout.message_empty")
        probe = Callout(
            township_id=0,
            sender_id=0,
            kind=CalloutKind.GENERAL_HELP,
            villages=[],
            message=message,
            needed=NEEDED_LIMIT,
            latitude=90.0,
            longitude=180.0,
            meeting_place="—" * MEETING_PLACE_LIMIT,
            status=CalloutStatus.OPEN,
            created_at=self.clock.now(),
        )
        report = ReportBrief("—" * 20, Category.OTHER, "—" * 60, "—" * REPORT_TEXT_SHOWN, None) if from_report else None
        longest = max(
            visible_length(alert_text(Localizer(lang), probe, "—" * 20, ["—" * 20] * 3, "—" * 20, "0" * 20, report))
            for lang in LANGUAGES
        )
        if longest > TEXT_LIMIT:
            raise DomainError("callout.message_too_long", over=longest - TEXT_LIMIT)
        return message

    @staticmethod
    def check_meeting_place(text: str) -> str:
        """A meeting place in words: one line, not empty, at most MEETING_PLACE_LIMIT characters."""
        place = " ".join(text.split())
        if not place:
            raise DomainError("callout.ask_point")
        if len(place) > MEETING_PLACE_LIMIT:
            raise DomainError("callout.place_too_long", limit=MEETING_PLACE_LIMIT)
        return place

    async def check_point(self, member: MemberProfile, township_id: int, latitude: float, longitude: float) -> None:
        async with self.db.reading() as session:
            await self._check_caller(session, member, township_id, self.clock.now())
            await check_meeting_point(session, township_id, latitude, longitude)

    def _paid(self, draft: CalloutDraft, report: Report | None) -> bool:
        critical_report = report is not None and report.severity == Severity.CRITICAL
        return self.paid_broadcast and (draft.kind in CRITICAL_KINDS or critical_report)

    async def _reach(
        self, session: AsyncSession, member: MemberProfile, draft: CalloutDraft, now: datetime, sending: bool = True
    ) -> tuple[AreaResponders, Unit, list[Unit]]:
        await self._check_caller(session, member, draft.township_id, now)
        township = await session.get(Unit, draft.township_id)
        own = {v.id: v for v in await villages_of(session, draft.township_id)}
        if township is None or any(v not in own for v in draft.villages):
            raise NoLongerThere("callout.area_gone")
        if not 1 <= draft.needed <= NEEDED_LIMIT:
            raise DomainError("callout.needed_invalid", limit=NEEDED_LIMIT)
        responders = await area_responders(session, draft.township_id, draft.villages, now, member.id)
        if sending and not responders.ready:
            raise DomainError(
                "callout.nobody_available", unavailable=responders.unavailable, unreachable=responders.unreachable
            )
        return responders, township, [own[v] for v in draft.villages]

    async def preview(self, member: MemberProfile, draft: CalloutDraft) -> Preview:
        """How many the alert would reach (none: the wizard offers another area, keeping what was typed), and how
        many are left out."""
        async with self.db.reading() as session:
            responders, township, villages = await self._reach(session, member, draft, self.clock.now(), False)
            report = await session.get(Report, draft.report_id) if draft.report_id else None
            return Preview(
                township.name,
                [v.name for v in villages],
                len(responders.ready),
                responders.unavailable,
                responders.unreachable,
                self._paid(draft, report),
                await brief_of(session, report) if report else None,
            )

    async def send(self, member: MemberProfile, draft: CalloutDraft) -> tuple[Callout, int]:
        """Send the alert to the area's available responders at the outbox's top priority, and the sender's tally
        card first; the call-out and how many it reached."""
        assert member.id is not None
        self.check_message(draft.message, from_report=draft.report_id is not None)
        async with self._work() as (session, now):
            responders, _township, villages = await self._reach(session, member, draft, now)
            report = await session.get(Report, draft.report_id) if draft.report_id else None
            if draft.report_id is not None and report is None:
                raise NoLongerThere("callout.report_gone")
            brief = await brief_of(session, report) if report else None
            order = CalloutOrder(
                township_id=draft.township_id,
                kind=draft.kind,
                villages=tuple(v.id or 0 for v in villages),
                message=draft.message,
                needed=draft.needed,
                latitude=draft.latitude,
                longitude=draft.longitude,
                meeting_place=self.check_meeting_place(draft.meeting_place) if draft.meeting_place else None,
                report_id=report.id if report else None,
                critical=self._paid(draft, report),
            )
            callout = await launch_callout(session, member, order, responders.ready, now, self.zone, brief)
            return callout, len(responders.ready)

    # --- answering -------------------------------------------------------------------------------

    async def answer(self, member: MemberProfile, callout_id: int, answer: CalloutAnswer) -> Answered:
        """A recipient's answer: recorded if it moves theirs on (a second press of the same, or after the
        stand-down, is refused); the sender's tally follows, at most every 2 s."""
        async with self._work() as (session, now):
            callout = await session.get(Callout, callout_id, with_for_update=True)
            if callout is None:
                raise NoLongerThere("callout.gone")
            if callout.status != CalloutStatus.OPEN or not await self._moved(session, callout, member, answer, now):
                await self._why_not_moved(session, callout, member, answer)
            if answer == CalloutAnswer.ON_MY_WAY and callout.latitude is not None:
                await self._send_point(session, callout, member, now)
            await self._refresh_tally(session, callout, now)
            return Answered(answer, callout.latitude is not None)

    @staticmethod
    async def _moved(
        session: AsyncSession, callout: Callout, member: MemberProfile, answer: CalloutAnswer, now: datetime
    ) -> bool:
        """Move the member's answer on, if the transition table allows it from where it stands (one statement)."""
        moved = await session.exec(
            update(CalloutRecipient)
            .where(
                col(CalloutRecipient.callout_id) == callout.id,
                col(CalloutRecipient.member_id) == member.id,
                col(CalloutRecipient.answer).in_(answers_leading_to(answer)),
            )
            .values(
                answer=answer,
                answered_at=now,
                first_answered_at=func.coalesce(CalloutRecipient.first_answered_at, now),
            )
        )
        return moved.rowcount == 1

    @staticmethod
    async def _why_not_moved(
        session: AsyncSession, callout: Callout, member: MemberProfile, answer: CalloutAnswer
    ) -> None:
        """Refuse with the reason: not asked, stood down, the same answer again, or an answer that is final."""
        query = select(CalloutRecipient.answer).where(
            CalloutRecipient.callout_id == callout.id, CalloutRecipient.member_id == member.id
        )
        current = (await session.exec(query)).first()
        if current is None:
            raise NotAllowed()
        if callout.status != CalloutStatus.OPEN:
            raise NoLongerThere("callout.already_stood_down")
        i18n = Localizer(member.language)
        if current == answer:
            raise DomainError("callout.same_answer", answer=answer_name(i18n, answer))
        if not may_change_answer(CalloutAnswer(current), answer):
            raise DomainError("callout.answer_final", answer=answer_name(i18n, CalloutAnswer(current)))
        raise DomainError("callout.changed_meanwhile")

    async def _send_point(self, session: AsyncSession, callout: Callout, member: MemberProfile, now: datetime) -> None:
        """The meeting point as a map pin, to whoever sets out (once)."""
        assert callout.latitude is not None and callout.longitude is not None
        await enqueue(
            session,
            dedupe_key=f"{callout_topic(callout.id or 0)}:point:{member.id}",
            chat_id=member.telegram_id,
            content=Content(location=(callout.latitude, callout.longitude)),
            now=now,
            priority=Priority.URGENT,
            member_id=member.id,
        )

    async def _refresh_tally(self, session: AsyncSession, callout: Callout, now: datetime) -> None:
        await refresh_tally(session, callout, now, self.zone)

    # --- the sender's buttons ----------------------------------------------------------------------

    async def run_check(self, member: MemberProfile, callout_id: int) -> Callout:
        """The call-out, if its buttons are the member's and it is still open (before asking for a message or a
        confirmation)."""
        async with self.db.reading() as session:
            return await self._run(session, member, callout_id)

    @staticmethod
    async def _run(session: AsyncSession, member: MemberProfile, callout_id: int, lock: bool = False) -> Callout:
        callout = await session.get(Callout, callout_id, with_for_update=lock)
        if callout is None:
            raise NoLongerThere("callout.gone")
        if not may_run_callout(member, callout.sender_id, callout.township_id):
            raise NotAllowed()
        if callout.status != CalloutStatus.OPEN:
            raise NoLongerThere("callout.already_stood_down")
        return callout

    async def message_coming(self, member: MemberProfile, callout_id: int, text: str) -> int:
        """Send the sender's message to everyone on the way or arrived; how many."""
        message = text.strip()
        if not message or len(message) > NOTE_LIMIT:
            raise DomainError("callout.note_invalid", limit=NOTE_LIMIT)
        async with self._work() as (session, now):
            callout = await self._run(session, member, callout_id, lock=True)
            coming = await recipients_answering(session, callout_id, COMING)
            if not coming:
                raise DomainError("callout.nobody_coming")
            callout.notes_sent += 1
            session.add(callout)
            notices = under_alerts(
                callout_id,
                coming,
                f"note:{callout.notes_sent}",
                lambda i18n: Content(text=i18n("callout.note", sender=member.name, text=message)),
            )
            await enqueue_many(session, notices, now)
            return len(coming)

    async def stand_down(self, member: MemberProfile, callout_id: int) -> int:
        """Stand the call-out down (a second press, or the sender and the head at once: one wins); everyone who
        received it is told. How many."""
        async with self._work() as (session, now):
            callout = await self._run(session, member, callout_id, lock=True)
            told = await stand_down_callout(session, callout, member.name, now, self.zone)
            if told is None:
                raise NoLongerThere("callout.already_stood_down")
            return told

    # --- records -------------------------------------------------------------------------------------

    async def recent(self, member: MemberProfile) -> RecentCallouts:
        """/alerts: the township's latest call-outs with turnout and median response time, and which of them are
        live and the member's to run (message those coming, stand down)."""
        now = self.clock.now()
        async with self.db.reading() as session:
            townships = townships_of(member, Action.CALL_OUT)
            if not townships:
                raise NotAllowed()
            callouts = await callouts_since(session, townships, now - timedelta(days=RECENT_DAYS))
            records = [await record_of(session, c) for c in callouts[:RECENT_SHOWN]]
            live = [
                r.callout
                for r in records
                if r.callout.status == CalloutStatus.OPEN
                and may_run_callout(member, r.callout.sender_id, r.callout.township_id)
            ]
            return RecentCallouts(records, live)

    async def live(self, member: MemberProfile, callout_id: int) -> Content:
        """A live call-out's tally with the sender's buttons, brought back into the member's chat."""
        async with self.db.reading() as session:
            callout = await self._run(session, member, callout_id)
            township = await session.get(Unit, callout.township_id)
            tally = await tally_of(session, callout_id)
            name = township.name if township else "?"
            return tally_content(Localizer(member.language), callout, name, tally, self.zone)

    # --- availability ---------------------------------------------------------------------------------

    async def availability(self, member: MemberProfile) -> Say:
        if not may_at_all(member, Action.ANSWER_CALLOUTS):
            raise DomainError("callout.not_a_responder")
        async with self.db.reading() as session:
            say = await session.get(Availability, member.id)
            said, until = (say.available, say.until) if say else (None, None)
            return Say(is_available(said, until, self.clock.now()), until)

    async def set_availability(self, member: MemberProfile, available: bool, until: datetime | None) -> Say:
        """A volunteer says whether they answer call-outs (until a time, or until they say otherwise)."""
        if not may_at_all(member, Action.ANSWER_CALLOUTS):
            raise DomainError("callout.not_a_responder")
        async with self._work() as (session, now):
            if until is not None and until <= now:
                raise DomainError("callout.until_past")
            say = await session.get(Availability, member.id) or Availability(
                member_id=member.id or 0, available=available, updated_at=now
            )
            say.available, say.until, say.updated_at = available, until, now
            session.add(say)
            return Say(available, until)

    async def pause(self, member: MemberProfile, pause: Pause) -> Say:
        """A pause chosen with a button: for two or eight hours, till 08:00 tomorrow, or until resumed."""
        return await self.set_availability(member, False, pause_until(pause, self.clock.now(), self.zone))


async def remind_unanswered(session: AsyncSession, now: datetime) -> int:
    """Ten minutes after an open call-out went out, one reminder to each recipient who has not answered; how many."""
    due = select(Callout).where(
        Callout.status == CalloutStatus.OPEN,
        col(Callout.reminded_at).is_(None),
        col(Callout.created_at) <= now - REMIND_AFTER,
    )
    sent = 0
    for callout in (await session.exec(due)).all():
        callout_id = callout.id or 0
        waiting = await recipients_answering(session, callout_id, [CalloutAnswer.ASKED])
        notices = under_alerts(callout_id, waiting, "remind", partial(reminder_content, callout=callout))
        sent += await enqueue_many(session, notices, now)
        callout.reminded_at = now
        session.add(callout)
    return sent


ON_WORDS = frozenset({"on", "yes", "开", "在", "是", "可以", "恢复", "接收", "开启"})
OFF_WORDS = frozenset({"off", "no", "关", "不在", "否", "不可以", "暂停", "停止", "关闭", "不接收"})
SAY_WORDS = sorted(ON_WORDS | OFF_WORDS, key=len, reverse=True)
"""Longest first, so 不在 is not read as 不 and 在."""
UNTIL_WORDS = ("until", "till", "直到", "至", "到")
DAY_WORDS = {"今天": 0, "today": 0, "明天": 1, "tomorrow": 1, "后天": 2}
MONTH_DAY = re.compile(r"([0-9]{1,2})-([0-9]{1,2}) ([0-9]{1,2}):([0-9]{2})")


def parse_availability(args: str, now: datetime, zone: ZoneInfo) -> tuple[bool, datetime | None]:
    """`on`, `off`, `off until 18:00`, `on until 12-01 08:00`, and in Chinese `暂停 至 18:00`, `暂停到明天8:00`,
    `恢复`: the say and when it lapses. A bare time is its next occurrence (today, or tomorrow if it has passed)."""
    text = " ".join(args.split())
    said = next((word for word in SAY_WORDS if text.lower().startswith(word)), None)
    if said is None:
        raise DomainError("available.bad_args")
    rest = text[len(said) :].strip()
    if not rest:
        return said in ON_WORDS, None
    for word in UNTIL_WORDS:
        if rest.lower().startswith(word):
            rest = rest[len(word) :].strip()
            break
    return said in ON_WORDS, _until(rest, now, zone)


def _until(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A time in ASCII digits (18:00, 8点半), after 今天/明天/后天 or alone (its next occurrence); a month-day
    without its year is the next such moment."""
    local_now = now.astimezone(zone)
    month_day = MONTH_DAY.fullmatch(text)
    if month_day is not None:
        month, day, hour, minute = (int(part) for part in month_day.groups())
        return _next_month_day(local_now, month, day, hour, minute)
    for word, days in DAY_WORDS.items():
        if text.lower().startswith(word):
            minutes = clock_minutes(text[len(word) :])
            if minutes is None:
                break
            on_day = local_now.date() + timedelta(days=days)
            when = datetime.combine(on_day, time(0), zone) + timedelta(minutes=minutes)
            if when <= local_now:
                break
            return when
    else:
        minutes = clock_minutes(text)
        if minutes is not None:
            when = datetime.combine(local_now.date(), time(0), zone) + timedelta(minutes=minutes)
            return when if when > local_now else when + timedelta(days=1)
        try:
            parsed = datetime.strptime(text, "%Y-%m-%d %H:%M") if text.isascii() else None
        except ValueError:
            parsed = None
        if parsed is not None and abs(parsed.year - local_now.year) <= 1:
            return parsed.replace(tzinfo=zone)
    raise DomainError("available.bad_until")


def pause_until(pause: Pause, now: datetime, zone: ZoneInfo) -> datetime | None:
    """When a pause chosen with a button lapses: in two or eight hours, at 08:00 tomorrow, or never by itself."""
    if pause == Pause.TWO_HOURS:
        return now + timedelta(hours=2)
    if pause == Pause.EIGHT_HOURS:
        return now + timedelta(hours=8)
    if pause == Pause.TILL_MORNING:
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(8, 0), zone)
    return None


def _next_month_day(local_now: datetime, month: int, day: int, hour: int, minute: int) -> datetime:
    """The next 12-31 08:00 (this year's if still ahead, else next year's; 02-29 the next leap year's)."""
    for year in range(local_now.year, local_now.year + 5):
        try:
            when = local_now.replace(year=year, month=month, day=day, hour=hour, minute=minute, second=0, microsecond=0)
        except ValueError:
            continue
        if when > local_now:
            return when
    raise DomainError("available.bad_until")
