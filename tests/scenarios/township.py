"""A township with a member of each role, the sweeps and the delivery worker, for report tests."""

import re
from dataclasses import dataclass
from datetime import datetime

from bot.paths import ESCALATION_POLICY
from bot.settings import Settings
from gridguard.db.database import Database
from gridguard.db.tables import SweepMark
from gridguard.delivery.delivery import DeliveryWorker
from gridguard.directory.enums import Role
from gridguard.directory.members import find_member
from gridguard.reports.policy import Policy, load_policy
from gridguard.reports.report_cards import CardButton, CardVerb
from gridguard.reports.report_lifecycle import ReportVerb
from gridguard.telegram.reports.callbacks import ReportAction
from scheduler.sweeps import Sweeper
from tests.fakes.clock import FakeClock, VirtualTimer
from tests.fakes.telegram_server import SentMessage
from tests.fakes.users import FIRST_USER_ID, FakeUser, Harness
from tests.fakes.world import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, add_member, import_townships

IN_FENGCHENG = (25.0553, 118.1867)


@dataclass
class Township:
    harness: Harness
    db: Database
    clock: FakeClock
    timer: VirtualTimer
    policy: Policy
    sweeper: Sweeper
    worker: DeliveryWorker
    reporter: FakeUser
    officer: FakeUser
    duty: FakeUser
    head: FakeUser
    county: FakeUser
    other_head: FakeUser

    async def deliver(self) -> None:
        await self.worker.run_until_idle()

    async def after(self, **delta: float) -> None:
        """Let time pass, run the sweeps, deliver what they queued."""
        self.clock.advance(**delta)
        await self.sweeper.tick()
        await self.deliver()

    def everyone(self) -> list[FakeUser]:
        return [self.reporter, self.officer, self.duty, self.head, self.county, self.other_head]

    async def member_id(self, user: FakeUser) -> int:
        async with self.db.reading() as session:
            member = await find_member(session, user.id)
        assert member is not None and member.id is not None
        return member.id

    def cards(self, user: FakeUser) -> list[SentMessage]:
        """The report cards the user holds: messages whose buttons acknowledge a report or open its details."""
        return [m for m in user.inbox if any(card_verb(b["callback_data"]) in CARD_FACES for b in m.buttons)]


CARD_FACES = {ReportVerb.ACKNOWLEDGE, CardButton.DETAILS}


def card_verb(data: str) -> CardVerb | None:
    """What a card button does, as the bot packed it; None for any other button."""
    try:
        return ReportAction.unpack(data).action
    except (TypeError, ValueError):
        return None


REPORT_CODE = re.compile(r"\d{5}-\d{4}-\d{4}")


def code_of(text: str) -> str:
    """The report code in a text the bot sent (e.g. the confirmation after filing)."""
    match = REPORT_CODE.search(text)
    assert match is not None, text
    return match.group(0)


def report_id_on(card: SentMessage) -> int:
    """The report a card is about, read from its buttons as the bot packed them."""
    return ReportAction.unpack(card.buttons[0]["callback_data"]).report_id


PEOPLE = {
    "reporter": ("林网格", Role.GRID_WORKER, VILLAGE_A1),
    "officer": ("陈安全", Role.VILLAGE_OFFICER, VILLAGE_A1),
    "duty": ("王值班", Role.STATION_DUTY, TOWNSHIP_A),
    "head": ("李站长", Role.STATION_HEAD, TOWNSHIP_A),
    "county": ("张县局", Role.COUNTY_OFFICER, COUNTY),
    "other_head": ("周站长", Role.STATION_HEAD, TOWNSHIP_B),
}
"""The township's people; the harness gives them Telegram ids from FIRST_USER_ID on, in this order."""


async def seed_township(db: Database, now: datetime) -> None:
    """Two townships' divisions and one member of each role: what every township test starts from (built once into
    a template database the tests copy, or per test on PostgreSQL)."""
    await import_townships(db, now, TOWNSHIP_A, TOWNSHIP_B)
    for telegram_id, (name, role, unit) in enumerate(PEOPLE.values(), FIRST_USER_ID):
        await add_member(db, now, telegram_id, name, role, unit)


async def build_township(
    harness: Harness,
    worker: DeliveryWorker,
    timer: VirtualTimer,
    db: Database,
    clock: FakeClock,
    settings: Settings,
    seeded: bool,
) -> Township:
    """The township's users, talking to the bot; `seeded` when the database already holds what `seed_township`
    writes."""
    users = {key: harness.user(name) for key, (name, _, _) in PEOPLE.items()}
    assert [user.id for user in users.values()] == list(range(FIRST_USER_ID, FIRST_USER_ID + len(PEOPLE)))
    for user in users.values():
        user.chat.started = True
    if not seeded:
        await seed_township(db, clock.now())
    policy = load_policy(ESCALATION_POLICY)
    sweeper = Sweeper(db, policy, clock, settings.zone, "zh", "test-sweeper", worker)
    return Township(harness, db, clock, timer, policy, sweeper, worker, **users)


async def second_process_sweeps_from_scratch(town: Township, settings: Settings, mark: str) -> None:
    """As if the sweep `mark` had never been recorded (lost with a crash), a second process sweeps, and what it
    queued is delivered: the outbox's dedupe keys are all that stands between a user and a second message."""
    async with town.db.transaction() as session:
        swept = await session.get(SweepMark, mark)
        assert swept is not None
        await session.delete(swept)
    second = Sweeper(town.db, town.policy, town.clock, settings.zone, "zh", "second-process", town.worker)
    town.clock.advance(seconds=31)
    await second.tick()
    await town.deliver()


async def summary_of_a_report(user: FakeUser, text: str = "有烟") -> SentMessage:
    """A fire report from the user's own village, tapped through to its summary; returns the summary."""
    await user.send("📢 上报隐患")
    await user.click("🔥 火灾隐患")
    await user.click("🟠 重大")
    await user.send("🏠 用我所在的村／网格")
    await user.send(text)
    await user.send("✅ 完成")
    return user.last_with_buttons()


async def file_report(
    user: FakeUser,
    category: str = "🔥 火灾隐患",
    severity: str = "🟠 重大",
    location: tuple[float, float] | None = IN_FENGCHENG,
    text: str | None = "村口仓库电线老化冒烟",
    photos: int = 1,
) -> SentMessage:
    """The whole guided flow, as a grid worker would tap through it; returns the bot's confirmation."""
    await user.send("📢 上报隐患")
    await user.click(category)
    await user.click(severity)
    if location:
        await user.send_location(*location)
    else:
        await user.send("🏠 用我所在的村／网格")
    for _ in range(photos):
        await user.send_photo()
    if text:
        await user.send(text)
    await user.send("✅ 完成")
    *_summary_without_buttons, filed = await user.click("✅ 确认提交")
    return filed
