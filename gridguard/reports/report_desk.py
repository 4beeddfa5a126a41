"""The reporting use cases, one method each: what the edge calls, and the shape roster, reminders and call-outs copy.

Each change opens one transaction and takes one `now`; the messages it queues are handed to delivery right after
the commit (gridguard/delivery/outbox.Handover). Each returns what the handler shows. A refusal is a DomainError,
answered by
the edge's one error path; raised inside the transaction, it leaves the database as it was.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryWorker, handing_over
from gridguard.directory.directory_cache import DirectoryCache
from gridguard.directory.members import MemberProfile
from gridguard.directory.places import ReportUnits
from gridguard.duty.roster import with_duty
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import NoLongerThere, StaleButton
from gridguard.reports import report_actions
from gridguard.reports.audience import Audience, audience
from gridguard.reports.duplicates import DuplicateOffer, possible_duplicate
from gridguard.reports.enums import Severity
from gridguard.reports.escalation import Context, reaches_duty_step_at_once
from gridguard.reports.filing import add_information, file_report, just_filed
from gridguard.reports.policy import Policy
from gridguard.reports.report_actions import Assignees, Changed
from gridguard.reports.report_drafts import (
    Draft,
    ReportableUnit,
    discard_draft,
    get_draft,
    reportable_units,
    save_draft,
    take_draft,
    to_filing,
)
from gridguard.reports.report_lifecycle import ReportVerb
from gridguard.reports.report_views import Details, ReportLists, my_reports, open_reports_for, report_details
from gridguard.reports.tables import Report


@dataclass(frozen=True)
class Work:
    """One use case's unit of work: its session (one transaction) and its context (one `now`)."""

    session: AsyncSession
    ctx: Context


Change = Callable[..., Awaitable[Changed]]


