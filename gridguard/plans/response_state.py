"""What the use cases and the sweeps read of a response: who its tasks go to, who oversees it, its log, and its
progress as the card shows it (rendered by delivery when the card's edit goes)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.callouts.enums import CalloutAnswer
from gridguard.callouts.tables import CalloutRecipient
from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, enqueue_edit
from gridguard.directory.enums import Role
from gridguard.directory.permissions import COUNTY_CONFIRMERS, RESPONSE_OVERSEERS
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.duty.overlays import Overlay
from gridguard.kernel.errors import NoLongerThere
from gridguard.kernel.fitting import plain_text
from gridguard.plans.enums import NUMERALS, LogKind, ResponseStatus, TaskStatus
from gridguard.plans.plan_document import PlanDocument, TaskSpec
from gridguard.plans.plan_texts import OverdueLine, Progress, ResponseHeading, progress_content
from gridguard.plans.tables import LogEntry, Response, ResponseCallout, ResponseTask
from i18n import Localizer

PROGRESS_RENDERER = "plan_progress"
CARD_EVERY = timedelta(seconds=2)
"""The progress card is edited at most this often, however many answers arrive."""


def response_topic(response_id: int) -> str:
    return f"plan:{response_id}"


def card_key(response_id: int) -> str:
    return f"{response_topic(response_id)}:card"


@dataclass(frozen=True)
class Assignment:
    """One task for one member: who, and on which unit they hold the task's role."""

    task: TaskSpec
    member_id: int
    telegram_id: int
    language: str
    unit_id: int


async def _role_holders(session: AsyncSession, township_id: int, roles: set[Role]) -> list[tuple[Role, int, Member]]:
    """Who holds each of `roles` on the township or one of its villages: (role, unit, member), by unit and member."""
    if not roles:
        return []
    villages = select(Unit.id).where(Unit.parent_id == township_id)
    query = (
        select(RoleAssignment.role, RoleAssignment.unit_id, Member)
        .join(Member, col(Member.id) == RoleAssignment.member_id)
        .where(
            col(RoleAssignment.role).in_(list(roles)),
            (col(RoleAssignment.unit_id) == township_id) | col(RoleAssignment.unit_id).in_(villages),
        )
        .order_by(col(RoleAssignment.unit_id), col(Member.id))
    )
    return [(Role(role), unit_id, member) for role, unit_id, member in (await session.exec(query)).all()]


async def assignments(session: AsyncSession, township_id: int, tasks: Sequence[TaskSpec]) -> list[Assignment]:
    """Every task to every member holding its role on the township or one of its villages, once per member."""
    rows = await _role_holders(session, township_id, {t.role for t in tasks})
    found: list[Assignment] = []
    for task in tasks:
        seen: set[int] = set()
        for role, unit_id, member in rows:
            if role == task.role and member.id is not None and member.id not in seen:
                seen.add(member.id)
                found.append(Assignment(task, member.id, member.telegram_id, member.language, unit_id))
    return found


async def on_duty(session: AsyncSession, township_id: int, roles: Sequence[Role]) -> list[Member]:
    """The members a level's 24-hour duty holds: everyone with one of `roles` in the township, once each."""
    seen: dict[int, Member] = {}
    for _role, _unit, member in await _role_holders(session, township_id, set(roles)):
        if member.id is not None:
            seen.setdefault(member.id, member)
    return list(seen.values())


async def duty_overlays(session: AsyncSession, township_id: int) -> list[Overlay]:
    """The township's running responses whose level holds a 24-hour duty, with who is on it (for /duty)."""
    query = select(Response).where(Response.township_id == township_id, Response.status == ResponseStatus.ACTIVE)
    overlays = []
    for response in (await session.exec(query.order_by(col(Response.id)))).all():
        document = PlanDocument.model_validate(response.document)
        roles = document.level(response.level).duty
        if roles:
            names = tuple(m.name for m in await on_duty(session, township_id, roles))
            overlays.append(Overlay(document.name, NUMERALS[response.level], response.drill, names))
    return overlays


async def county_of(session: AsyncSession, township_id: int) -> int:
    township = await session.get(Unit, township_id)
    return township.parent_id or 0 if township else 0


@dataclass(frozen=True)
class Overseer:
    member_id: int
    telegram_id: int
    language: str


async def _holders(session: AsyncSession, unit_id: int, roles: Sequence[object]) -> list[Overseer]:
    query = (
        select(Member.id, Member.telegram_id, Member.language)
        .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(RoleAssignment.unit_id == unit_id, col(RoleAssignment.role).in_(list(roles)))
        .order_by(col(Member.id))
        .distinct()
    )
    return [Overseer(m, t, lang) for m, t, lang in (await session.exec(query)).all() if m is not None]


