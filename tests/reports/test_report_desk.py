"""The report desk's use cases: each in one transaction on one connection, refusals leave nothing behind."""

from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.paths import ESCALATION_POLICY
from gridguard.db.database import Database
from gridguard.directory.directory_cache import DirectoryCache
from gridguard.directory.enums import Role
from gridguard.directory.members import MemberProfile, load_profile
from gridguard.kernel.errors import NoLongerThere, StaleButton
from gridguard.reports.enums import Category, ReportEventKind, ReportStatus, Severity
from gridguard.reports.filing import RESUBMIT_WINDOW
from gridguard.reports.policy import load_policy
from gridguard.reports.report_desk import ReportDesk
from gridguard.reports.report_drafts import Draft, get_draft, save_draft
from gridguard.reports.tables import Report, ReportCounter, ReportEvent
from tests.fakes.clock import FakeClock
from tests.fakes.records import reports
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, add_member, import_townships, unit_id

WORKER = 701


@pytest.fixture
async def one_connection(db: Database) -> AsyncIterator[Database]:
    """The same database behind a pool of one connection that waits a second at most for it: a use case that
    needed a second connection inside its transaction would fail here (and exhaust the pool under load)."""
    narrow = Database(db.url, pool_size=1, max_overflow=0, pool_timeout=1)
    yield narrow
    await narrow.dispose()


async def reporter_with_a_draft(db: Database, clock: FakeClock) -> MemberProfile:
    await import_townships(db, clock.now(), TOWNSHIP_A)
    await add_member(db, clock.now(), WORKER, "林网格", Role.GRID_WORKER, VILLAGE_A1)
    async with db.reading() as session:
        profile = await load_profile(session, WORKER, frozenset())
    assert profile is not None
    await keep_a_draft(db, clock, profile, Category.FIRE, "仓库冒烟")
    return profile


def desk_on(db: Database, clock: FakeClock) -> ReportDesk:
    directory = DirectoryCache(db, frozenset())
    return ReportDesk(db, clock, load_policy(ESCALATION_POLICY), ZoneInfo("Asia/Shanghai"), "zh", directory)


async def test_filing_with_a_cold_cache_needs_one_connection(one_connection: Database, clock: FakeClock) -> None:
    reporter = await reporter_with_a_draft(one_connection, clock)
    filed = await desk_on(one_connection, clock).submit(reporter)
    assert [r.code for r in await reports(one_connection)] == [filed.code]


async def test_codes_count_on_per_township_and_month_past_four_digits_each_with_its_created_event(
    db: Database, clock: FakeClock
) -> None:
    reporter = await reporter_with_a_draft(db, clock)
    township = await unit_id(db, TOWNSHIP_A)
    period = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%y%m")
    async with db.transaction() as session:
        session.add(ReportCounter(township_id=township, period=period, last=9998))
    desk = desk_on(db, clock)

    first = await desk.submit(reporter)
    await keep_a_draft(db, clock, reporter, Category.GAS, "又一处")
    second = await desk.submit(reporter)

    prefix = f"{TOWNSHIP_A[4:9]}-{period}-"
    assert isinstance(first, Report) and isinstance(second, Report)
    assert (first.code, second.code) == (f"{prefix}9999", f"{prefix}10000")
    assert [(r.id, r.code) for r in await reports(db)] == [(first.id, first.code), (second.id, second.code)]
    async with db.reading() as session:
        events = (await session.exec(select(ReportEvent).order_by(col(ReportEvent.report_id)))).all()
    assert [(e.report_id, e.actor_id, e.kind, e.to_status) for e in events] == [
        (report.id, reporter.id, ReportEventKind.CREATED, ReportStatus.NEW) for report in (first, second)
    ]


async def keep_a_draft(
    db: Database, clock: FakeClock, reporter: MemberProfile, category: Category, description: str
) -> None:
    assert reporter.id is not None
    draft = Draft(category, Severity.MAJOR, await unit_id(db, VILLAGE_A1), description=description)
    async with db.transaction() as session:
        await save_draft(session, reporter.id, WORKER, draft, clock.now())


async def test_a_draft_gone_is_refused_and_files_nothing(db: Database, clock: FakeClock) -> None:
    reporter = await reporter_with_a_draft(db, clock)
    desk = desk_on(db, clock)
    await desk.submit(reporter)
    clock.advance(seconds=RESUBMIT_WINDOW.total_seconds() + 1)
    with pytest.raises(NoLongerThere):
        await desk.submit(reporter)
    assert len(await reports(db)) == 1


async def test_the_same_submit_again_moments_later_returns_the_filed_report_and_files_nothing(
    db: Database, clock: FakeClock
) -> None:
    reporter = await reporter_with_a_draft(db, clock)
    desk = desk_on(db, clock)
    filed = await desk.submit(reporter)
    clock.advance(seconds=RESUBMIT_WINDOW.total_seconds() - 1)
    again = await desk.submit(reporter)
    assert isinstance(filed, Report) and isinstance(again, Report) and again.code == filed.code
    assert len(await reports(db)) == 1


async def test_filing_despite_an_offer_the_draft_never_had_keeps_the_draft(db: Database, clock: FakeClock) -> None:
    reporter = await reporter_with_a_draft(db, clock)
    with pytest.raises(StaleButton):
        await desk_on(db, clock).submit(reporter, despite_offer=12345)
    assert await reports(db) == []
    async with db.reading() as session:
        assert reporter.id is not None and await get_draft(session, reporter.id) is not None
