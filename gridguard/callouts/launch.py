"""Sending a call-out and standing it down inside a caller's transaction: what /alert does, and what another
capability does when it calls volunteers out (a plan's response, at its start or when its level goes up)."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.callout_lifecycle import CALLOUT_TRANSITIONS, CalloutVerb
from gridguard.callouts.callout_notices import callout_topic
from gridguard.callouts.callout_texts import ReportBrief, alert_content, tally_content
from gridguard.callouts.callouts import Responder, area_responders, recipients_answering, tally_of
from gridguard.callouts.enums import CalloutAnswer, CalloutKind, CalloutStatus
from gridguard.callouts.tables import Callout, CalloutRecipient
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, Notice, enqueue, enqueue_edit, enqueue_many
from gridguard.directory.members import MemberProfile
from gridguard.directory.tables import Member, Unit
from i18n import LANGUAGES, Localizer

TALLY_EVERY = timedelta(seconds=2)
"""The sender's tally is edited at most this often, however many answers arrive."""
TALLY_RENDERER = "callout_tally"


@dataclass(frozen=True)
class CalloutOrder:
    """A call-out to send: where, why, how many are needed."""

    township_id: int
    kind: CalloutKind
    villages: tuple[int, ...]
    message: str
    needed: int
    latitude: float | None = None
    longitude: float | None = None
    meeting_place: str | None = None
    report_id: int | None = None
    critical: bool = False
    drill: bool = False


def tally_key(callout_id: int) -> str:
    return f"{callout_topic(callout_id)}:tally"


def alert_key(callout_id: int, member_id: int) -> str:
    return f"{callout_topic(callout_id)}:alert:{member_id}"


def under_alerts(
    callout_id: int, people: Sequence[Responder], what: str, content: Callable[[Localizer], Content]
) -> list[Notice]:
    """A message to each of `people` in their language, as a reply under their alert, keyed
    `callout:<id>:<what>:<member>` (the note, the stand-down, the reminder)."""
    topic = callout_topic(callout_id)
    return [
        Notice(
            f"{topic}:{what}:{r.member_id}",
            r.telegram_id,
            replace(content(Localizer(r.language)), reply_to=alert_key(callout_id, r.member_id)),
            Priority.URGENT,
            r.member_id,
            topic=topic,
        )
        for r in people
    ]


async def reachable_responders(
    session: AsyncSession, order: CalloutOrder, now: datetime, sender_id: int | None, skip: Collection[int] = ()
) -> list[Responder]:
    """Who the call-out would reach now: the area's available, reachable responders, but those in `skip`."""
    responders = await area_responders(session, order.township_id, order.villages, now, sender_id)
    return [r for r in responders.ready if r.member_id not in skip]


async def launch_callout(
    session: AsyncSession,
    sender: MemberProfile,
    order: CalloutOrder,
    recipients: Sequence[Responder],
    now: datetime,
    zone: ZoneInfo,
    brief: ReportBrief | None = None,
) -> Callout:
    """The call-out saved with its recipients asked, the sender's tally card first, then an alert to each at the
    outbox's top priority (with the report's voice note under it, when the call-out carries one)."""
    callout = Callout(
        township_id=order.township_id,
        sender_id=sender.id or 0,
        kind=order.kind,
        villages=list(order.villages),
        message=order.message,
        latitude=order.latitude,
        longitude=order.longitude,
        meeting_place=order.meeting_place,
        needed=order.needed,
        report_id=order.report_id,
        critical=order.critical,
        drill=order.drill,
        status=CalloutStatus.OPEN,
        created_at=now,
    )
    session.add(callout)
    await session.flush()
    callout_id = callout.id or 0
    rows = [
        {"callout_id": callout_id, "member_id": r.member_id, "answer": CalloutAnswer.ASKED.value} for r in recipients
    ]
    if rows:
        await session.exec(insert(CalloutRecipient), params=rows)
    township = await session.get(Unit, order.township_id)
    township_name = township.name if township else "?"
    await _post_tally(session, callout, township_name, sender, now, zone)
    names = [unit.name for unit in await _units(session, order.villages)]
    contents = {
        lang: alert_content(
            Localizer(lang), callout, township_name, names, sender.name, sender.phone, callout.critical, brief
        )
        for lang in LANGUAGES
    }
    topic = callout_topic(callout_id)
    notices = [
        Notice(
            alert_key(callout_id, r.member_id),
            r.telegram_id,
            contents.get(r.language, contents["zh"]),
            Priority.URGENT,
            r.member_id,
            topic=topic,
        )
        for r in recipients
    ]
    if brief and brief.voice_file_id:
        voice = Content(voice=brief.voice_file_id)
        notices += under_alerts(callout_id, recipients, "voice", lambda _: voice)
    await enqueue_many(session, notices, now)
    return callout


