"""The plan library's use cases: a township's plans (the project's templates, the county's published plans, YAML
and Excel files, the editor's changes), a county's published plans, and a critical report's way to its hazard's
plan. Running a plan is gridguard/plans/plan_desk."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gridguard.db.database import Database
from gridguard.delivery.delivery import DeliveryWorker
from gridguard.delivery.desk import TownshipDesk
from gridguard.directory.enums import UnitLevel
from gridguard.directory.members import MemberProfile
from gridguard.directory.permissions import (
    Action,
    may_keep_plans,
    may_run_plans,
    plan_counties_of,
    townships_of,
)
from gridguard.directory.tables import Unit
from gridguard.kernel.clock import Clock
from gridguard.kernel.errors import DomainError, NoLongerThere, NotAllowed
from gridguard.plans.enums import PlanHazard, ResponseLevel, ResponseStatus
from gridguard.plans.plan_document import PlanDocument, PlanEdit, edited, read_plan, template, templates, write_plan
from gridguard.plans.plan_sheet import read_plan_sheet, write_plan_sheet
from gridguard.plans.plan_texts import hazard_name, level_name
from gridguard.plans.response_state import county_of
from gridguard.plans.tables import Plan, Response
from gridguard.reports.enums import Category
from gridguard.reports.tables import Report
from i18n import Localizer

LIVE = (ResponseStatus.PROPOSED, ResponseStatus.ACTIVE)
"""A response still to act on: one per hazard and township (the partial unique index)."""
HAZARD_OF_CATEGORY = {
    Category.FLOOD: PlanHazard.FLOOD_TYPHOON,
    Category.LANDSLIDE: PlanHazard.GEOLOGICAL,
    Category.FOREST_FIRE: PlanHazard.FOREST_FIRE,
    Category.WORKPLACE: PlanHazard.WORK_SAFETY,
    Category.CHEMICALS: PlanHazard.WORK_SAFETY,
    Category.GAS: PlanHazard.WORK_SAFETY,
}
"""Which plan a critical report's "start a plan response" opens; any other category, the township's other plan."""


@dataclass(frozen=True)
class PlanLine:
    id: int
    hazard: PlanHazard
    name: str
    levels: list[ResponseLevel]


@dataclass(frozen=True)
class LiveLine:
    id: int
    plan: str
    level: ResponseLevel
    status: ResponseStatus
    drill: bool


@dataclass(frozen=True)
class Library:
    """/plan: the township's plans, its live responses, and the templates it has not adopted — the county's
    published plans first; or, for a county officer, the plans the county publishes."""

    unit_id: int
    unit: str
    plans: list[PlanLine]
    live: list[LiveLine]
    templates: list[PlanHazard]
    may_keep: bool
    published: list[PlanLine] = field(default_factory=list)
    """The county's plans for hazards the township has no plan for, to adopt."""
    county: bool = False


@dataclass(frozen=True)
class PlanView:
    id: int
    version: int
    document: PlanDocument
    running: int | None
    """The live response of this plan, if one is running (it is changed, not started again)."""
    may_keep: bool = False
    """Whether the member may edit it."""
    may_start: bool = True
    """Whether the member may start its levels (a county's published plan is only adopted)."""


@dataclass(frozen=True)
class FromReport:
    """A critical report's "start a plan response": the plan for its hazard, if the township keeps one."""

    code: str
    category: Category
    hazard: PlanHazard
    plan: PlanView | None


