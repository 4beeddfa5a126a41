"""The duty sweep: shift reminders (the evening before and an hour before), handover prompts at each handoff, and
a daily warning to the head about shifts with nobody on them in the coming week.

The database is the truth for time: the sweep remembers how far it has looked (gridguard/db/sweep_marks), and
queues what fell due since then; an outbox dedupe key per shift, lead and member makes each message go once
across restarts, crashes and a second process. After downtime, a reminder whose shift has not begun is still
sent, marked late; one whose shift has begun is not.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.sweep_marks import sweep_window
from gridguard.delivery.outbox import Notice, enqueue_many
from gridguard.duty.duty_desk import minute_of, open_reports_in
from gridguard.duty.duty_texts import gap_warning, handover_prompt, reminder_content
from gridguard.duty.enums import ReminderLead
from gridguard.duty.roster import CONCERN_HORIZON, Roster, load_rosters
from gridguard.duty.rotation import Shift
from gridguard.duty.tables import Rotation
from i18n import Localizer

SWEEP_NAME = "duty"
HOUR_BEFORE = timedelta(hours=1)
LATE_AFTER = timedelta(minutes=10)
HANDOVER_PROMPT_WITHIN = timedelta(hours=2)
"""A handoff longer ago than this (the bot was down) gets no prompt: the note would come too late to help."""
GAP_CHECK_AT = time(9, 0)
LOOKBACK_LIMIT = timedelta(hours=26)
"""After a long outage, look back no further than this (every reminder for a shift not yet begun is within it)."""


@dataclass(frozen=True)
class DutyTimes:
    evening: time = time(20, 0)
    """The evening-before reminder's local time."""


async def sweep_duty(session: AsyncSession, now: datetime, zone: ZoneInfo, times: DutyTimes) -> int:
    """Queue what fell due in the roster since the last sweep; how many messages were new."""
    async with sweep_window(session, SWEEP_NAME, now, LOOKBACK_LIMIT) as since:
        if since >= now:
            return 0
        query = select(Rotation.township_id).distinct().order_by(col(Rotation.township_id))
        townships = list((await session.exec(query)).all())
        notices: list[Notice] = []
        for roster in (await load_rosters(session, townships, zone, since - timedelta(days=1))).values():
            notices += reminders(roster, since, now, times)
            notices += await _handovers(session, roster, since, now)
            notices += gap_warnings(roster, since, now)
        return await enqueue_many(session, notices, now)


def _due(moment: datetime, since: datetime, now: datetime) -> bool:
    return since < moment <= now


def reminders(roster: Roster, since: datetime, now: datetime, times: DutyTimes) -> list[Notice]:
    """Reminders whose time fell in (since, now], for shifts that have not begun (whoever holds them now); none
    for a shift that only continues the member's duty (a cover next to their own shift)."""
    notices = []
    for layer in roster.specs:
        held_before: int | None = None
        for shift in roster.timeline(layer, now, now + timedelta(days=2)):
            member = roster.members.get(shift.member_id) if shift.member_id is not None else None
            on_already, held_before = shift.member_id == held_before, shift.member_id
            if member is None or shift.starts_at <= now or on_already:
                continue
            for lead, at in _leads(shift, roster.zone, times):
                if _due(at, since, now):
                    i18n = Localizer(member.language)
                    content = reminder_content(i18n, lead, layer, shift, roster.zone, late=now - at > LATE_AFTER)
                    key = f"duty-{lead}:{roster.township_id}:{layer}:{minute_of(shift.starts_at)}:{member.id}"
                    notices.append(Notice(key, member.telegram_id, content, member_id=member.id))
    return notices


def _leads(shift: Shift, zone: ZoneInfo, times: DutyTimes) -> list[tuple[ReminderLead, datetime]]:
    hour_before = shift.starts_at - HOUR_BEFORE
    day_before: date = shift.starts_at.astimezone(zone).date() - timedelta(days=1)
    evening = datetime.combine(day_before, times.evening, zone)
    leads = [(ReminderLead.HOUR, hour_before)]
    if evening < hour_before:
        leads.insert(0, (ReminderLead.EVENING, evening))
    return leads


async def _handovers(session: AsyncSession, roster: Roster, since: datetime, now: datetime) -> list[Notice]:
    """At each handoff in (since, now], the outgoing member is asked for a note for the incoming one."""
    handoffs = [
        (layer, earlier, later)
        for layer in roster.specs
        for earlier, later in pairwise(roster.timeline(layer, since, now + timedelta(minutes=1)))
        if _due(earlier.ends_at, since, now) and earlier.ends_at > now - HANDOVER_PROMPT_WITHIN
    ]
    notices = []
    open_codes: Sequence[str] | None = None
    for layer, earlier, later in handoffs:
        outgoing = roster.members.get(earlier.member_id) if earlier.member_id is not None else None
        incoming = roster.members.get(later.member_id) if later.member_id is not None else None
        if outgoing is None or incoming is None or outgoing.id == incoming.id:
            continue
        if open_codes is None:
            open_codes = await open_reports_in(session, roster.township_id)
        at, minute = earlier.ends_at, minute_of(earlier.ends_at)
        i18n = Localizer(outgoing.language)
        content = handover_prompt(i18n, layer, at, minute, incoming.name, open_codes, roster.zone)
        key = f"duty-handover:{roster.township_id}:{layer}:{minute}:{outgoing.id}"
        notices.append(Notice(key, outgoing.telegram_id, content, member_id=outgoing.id))
    return notices


def gap_warnings(roster: Roster, since: datetime, now: datetime) -> list[Notice]:
    """Once a day (at 09:00 local), the heads hear of shifts with nobody on them in the next 7 days (on either
    layer that has a rotation), of periods when one member holds both layers, and of members a rotation names who
    have left the station (they are skipped)."""
    check = datetime.combine(now.astimezone(roster.zone).date(), GAP_CHECK_AT, roster.zone)
    if not _due(check, since, now) or not roster.specs:
        return []
    concerns = roster.concerns(now, now + CONCERN_HORIZON)
    if not concerns and not roster.departed:
        return []
    day = check.date().isoformat()
    return [
        Notice(
            f"duty-gap:{roster.township_id}:{day}:{keeper.id}",
            keeper.telegram_id,
            gap_warning(Localizer(keeper.language), roster, concerns),
            member_id=keeper.id,
        )
        for keeper in roster.members.values()
        if keeper.keeper
    ]