async def _units(session: AsyncSession, unit_ids: Sequence[int]) -> list[Unit]:
    if not unit_ids:
        return []
    found = {u.id: u for u in (await session.exec(select(Unit).where(col(Unit.id).in_(unit_ids)))).all()}
    return [found[u] for u in unit_ids if u in found]


async def _post_tally(
    session: AsyncSession, callout: Callout, township: str, sender: MemberProfile, now: datetime, zone: ZoneInfo
) -> None:
    tally = await tally_of(session, callout.id or 0)
    content = tally_content(Localizer(sender.language), callout, township, tally, zone)
    await enqueue(
        session,
        dedupe_key=tally_key(callout.id or 0),
        chat_id=sender.telegram_id,
        content=content,
        now=now,
        priority=Priority.URGENT,
        member_id=sender.id,
    )


async def refresh_tally(session: AsyncSession, callout: Callout, now: datetime, zone: ZoneInfo) -> None:
    """The sender's card, edited to the counts of the moment it goes (rendered then, at most every 2 s: many
    answers, one rendering); the headcount reached, told once."""
    key = tally_key(callout.id or 0)
    live = Content(render=(TALLY_RENDERER, callout.id or 0, zone.key))
    await enqueue_edit(session, of_key=key, content=live, now=now, priority=Priority.URGENT, min_gap=TALLY_EVERY)
    if callout.headcount_reached_at is not None:
        return
    tally = await tally_of(session, callout.id or 0)
    query = select(Member.telegram_id, Member.language).where(Member.id == callout.sender_id)
    sender = (await session.exec(query)).first()
    if tally.coming >= callout.needed and sender is not None:
        callout.headcount_reached_at = now
        session.add(callout)
        text = Localizer(sender[1])("callout.headcount_notice", needed=callout.needed, coming=tally.coming)
        await enqueue(
            session,
            dedupe_key=f"{key}:reached",
            chat_id=sender[0],
            content=Content(text=text, reply_to=key),
            now=now,
            priority=Priority.URGENT,
            member_id=callout.sender_id,
        )


async def stand_down_callout(
    session: AsyncSession, callout: Callout, by_name: str, now: datetime, zone: ZoneInfo
) -> int | None:
    """Stand an open call-out down if it is still as `callout` holds it (its version); everyone it asked is told.
    How many; None if it had already moved on (stood down by someone else)."""
    transition = CALLOUT_TRANSITIONS[CalloutVerb.CONFIRM_STAND_DOWN]
    moved = await session.exec(
        update(Callout)
        .where(
            col(Callout.id) == callout.id,
            col(Callout.status) == transition.allowed_from,
            col(Callout.version) == callout.version,
        )
        .values(status=transition.to, stood_down_at=now, version=callout.version + 1)
    )
    if moved.rowcount != 1:
        return None
    await session.refresh(callout)
    callout_id = callout.id or 0
    everyone = await recipients_answering(session, callout_id, list(CalloutAnswer))
    notices = under_alerts(
        callout_id, everyone, "stood-down", lambda i18n: Content(text=i18n("callout.stood_down", sender=by_name))
    )
    await enqueue_many(session, notices, now)
    await refresh_tally(session, callout, now, zone)
    return len(everyone)
