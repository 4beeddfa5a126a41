"""Call-outs' facts: who an area's responders are and whether each is available, a call-out's tally of answers, its
record (turnout, median response time), and the township's usual places a meeting point is compared with."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, union_all
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.callout_lifecycle import COMING
from gridguard.callouts.enums import CalloutAnswer
from gridguard.callouts.tables import Availability, Callout, CalloutRecipient
from gridguard.directory.enums import UnitLevel
from gridguard.directory.permissions import RESPONDER_ROLES
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.kernel.errors import DomainError
from gridguard.reports.duplicates import distance_meters
from gridguard.reports.tables import Report

NAMES_SHOWN = 12
"""Names the sender's tally lists under each answer (the rest are counted)."""
PLACES_COMPARED = 200
"""How many of the township's latest located reports stand for where it is."""


@dataclass(frozen=True)
class Responder:
    member_id: int
    telegram_id: int
    name: str
    language: str


@dataclass(frozen=True)
class AreaResponders:
    """An area's volunteers and rescue team: those who get the alert, and how many are left out (and why)."""

    ready: list[Responder]
    unavailable: int
    unreachable: int


def is_available(said: bool | None, until: datetime | None, now: datetime) -> bool:
    """No say (`said` None): available. A say holds until its `until`, then turns to its opposite (off until 18:00
    is on after)."""
    if said is None:
        return True
    if until is None or until > now:
        return said
    return not said


async def villages_of(session: AsyncSession, township_id: int) -> list[Unit]:
    query = select(Unit).where(Unit.parent_id == township_id, Unit.level == UnitLevel.VILLAGE)
    return list((await session.exec(query.order_by(col(Unit.code)))).all())


async def area_responders(
    session: AsyncSession, township_id: int, villages: Sequence[int], now: datetime, sender_id: int | None
) -> AreaResponders:
    """The responders of the villages called (every village if none is named), with the township's own (its
    volunteers and rescue team answer for all of it); each member once, the sender left out. Columns only: a
    call-out may reach thousands."""
    area = list(villages) or select(Unit.id).where(Unit.parent_id == township_id)
    responders = select(RoleAssignment.member_id).where(
        col(RoleAssignment.role).in_(list(RESPONDER_ROLES)),
        (col(RoleAssignment.unit_id) == township_id) | col(RoleAssignment.unit_id).in_(area),
    )
    in_area = col(Member.id).in_(responders) & (col(Member.id) != (sender_id or 0))
    states = (
        select(Member.id, Member.unreachable_since, Availability.available, Availability.until)
        .outerjoin(Availability, col(Availability.member_id) == Member.id)
        .where(in_area)
    )
    unreachable, unavailable = set(), set()
    for member_id, unreachable_since, said, until in (await session.exec(states)).all():
        if unreachable_since is not None:
            unreachable.add(member_id)
        elif not is_available(said, until, now):
            unavailable.add(member_id)
    people = select(Member.id, Member.telegram_id, Member.name, Member.language).where(in_area)
    ready = [
        Responder(member_id, telegram_id, name, language)
        for member_id, telegram_id, name, language in (await session.exec(people.order_by(col(Member.id)))).all()
        if member_id is not None and member_id not in unreachable and member_id not in unavailable
    ]
    return AreaResponders(ready, len(unavailable), len(unreachable))


@dataclass(frozen=True)
class Tally:
    """A call-out's answers so far: how many gave each, and the first names of each, in the order they answered."""

    asked: int
    counts: dict[CalloutAnswer, int]
    names: dict[CalloutAnswer, list[str]]

    @property
    def coming(self) -> int:
        return sum(self.counts.get(a, 0) for a in COMING)


async def tally_of(session: AsyncSession, callout_id: int) -> Tally:
    """Each answer's count (from the index on call-out and answer), and the first NAMES_SHOWN names of each answer in
    the order they answered."""
    in_callout = col(CalloutRecipient.callout_id) == callout_id
    grouped = select(CalloutRecipient.answer, func.count()).where(in_callout).group_by(col(CalloutRecipient.answer))
    counts = {CalloutAnswer(answer): int(n) for answer, n in (await session.exec(grouped)).all()}
    names: dict[CalloutAnswer, list[str]] = {a: [] for a in CalloutAnswer if a != CalloutAnswer.ASKED}
    firsts = [
        select(Member.name, CalloutRecipient.answer)
        .join(CalloutRecipient, col(CalloutRecipient.member_id) == Member.id)
        .where(in_callout, col(CalloutRecipient.answer) == answer)
        .order_by(col(CalloutRecipient.answered_at), col(CalloutRecipient.id))
        .limit(NAMES_SHOWN)
        .subquery()
        for answer in names
        if counts.get(answer)
    ]
    if firsts:
        together = union_all(*(select(first.c.name, first.c.answer) for first in firsts)).subquery()
        for name, answer in (await session.exec(select(together.c.name, together.c.answer))).all():
            names[CalloutAnswer(answer)].append(name)
    return Tally(sum(counts.values()), counts, names)