async def overseers(session: AsyncSession, township_id: int, with_county: bool = False) -> list[Overseer]:
    """The township's heads; with none and `with_county`, the county's officers (who may confirm Ⅱ/Ⅰ in their
    place)."""
    heads = await _holders(session, township_id, RESPONSE_OVERSEERS)
    if heads or not with_county:
        return heads
    return await _holders(session, await county_of(session, township_id), COUNTY_CONFIRMERS)


async def log(
    session: AsyncSession, response: Response, now: datetime, member_id: int | None, kind: LogKind, text_html: str
) -> LogEntry:
    """A line in the situation log, given as a catalog renders it (names and notes escaped) and kept as the plain
    text a reader sees: the workbook and the report's draft show "A&B", not "A&amp;B"."""
    text = plain_text(text_html)
    entry = LogEntry(response_id=response.id or 0, at=now, member_id=member_id, kind=kind, text=text)
    session.add(entry)
    await session.flush()
    return entry


async def heading_of(session: AsyncSession, response: Response) -> ResponseHeading:
    township = await session.get(Unit, response.township_id)
    name = PlanDocument.model_validate(response.document).name
    return ResponseHeading(name, response.level, township.name if township else "?", response.drill)


async def overdue_lines(session: AsyncSession, tasks: Sequence[ResponseTask]) -> list[OverdueLine]:
    """Tasks as the card and the heads' notice list them: title, who, where, when due."""
    people = {t.member_id for t in tasks}
    units = {t.unit_id for t in tasks}
    names = dict((await session.exec(select(Member.id, Member.name).where(col(Member.id).in_(people)))).all())
    places = dict((await session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(units)))).all())
    return [OverdueLine(t.title, names.get(t.member_id, "?"), places.get(t.unit_id, "?"), t.due_at) for t in tasks]


async def progress_of(session: AsyncSession, response: Response) -> Progress:
    """The response's state: tasks by state, those the sweep found overdue, the call-outs' turnout."""
    response_id = response.id or 0
    counted = select(ResponseTask.status, func.count()).where(ResponseTask.response_id == response_id)
    counts = dict((await session.exec(counted.group_by(col(ResponseTask.status)))).all())
    overdue_query = select(ResponseTask).where(
        ResponseTask.response_id == response_id,
        ResponseTask.status == TaskStatus.OPEN,
        col(ResponseTask.escalated_at).is_not(None),
    )
    overdue = (await session.exec(overdue_query.order_by(col(ResponseTask.due_at), col(ResponseTask.id)))).all()
    answers = (
        select(CalloutRecipient.answer, func.count())
        .join(ResponseCallout, col(ResponseCallout.callout_id) == CalloutRecipient.callout_id)
        .where(ResponseCallout.response_id == response_id)
        .group_by(col(CalloutRecipient.answer))
    )
    turnout = {CalloutAnswer(a): n for a, n in (await session.exec(answers)).all()}
    starter = await session.get(Member, response.started_by_id)
    duty = PlanDocument.model_validate(response.document).level(response.level).duty
    standing = response.status == ResponseStatus.ACTIVE and duty
    return Progress(
        response_id=response_id,
        heading=await heading_of(session, response),
        status=response.status,
        proposed_level=response.proposed_level,
        started_at=response.started_at,
        starter=starter.name if starter else "?",
        tasks=sum(n for s, n in counts.items() if s != TaskStatus.WITHDRAWN),
        done=counts.get(TaskStatus.DONE, 0),
        cant=counts.get(TaskStatus.CANT, 0),
        overdue=await overdue_lines(session, overdue),
        asked=sum(turnout.values()),
        coming=turnout.get(CalloutAnswer.ON_MY_WAY, 0),
        arrived=turnout.get(CalloutAnswer.ARRIVED, 0),
        next_report_at=response.next_report_at,
        summary=response.summary,
        on_duty=len(await on_duty(session, response.township_id, duty)) if standing else 0,
    )


async def card_content(session: AsyncSession, response: Response, zone: ZoneInfo) -> Content:
    """The progress card in the starter's language (the station's group reads it)."""
    starter = await session.get(Member, response.started_by_id)
    i18n = Localizer(starter.language if starter else "zh")
    return progress_content(i18n, await progress_of(session, response), zone)


async def render_progress(session: AsyncSession, response_id: int, zone: ZoneInfo) -> Content:
    """The card as it stands when its edit goes (delivery's renderer)."""
    response = await session.get(Response, response_id)
    if response is None:
        raise NoLongerThere("plan.gone")
    return await card_content(session, response, zone)


async def refresh_card(session: AsyncSession, response: Response, now: datetime, zone: ZoneInfo) -> None:
    """The progress card, edited in place to the state of the moment it goes (at most every 2 s)."""
    live = Content(render=(PROGRESS_RENDERER, response.id or 0, zone.key))
    key = card_key(response.id or 0)
    await enqueue_edit(session, of_key=key, content=live, now=now, priority=Priority.URGENT, min_gap=CARD_EVERY)