class StationDesk(TownshipDesk):
    """A township desk that also writes in the deployment's language: what plans keep for the whole station (the
    situation log, a plan's default call-out message)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        delivery: DeliveryWorker | None = None,
    ) -> None:
        super().__init__(db, clock, zone, delivery)
        self.language = default_language


class PlanLibrary(StationDesk):
    # --- the library --------------------------------------------------------------------------------

    async def library(self, member: MemberProfile) -> Library:
        townships = townships_of(member, Action.RUN_PLANS)
        counties = plan_counties_of(member)
        if not townships and not counties:
            raise NotAllowed()
        unit_id = townships[0] if townships else counties[0]
        async with self.db.reading() as session:
            unit = await session.get(Unit, unit_id)
            plans = await self._plans_of(session, unit_id)
            held = {p.hazard for p in plans}
            published = [] if not townships else await self._plans_of(session, await county_of(session, unit_id))
            offered = [p for p in published if p.hazard not in held]
            hazards = held | {p.hazard for p in offered}
            return Library(
                unit_id,
                unit.name if unit else "?",
                plans,
                await self._live(session, unit_id) if townships else [],
                [t.hazard for t in templates() if t.hazard not in hazards],
                may_keep_plans(member, unit_id),
                offered,
                county=not townships,
            )

    @staticmethod
    async def _plans_of(session: AsyncSession, unit_id: int) -> list[PlanLine]:
        plans = (await session.exec(select(Plan).where(Plan.unit_id == unit_id))).all()
        ordered = sorted(plans, key=lambda p: list(PlanHazard).index(p.hazard))
        return [PlanLine(p.id or 0, p.hazard, p.name, document_of(p.document).ordered_levels()) for p in ordered]

    @staticmethod
    async def _live(session: AsyncSession, township_id: int) -> list[LiveLine]:
        query = select(Response).where(Response.township_id == township_id, col(Response.status).in_(LIVE))
        return [
            LiveLine(r.id or 0, document_of(r.document).name, r.level, r.status, r.drill)
            for r in (await session.exec(query.order_by(col(Response.id)))).all()
        ]

    def keeper_unit(self, member: MemberProfile) -> int:
        """The township whose plans the member keeps, or the county whose plans they publish; refused if none."""
        kept = townships_of(member, Action.KEEP_PLANS) or plan_counties_of(member)
        if kept:
            return kept[0]
        if member.is_admin:
            return self._township(member, Action.RUN_PLANS)
        raise NotAllowed()

    async def adopt_template(self, member: MemberProfile, hazard: PlanHazard) -> PlanLine:
        """The project's template for `hazard` becomes the township's plan (to edit and import back)."""
        township_id = self.keeper_unit(member)
        document = template(hazard)
        if document is None:
            raise NoLongerThere("plan.no_template")
        async with self._adopting(member, hazard) as (session, now):
            if await self._plan_for(session, township_id, hazard) is not None:
                raise DomainError("plan.already_adopted", plan=hazard_name(Localizer(member.language), hazard))
            plan = self._new_plan(township_id, document, member, now)
            session.add(plan)
            await session.flush()
            return PlanLine(plan.id or 0, hazard, plan.name, document.ordered_levels())

    @asynccontextmanager
    async def _adopting(
        self, member: MemberProfile, hazard: PlanHazard | None
    ) -> AsyncIterator[tuple[AsyncSession, datetime]]:
        """A use case's transaction that saves a plan: two heads saving one hazard's plan at once (its unique key)
        save one, and the other is told it is there."""
        try:
            async with self._work() as work:
                yield work
        except IntegrityError as clash:
            if hazard is None:
                raise NoLongerThere("plan.edited_meanwhile") from clash
            raise DomainError("plan.already_adopted", plan=hazard_name(Localizer(member.language), hazard)) from clash

    @staticmethod
    def _new_plan(township_id: int, document: PlanDocument, member: MemberProfile, now: datetime) -> Plan:
        return Plan(
            unit_id=township_id,
            hazard=document.hazard,
            name=document.name,
            document=document.model_dump(mode="json"),
            updated_by_id=member.id,
            updated_at=now,
        )

    @staticmethod
    async def _plan_for(session: AsyncSession, township_id: int, hazard: PlanHazard) -> Plan | None:
        query = select(Plan).where(Plan.unit_id == township_id, Plan.hazard == hazard)
        return (await session.exec(query)).first()

    async def import_plan(self, member: MemberProfile, data: bytes, sheet: bool = False) -> tuple[PlanLine, bool]:
        """A plan file (YAML, or a workbook when `sheet`) read off the event loop and saved as the township's plan for
        its hazard, replacing the one held; whether it replaced one. A file with mistakes saves nothing."""
        township_id = self.keeper_unit(member)
        document = await asyncio.to_thread(read_plan_sheet if sheet else read_plan, data)
        async with self._adopting(member, document.hazard) as (session, now):
            plan = await self._plan_for(session, township_id, document.hazard)
            replaced = plan is not None
            if plan is None:
                plan = self._new_plan(township_id, document, member, now)
            else:
                plan.name, plan.document = document.name, document.model_dump(mode="json")
                plan.version, plan.updated_by_id, plan.updated_at = plan.version + 1, member.id, now
            session.add(plan)
            await session.flush()
            return PlanLine(plan.id or 0, document.hazard, document.name, document.ordered_levels()), replaced

    async def plan(self, member: MemberProfile, plan_id: int) -> PlanView:
        async with self.db.reading() as session:
            plan = await own_plan(session, member, plan_id)
            query = select(Response.id).where(Response.plan_id == plan_id, col(Response.status).in_(LIVE))
            running = (await session.exec(query)).first()
            keeps = may_keep_plans(member, plan.unit_id)
            may_start = await startable(session, member, plan)
            return PlanView(plan_id, plan.version, document_of(plan.document), running, keeps, may_start)

    async def editable(self, member: MemberProfile, plan_id: int) -> PlanView:
        """The plan, if the member keeps the township's plans (before showing its editor)."""
        view = await self.plan(member, plan_id)
        if not view.may_keep:
            raise NotAllowed()
        return view

    async def adopt_published(self, member: MemberProfile, plan_id: int) -> PlanLine:
        """The county's published plan becomes the township's plan for its hazard (to fit with buttons)."""
        township_id = self.keeper_unit(member)
        async with self._adopting(member, None) as (session, now):
            published = await session.get(Plan, plan_id)
            if published is None:
                raise NoLongerThere("plan.gone")
            if published.unit_id != await county_of(session, township_id) or township_id == published.unit_id:
                raise NotAllowed()
            i18n = Localizer(member.language)
            if await self._plan_for(session, township_id, published.hazard) is not None:
                raise DomainError("plan.already_adopted", plan=hazard_name(i18n, published.hazard))
            document = document_of(published.document)
            plan = self._new_plan(township_id, document, member, now)
            session.add(plan)
            await session.flush()
            return PlanLine(plan.id or 0, document.hazard, document.name, document.ordered_levels())

    async def edit_plan(self, member: MemberProfile, plan_id: int, version: int, edit: PlanEdit) -> PlanView:
        """One change made with buttons, to the plan as the member saw it (`version`): checked as a file is, saved
        whole; a plan changed meanwhile (another head, an import) is refused."""
        async with self._work() as (session, now):
            plan = await own_plan(session, member, plan_id)
            if not may_keep_plans(member, plan.unit_id):
                raise NotAllowed()
            document = document_of(plan.document)
            i18n = Localizer(self.language)
            level = level_name(i18n, edit.level)
            defaults = i18n("plan.default_callout_message", plan=document.name, level=level)
            changed = edited(document, edit, defaults).model_dump(mode="json")
            moved = await session.exec(
                update(Plan)
                .where(col(Plan.id) == plan_id, col(Plan.version) == version)
                .values(document=changed, version=version + 1, updated_by_id=member.id, updated_at=now)
            )
            if moved.rowcount != 1:
                raise NoLongerThere("plan.edited_meanwhile")
            may_start = await startable(session, member, plan)
            return PlanView(plan_id, version + 1, PlanDocument.model_validate(changed), None, True, may_start)

    async def from_report(self, member: MemberProfile, report_id: int) -> FromReport:
        async with self.db.reading() as session:
            report = await session.get(Report, report_id)
            if report is None:
                raise NoLongerThere("plan.report_gone")
            if not may_run_plans(member, report.township_id):
                raise NotAllowed()
            hazard = HAZARD_OF_CATEGORY.get(report.category, PlanHazard.OTHER)
            plan = await self._plan_for(session, report.township_id, hazard)
        view = await self.plan(member, plan.id or 0) if plan is not None else None
        return FromReport(report.code, report.category, hazard, view)

    async def export_plan(self, member: MemberProfile, plan_id: int, sheet: bool = False) -> tuple[str, bytes]:
        """The plan as the file it imports from (YAML, or a workbook in the member's language), and its name."""
        view = await self.plan(member, plan_id)
        name = f"gridguard-plan-{view.document.hazard.value}"
        if sheet:
            data = await asyncio.to_thread(write_plan_sheet, view.document, Localizer(member.language))
            return f"{name}.xlsx", data
        return f"{name}.yaml", write_plan(view.document)


def document_of(stored: dict[str, object]) -> PlanDocument:
    return PlanDocument.model_validate(stored)


async def own_plan(session: AsyncSession, member: MemberProfile, plan_id: int) -> Plan:
    """A plan the member may read: their township's, or their county's published one."""
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise NoLongerThere("plan.gone")
    if not may_run_plans(member, plan.unit_id) and not may_keep_plans(member, plan.unit_id):
        raise NotAllowed()
    return plan


async def startable(session: AsyncSession, member: MemberProfile, plan: Plan) -> bool:
    """A township's plan, and the member runs its responses."""
    unit = await session.get(Unit, plan.unit_id)
    return unit is not None and unit.level == UnitLevel.TOWNSHIP and may_run_plans(member, plan.unit_id)
