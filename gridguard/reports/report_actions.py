"""What people do with a report: acknowledge, assign, resolve, mark duplicate, reject; the reporter confirms
or reopens. Every press is checked against the member's rights and the report's current state; a change is
one audited transition that edits every card and tells the reporter what matters to them."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.delivery.enums import Priority
from gridguard.delivery.outbox import Content, Notice, enqueue_many
from gridguard.directory.directory import descendants, path_ids
from gridguard.directory.enums import UnitLevel
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import ASSIGNEE_ROLES, ReportActor, may_act_on_report
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.kernel.errors import DomainError, NoLongerThere, NotAllowed
from gridguard.kernel.times import time_of_day
from gridguard.reports.audience import Recipient
from gridguard.reports.enums import REPORTER_NEWS, STATE_NAMES, ReportStatus
from gridguard.reports.escalation import (
    Context,
    card_source,
    cards_for,
    catalog_text,
    held_cards,
    refresh_cards,
    restart_escalation,
)
from gridguard.reports.filing import bump, find_report
from gridguard.reports.report_cards import reporter_keyboard
from gridguard.reports.report_lifecycle import TRANSITIONS, ReportVerb
from gridguard.reports.tables import Report, ReportEvent
from i18n import Localizer

S = ReportStatus
REPORTER_HEARS = frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.REJECTED, S.DUPLICATE, S.CLOSED})
NOTE_LIMIT = 500


class AlreadyHandled(DomainError):
    """The report moved on before this press: say who acted and when."""

    ends_flow = True

    def __init__(self, status: str, who: str, when: str) -> None:
        super().__init__("report.already", status=status, who=who, when=when)


@dataclass(frozen=True)
class Changed:
    report: Report
    event_id: int


async def _load(session: AsyncSession, report_id: int) -> Report:
    report = await session.get(Report, report_id)
    if report is None:
        raise NoLongerThere("report.not_found", code=str(report_id))
    return report


async def may_act(
    session: AsyncSession, actor: MemberProfile, report: Report, by: ReportActor = ReportActor.OFFICER
) -> bool:
    unit = await session.get(Unit, report.unit_id)
    return unit is not None and may_act_on_report(actor, by, await path_ids(session, unit), report.reporter_id)


async def check_press(session: AsyncSession, actor: MemberProfile, report_id: int, verb: ReportVerb) -> Report:
    """Before asking for words (a note, a reason, a code): may the actor do `verb`, and may it be done now?"""
    report = await _load(session, report_id)
    if not await may_act(session, actor, report, TRANSITIONS[verb].by):
        raise NotAllowed()
    if report.status not in TRANSITIONS[verb].allowed_from:
        raise DomainError("report.already_state", state=Localizer(actor.language)(STATE_NAMES(report.status)))
    return report


async def _already(session: AsyncSession, report: Report, i18n: Localizer, ctx: Context) -> AlreadyHandled:
    last = (
        await session.exec(
            select(ReportEvent)
            .where(ReportEvent.report_id == report.id, col(ReportEvent.actor_id).is_not(None))
            .order_by(col(ReportEvent.id).desc())
        )
    ).first()
    who = await session.get(Member, last.actor_id) if last and last.actor_id else None
    when = time_of_day(last.created_at, ctx.zone) if last else ""
    return AlreadyHandled(i18n(STATE_NAMES(report.status)), who.name if who else "?", when)


async def transition(
    session: AsyncSession,
    actor: MemberProfile,
    report_id: int,
    verb: ReportVerb,
    ctx: Context,
    note: str | None = None,
    **values: object,
) -> Changed:
    """Check rights and state against the lifecycle's table, then change the report atomically (its status
    and `values`); a concurrent change loses and is told who acted and when."""
    report = await _load(session, report_id)
    step = TRANSITIONS[verb]
    i18n = Localizer(actor.language or ctx.default_language)
    if not await may_act(session, actor, report, step.by):
        raise NotAllowed()
    if report.status not in step.allowed_from:
        raise await _already(session, report, i18n, ctx)
    before = report.status
    if not await bump(session, report, status=step.to, updated_at=ctx.now, **values):
        await session.refresh(report)
        raise await _already(session, report, i18n, ctx)
    event = ReportEvent(
        report_id=report_id,
        actor_id=actor.id,
        kind=step.recorded_as,
        from_status=before,
        to_status=report.status,
        note=note,
        created_at=ctx.now,
    )
    session.add(event)
    await session.flush()
    assert event.id is not None
    await refresh_cards(session, report, ctx)
    await tell_reporter(session, report, event, ctx)
    return Changed(report, event.id)


async def tell_reporter(session: AsyncSession, report: Report, event: ReportEvent, ctx: Context) -> None:
    if report.status not in REPORTER_HEARS or event.actor_id == report.reporter_id:
        return
    reporter = await session.get(Member, report.reporter_id)
    if reporter is None:
        return
    i18n = Localizer(reporter.language)
    actor = await session.get(Member, event.actor_id) if event.actor_id else None
    duplicate_of = await session.get(Report, report.duplicate_of_id) if report.duplicate_of_id else None
    text = i18n(
        REPORTER_NEWS(report.status),
        code=report.code,
        who=actor.name if actor else i18n("report.system"),
        note=event.note or "",
        other=duplicate_of.code if duplicate_of else "",
    )
    buttons = reporter_keyboard(i18n, report.id or 0, report.status) if report.status == S.RESOLVED else None
    notice = Notice(
        f"status:{report.id}:{event.id}",
        reporter.telegram_id,
        Content(text=text, buttons=buttons),
        Priority.NORMAL,
        reporter.id,
        report.unit_id,
    )
    await enqueue_many(session, [notice], ctx.now)


def _clean_note(note: str, required: bool) -> str | None:
    note = " ".join(note.split())
    if required and not note:
        raise DomainError("report.note_required")
    if len(note) > NOTE_LIMIT:
        raise DomainError("report.note_too_long", limit=NOTE_LIMIT)
    return note or None


async def acknowledge(session: AsyncSession, actor: MemberProfile, report_id: int, ctx: Context) -> Changed:
    return await transition(
        session, actor, report_id, ReportVerb.ACKNOWLEDGE, ctx,
        acknowledged_by_id=actor.id, acknowledged_at=ctx.now, next_escalation_at=None,
        next_renotify_at=None,
    )  # fmt: skip


@dataclass(frozen=True)
class Assignees:
    report: Report
    members: list[Member]


async def assignable_members(session: AsyncSession, actor: MemberProfile, report_id: int) -> Assignees:
    """The report, and the members of its township it may be assigned to (permissions.ASSIGNEE_ROLES)."""
    report = await _load(session, report_id)
    if not await may_act(session, actor, report):
        raise NotAllowed()
    units = [u.id for u in await descendants(session, [report.township_id], [UnitLevel.TOWNSHIP, UnitLevel.VILLAGE])]
    query = (
        select(Member)
        .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
        .where(
            col(RoleAssignment.unit_id).in_(units),
            col(RoleAssignment.role).in_(ASSIGNEE_ROLES),
        )
        .distinct()
        .order_by(col(Member.name))
    )
    return Assignees(report, list((await session.exec(query)).all()))


async def assign(
    session: AsyncSession, actor: MemberProfile, report_id: int, assignee_id: int, ctx: Context
) -> Changed:
    if assignee_id not in {m.id for m in (await assignable_members(session, actor, report_id)).members}:
        raise DomainError("report.bad_assignee")
    report = await _load(session, report_id)
    changed = await transition(
        session, actor, report_id, ReportVerb.ASSIGN, ctx,
        assigned_to_id=assignee_id, next_escalation_at=None, next_renotify_at=None,
        acknowledged_by_id=report.acknowledged_by_id or actor.id, acknowledged_at=report.acknowledged_at or ctx.now,
    )  # fmt: skip
    await _send_card_to_assignee(session, changed.report, assignee_id, ctx)
    return changed


async def _send_card_to_assignee(session: AsyncSession, report: Report, assignee_id: int, ctx: Context) -> None:
    """The assignee is told under the card they hold, or gets one headed "assigned to you"."""
    assignee = await session.get(Member, assignee_id)
    if assignee is None or report.id is None:
        return
    recipient = Recipient(assignee.telegram_id, assignee.id, assignee.language)
    told = catalog_text("report.assigned_nudge", code=report.code)
    header = catalog_text("report.assigned_header")
    source = await card_source(session, report)
    held = await held_cards(session, report.id)
    await enqueue_many(session, cards_for(report, [recipient], source, ctx, "assigned", held, told, header), ctx.now)


async def resolve(
    session: AsyncSession, actor: MemberProfile, report_id: int, note: str, photo: str | None, ctx: Context
) -> Changed:
    report = await _load(session, report_id)
    cleaned = _clean_note(note, required=True)
    return await transition(
        session, actor, report_id, ReportVerb.RESOLVE, ctx, note=cleaned,
        resolution_note=cleaned, resolution_photo=photo,
        close_due_at=ctx.now + timedelta(seconds=ctx.policy.auto_close_seconds), next_escalation_at=None,
        next_renotify_at=None,
        acknowledged_by_id=report.acknowledged_by_id or actor.id, acknowledged_at=report.acknowledged_at or ctx.now,
    )  # fmt: skip


async def mark_duplicate(
    session: AsyncSession, actor: MemberProfile, report_id: int, other_code: str, ctx: Context
) -> Changed:
    other = await find_report(session, other_code)
    if other.id == report_id:
        raise DomainError("report.duplicate_of_itself")
    return await transition(
        session, actor, report_id, ReportVerb.MARK_DUPLICATE, ctx, note=other.code,
        duplicate_of_id=other.id, next_escalation_at=None, next_renotify_at=None,
    )  # fmt: skip


async def reject(session: AsyncSession, actor: MemberProfile, report_id: int, reason: str, ctx: Context) -> Changed:
    cleaned = _clean_note(reason, required=True)
    return await transition(
        session, actor, report_id, ReportVerb.REJECT, ctx, note=cleaned,
        reject_reason=cleaned, next_escalation_at=None, next_renotify_at=None,
    )  # fmt: skip


async def confirm_fixed(session: AsyncSession, reporter: MemberProfile, report_id: int, ctx: Context) -> Changed:
    return await transition(session, reporter, report_id, ReportVerb.CONFIRM_FIXED, ctx, close_due_at=None)


async def reopen(session: AsyncSession, reporter: MemberProfile, report_id: int, reason: str, ctx: Context) -> Changed:
    """Not fixed after all, and why: the report is new again and escalates from its starting steps once more;
    whoever holds its card is told why under it."""
    cleaned = _clean_note(reason, required=True)
    changed = await transition(
        session, reporter, report_id, ReportVerb.REOPEN, ctx, note=cleaned,
        close_due_at=None, acknowledged_by_id=None, acknowledged_at=None, assigned_to_id=None,
    )  # fmt: skip
    nudge = catalog_text("report.reopened_nudge", code=changed.report.code, reason=cleaned)
    await restart_escalation(session, changed.report, ctx, f"reopen{changed.event_id}", nudge)
    return changed


async def close_unanswered(session: AsyncSession, ctx: Context) -> int:
    """Resolved reports whose reporter didn't answer within the policy's time are closed."""
    step = TRANSITIONS[ReportVerb.AUTO_CLOSE]
    query = (
        select(Report).where(col(Report.status).in_(step.allowed_from), col(Report.close_due_at) <= ctx.now).limit(100)
    )
    closed = 0
    for report in (await session.exec(query)).all():
        before = report.status
        if await bump(session, report, status=step.to, close_due_at=None, updated_at=ctx.now):
            event = ReportEvent(
                report_id=report.id or 0, kind=step.recorded_as, from_status=before, to_status=step.to,
                created_at=ctx.now,
            )  # fmt: skip
            session.add(event)
            await session.flush()
            await refresh_cards(session, report, ctx)
            await tell_reporter(session, report, event, ctx)
            closed += 1
    return closed