async def recipients_answering(
    session: AsyncSession, callout_id: int, answers: Sequence[CalloutAnswer]
) -> list[Responder]:
    """The recipients whose answer is one of `answers` (those coming, those who have not answered, everyone)."""
    query = (
        select(Member)
        .join(CalloutRecipient, col(CalloutRecipient.member_id) == Member.id)
        .where(col(CalloutRecipient.callout_id) == callout_id, col(CalloutRecipient.answer).in_(list(answers)))
        .order_by(col(Member.id))
    )
    return [Responder(m.id or 0, m.telegram_id, m.name, m.language) for m in (await session.exec(query)).all()]


@dataclass(frozen=True)
class CalloutRecord:
    """A call-out as /alerts and the export show it."""

    callout: Callout
    township: str
    sender: str
    tally: Tally
    median_response: timedelta | None

    @property
    def turnout(self) -> float:
        return self.tally.coming / self.tally.asked if self.tally.asked else 0.0


async def median_response(session: AsyncSession, callout: Callout) -> timedelta | None:
    """The median time from sending to a recipient's first answer (of those who answered)."""
    query = select(CalloutRecipient.first_answered_at).where(
        CalloutRecipient.callout_id == callout.id, col(CalloutRecipient.first_answered_at).is_not(None)
    )
    waits = [(t - callout.created_at).total_seconds() for t in (await session.exec(query)).all() if t is not None]
    return timedelta(seconds=statistics.median(waits)) if waits else None


async def record_of(session: AsyncSession, callout: Callout) -> CalloutRecord:
    township, sender = await session.get(Unit, callout.township_id), await session.get(Member, callout.sender_id)
    return CalloutRecord(
        callout,
        township.name if township else "?",
        sender.name if sender else "?",
        await tally_of(session, callout.id or 0),
        await median_response(session, callout),
    )


async def callouts_since(session: AsyncSession, townships: Sequence[int] | None, since: datetime) -> list[Callout]:
    """Call-outs sent since `since`, newest first (of `townships`, or everywhere)."""
    query = select(Callout).where(col(Callout.created_at) >= since)
    if townships is not None:
        query = query.where(col(Callout.township_id).in_(list(townships)))
    return list((await session.exec(query.order_by(col(Callout.created_at).desc(), col(Callout.id).desc()))).all())


@dataclass(frozen=True)
class AnswerLine:
    """One recipient of one call-out, for the export."""

    name: str
    answer: CalloutAnswer
    first_answered_at: datetime | None
    answered_at: datetime | None


async def answer_lines(session: AsyncSession, callout_id: int) -> list[AnswerLine]:
    query = (
        select(Member.name, CalloutRecipient)
        .join(Member, col(Member.id) == CalloutRecipient.member_id)
        .where(CalloutRecipient.callout_id == callout_id)
        .order_by(col(CalloutRecipient.id))
    )
    return [
        AnswerLine(name, row.answer, row.first_answered_at, row.answered_at)
        for name, row in (await session.exec(query)).all()
    ]


FAR_FROM_TOWNSHIP_KM = 30.0
"""A meeting point further than this from the township's usual places is refused (a slip of the finger on the map,
or the wrong place)."""


async def township_centre(session: AsyncSession, township_id: int) -> tuple[float, float] | None:
    """Where the township is, as the median of its latest located reports (None: none has a location yet)."""
    query = (
        select(Report.latitude, Report.longitude)
        .where(
            Report.township_id == township_id,
            col(Report.latitude).is_not(None),
            col(Report.longitude).is_not(None),
        )
        .order_by(col(Report.id).desc())
        .limit(PLACES_COMPARED)
    )
    points = [(lat, lon) for lat, lon in (await session.exec(query)).all() if lat is not None and lon is not None]
    if not points:
        return None
    return statistics.median(p[0] for p in points), statistics.median(p[1] for p in points)


async def check_meeting_point(session: AsyncSession, township_id: int, latitude: float, longitude: float) -> None:
    """Refuse a meeting point far from the township's usual places (there is nothing to compare with until a
    report in the township has a location)."""
    centre = await township_centre(session, township_id)
    if centre is None:
        return
    km = distance_meters(latitude, longitude, *centre) / 1000
    if km > FAR_FROM_TOWNSHIP_KM:
        raise DomainError("callout.point_far", km=f"{km:.0f}", limit=f"{FAR_FROM_TOWNSHIP_KM:.0f}")