class ReportDesk:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        policy: Policy,
        zone: ZoneInfo,
        default_language: str,
        directory: DirectoryCache,
        delivery: DeliveryWorker | None = None,
    ) -> None:
        self.db, self.clock, self.policy, self.zone = db, clock, policy, zone
        self.default_language, self.directory, self.delivery = default_language, directory, delivery

    @asynccontextmanager
    async def _work(self) -> AsyncIterator[Work]:
        ctx = Context(self.policy, self.clock.now(), self.zone, self.default_language)
        async with handing_over(self.db, self.delivery, ctx.now) as session:
            yield Work(session, ctx)

    # --- filing ---------------------------------------------------------------------------------

    async def submit(self, member: MemberProfile, despite_offer: int | None = None) -> Report | DuplicateOffer:
        """File the member's draft; or, first, offer an open report that may be the same hazard (the draft stays).
        `despite_offer`: the reporter saw that offer and files anyway (only the offer the draft holds counts)."""
        assert member.id is not None
        async with self._work() as work:
            draft = await take_draft(work.session, member.id)
            if draft is None:
                return await self._filed_already(work, member.id)
            if despite_offer is not None and draft.offered_report_id != despite_offer:
                raise StaleButton()
            filing = to_filing(draft)
            place = await self.directory.place(filing.unit_id, work.session)
            if despite_offer is None:
                offer = await possible_duplicate(work.session, filing, place, self.policy, work.ctx.now)
                if offer is not None:
                    draft.offered_report_id = offer.report_id
                    await save_draft(work.session, member.id, member.telegram_id, draft, work.ctx.now)
                    return offer
            reach = await self._audience(place.units, filing.severity, work.session)
            if reaches_duty_step_at_once(reach, filing.severity, self.policy):
                reach = await with_duty(work.session, reach, place.township.id, self.zone, work.ctx.now)
            return await file_report(work.session, filing, place, member, reach, work.ctx)

    async def _audience(self, units: ReportUnits, severity: Severity, session: AsyncSession) -> Audience:
        """Who a report at these units and severity reaches at each step, held with the directory."""

        async def load(session: AsyncSession) -> Audience:
            return await audience(session, units, severity, self.default_language)

        return await self.directory.held(("audience", units, severity), load, session)

    @staticmethod
    async def _filed_already(work: Work, member_id: int) -> Report:
        """The draft was filed moments ago (the same press again): its report, to confirm once more; otherwise the
        draft expired."""
        filed = await just_filed(work.session, member_id, work.ctx.now)
        if filed is None:
            raise NoLongerThere("report.draft_gone")
        return filed

    async def add_to_offered(self, member: MemberProfile, report_id: int) -> Report:
        """The draft joins the report the duplicate hint offered it, and only that one."""
        assert member.id is not None
        async with self._work() as work:
            draft = await take_draft(work.session, member.id)
            if draft is None or draft.offered_report_id != report_id:
                raise StaleButton()
            return await add_information(work.session, member, report_id, to_filing(draft), work.ctx)

    # --- the draft ------------------------------------------------------------------------------

    async def draft(self, member: MemberProfile) -> Draft | None:
        assert member.id is not None
        async with self.db.reading() as session:
            return await get_draft(session, member.id)

    async def keep_draft(self, member: MemberProfile, chat_id: int, draft: Draft) -> None:
        """Save the draft as it stands after a step (a restart loses nothing the reporter entered)."""
        assert member.id is not None
        async with self.db.transaction() as session:
            await save_draft(session, member.id, chat_id, draft, self.clock.now())

    async def discard_draft(self, member: MemberProfile) -> None:
        assert member.id is not None
        async with self.db.transaction() as session:
            await discard_draft(session, member.id)

    async def reportable_units(self, member: MemberProfile) -> list[ReportableUnit]:
        """Where the member may report from, with a label each."""
        async with self.db.reading() as session:
            return await reportable_units(session, member)

    # --- acting on a report ---------------------------------------------------------------------

    async def _change(self, action: Change, member: MemberProfile, *args: object) -> Report:
        async with self._work() as work:
            changed = await action(work.session, member, *args, work.ctx)
        return changed.report

    async def acknowledge(self, member: MemberProfile, report_id: int) -> Report:
        return await self._change(report_actions.acknowledge, member, report_id)

    async def confirm_fixed(self, member: MemberProfile, report_id: int) -> Report:
        return await self._change(report_actions.confirm_fixed, member, report_id)

    async def assign(self, member: MemberProfile, report_id: int, assignee_id: int) -> Report:
        return await self._change(report_actions.assign, member, report_id, assignee_id)

    async def resolve(self, member: MemberProfile, report_id: int, note: str, photo: str | None) -> Report:
        return await self._change(report_actions.resolve, member, report_id, note, photo)

    async def mark_duplicate(self, member: MemberProfile, report_id: int, other_code: str) -> Report:
        return await self._change(report_actions.mark_duplicate, member, report_id, other_code)

    async def reject(self, member: MemberProfile, report_id: int, reason: str) -> Report:
        return await self._change(report_actions.reject, member, report_id, reason)

    async def reopen(self, member: MemberProfile, report_id: int, reason: str) -> Report:
        return await self._change(report_actions.reopen, member, report_id, reason)

    # --- reading --------------------------------------------------------------------------------

    async def check_press(self, member: MemberProfile, report_id: int, verb: ReportVerb) -> Report:
        """May the member do `verb` to the report now (before asking them for a note, a reason or a code)?"""
        async with self.db.reading() as session:
            return await report_actions.check_press(session, member, report_id, verb)

    async def assignees(self, member: MemberProfile, report_id: int) -> Assignees:
        async with self.db.reading() as session:
            return await report_actions.assignable_members(session, member, report_id)

    async def details(self, member: MemberProfile, *, code: str | None = None, report_id: int | None = None) -> Details:
        async with self.db.reading() as session:
            return await report_details(session, member, code=code, report_id=report_id)

    async def lists(self, member: MemberProfile) -> ReportLists:
        """/reports: the member's own reports, and the open ones of their units they may act on."""
        assert member.id is not None
        async with self.db.reading() as session:
            mine = await my_reports(session, member.id)
            return ReportLists(mine, await open_reports_for(session, member, self.clock.now()))
