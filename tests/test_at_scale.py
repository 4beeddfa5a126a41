"""A township at a prefecture's size: 1,000 volunteers, 300 covers, 1,000 call-outs and reports. Every list the
bot renders fits Telegram's 4,096 characters and 100 buttons (the fake server refuses anything larger, so a list
that grew without bound fails here as it would for a user)."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from gridguard.callouts.enums import CalloutKind, CalloutStatus
from gridguard.callouts.tables import Callout
from gridguard.directory.enums import Role
from gridguard.directory.tables import Member, RoleAssignment, Unit
from gridguard.duty.enums import CoverReason, DutyLayer
from gridguard.duty.tables import DutyCover
from gridguard.reminders.enums import RsvpAnswer, RuleKind
from gridguard.reminders.tables import Occurrence, ReminderRule, Rsvp
from gridguard.reports.tables import Report
from gridguard.telegram.duty.callbacks import SwapPage
from gridguard.telegram.reminders.callbacks import AttendanceView
from tests.fakes.telegram_server import BUTTON_LIMIT, TEXT_LIMIT, SentMessage
from tests.fakes.users import FakeUser
from tests.fakes.world import TOWNSHIP_A, VILLAGE_A1, unit_id
from tests.reminders.test_reminders import at
from tests.reports.test_forged_buttons import NOT_ALLOWED, STALE, press_and_expect_nothing
from tests.scenarios.callouts import send_callout, tally_of
from tests.scenarios.duty import local, with_duty_members
from tests.scenarios.township import Township, file_report

VOLUNTEERS = 1_000
LONG_NAME = "某" * 25
"""With the number in front, a name of the longest length a member may have (32)."""
DRILL = "半年应急演练"


def fits(message: SentMessage) -> None:
    assert len(message.shown) <= TEXT_LIMIT
    assert len(message.buttons) <= BUTTON_LIMIT


async def add_volunteers(town: Township, count: int = VOLUNTEERS) -> list[FakeUser]:
    """`count` volunteers, the first 100 in 美法村 and the rest spread over the township's villages, with names of the
    longest length allowed."""
    return await add_members(town, count, Role.VOLUNTEER, "志", in_meifa=100)


async def add_members(town: Township, count: int, role: Role, initial: str, in_meifa: int = 0) -> list[FakeUser]:
    """`count` members holding `role`, the first `in_meifa` in 美法村 and the rest spread over the township's
    villages, named `initial` and a number padded to the longest name allowed."""
    users = [town.harness.user(f"{initial}{i:04d}{LONG_NAME}"[:32]) for i in range(count)]
    township, meifa = await unit_id(town.db, TOWNSHIP_A), await unit_id(town.db, VILLAGE_A1)
    now = town.clock.now()
    async with town.db.transaction() as session:
        villages = [v for v in (await session.exec(select(Unit.id).where(Unit.parent_id == township))).all() if v]
        members = [Member(telegram_id=u.id, name=u.first_name, created_at=now) for u in users]
        session.add_all(members)
        await session.flush()
        session.add_all(
            RoleAssignment(
                member_id=m.id or 0,
                unit_id=meifa if i < in_meifa else villages[i % len(villages)],
                role=role,
                created_at=now,
            )
            for i, m in enumerate(members)
        )
    for user in users:
        user.chat.started = True
    return users


@pytest.fixture
async def volunteers(town: Township) -> list[FakeUser]:
    await town.sweeper.tick()
    return await add_volunteers(town)


async def answer_drill(town: Township, volunteers: list[FakeUser], coming: int, away: int) -> None:
    """The first `coming` volunteers said they come and the next `away` can't, each with a 200-character reason."""
    ids = [await town.member_id(user) for user in volunteers[: coming + away]]
    now, township = town.clock.now(), await unit_id(town.db, TOWNSHIP_A)
    async with town.db.transaction() as session:
        drill = select(ReminderRule.id).where(ReminderRule.kind == RuleKind.DRILL, ReminderRule.township_id == township)
        query = select(Occurrence).where(col(Occurrence.rule_id).in_(drill)).order_by(col(Occurrence.id).desc())
        occurrence = (await session.exec(query)).first()
        assert occurrence is not None and occurrence.id is not None
        session.add_all(
            Rsvp(
                occurrence_id=occurrence.id,
                member_id=member_id,
                answer=RsvpAnswer.ATTENDING if i < coming else RsvpAnswer.CANT,
                reason=None if i < coming else f"{i:03d}" + "家" * 197,
                answered_at=now,
            )
            for i, member_id in enumerate(ids)
        )


def drill_message(user: FakeUser, marker: str) -> SentMessage:
    """The user's message about the drill that shows `marker` or has a button labelled so."""
    return next(
        m for m in user.inbox if DRILL in m.shown and (marker in m.shown or any(b["text"] == marker for b in m.buttons))
    )


async def test_the_drill_roll_of_a_thousand_volunteers_stays_live_with_counts_first(
    town: Township, volunteers: list[FakeUser]
) -> None:
    await at(town, local(14, 10, 0).replace(month=12))
    await answer_drill(town, volunteers, coming=600, away=24)
    late = volunteers[700]
    await late.click("🙅 请假", drill_message(late, "🙅 请假"))
    await late.send("家" * 200)
    await town.deliver()
    roll = drill_message(town.head, "出席情况")
    fits(roll)
    assert roll.edits >= 1, "the edit went through"
    assert "✅ 参加 600" in roll.shown and "🙅 请假 25" in roll.shown and "❔ 未答复 378" in roll.shown
    assert "等，另有" in roll.shown


async def test_attendance_of_a_thousand_is_chosen_by_village_then_by_person_a_page_at_a_time(
    town: Township, volunteers: list[FakeUser]
) -> None:
    await at(town, local(14, 10, 0).replace(month=12))
    await answer_drill(town, volunteers, coming=600, away=0)
    await at(town, local(15, 12, 1).replace(month=12))
    question = drill_message(town.head, "结束了")
    await town.head.click("✅ 已举行", question)
    fits(question)
    assert "已按报名勾选（600 人）" in question.shown
    village = next(b["text"] for b in question.buttons if "美法村委会" in b["text"])
    forged = AttendanceView(place=999, page=0).pack()
    assert STALE in await press_and_expect_nothing(town, town.head, question, forged)
    assert STALE in await press_and_expect_nothing(town, town.officer, question, AttendanceView(place=0, page=0).pack())
    await town.head.click(village, question)
    fits(question)
    first_page = [b["text"] for b in question.buttons]
    assert any(text.startswith("✅ 志") for text in first_page)
    await town.head.click("下一页 ▶", question)
    fits(question)
    assert [b["text"] for b in question.buttons] != first_page
    unticked = next(b["text"] for b in question.buttons if b["text"].startswith("✅ 志"))
    await town.head.click(unticked, question)
    assert "（599 人）" in question.shown
    await town.head.click("⬅️ 返回村居", question)
    fits(question)
    await town.head.click("➡️ 下一步", question)
    await town.head.click("⏭ 跳过")
    await town.head.click("⏭ 跳过")
    await town.head.click("⏭ 跳过")
    await town.head.click("✅ 完成记录")
    assert "599 人参加" in town.head.last.shown


async def add_quarter_hour_covers(town: Township, count: int = 300) -> None:
    """`count` back-to-back fifteen-minute covers of the primary by 王值班, from tomorrow 08:30."""
    township = await unit_id(town.db, TOWNSHIP_A)
    member = await town.member_id(town.duty)
    start = local(3, 8, 30)
    async with town.db.transaction() as session:
        session.add_all(
            DutyCover(
                township_id=township,
                layer=DutyLayer.PRIMARY,
                member_id=member,
                starts_at=start + timedelta(minutes=15 * i),
                ends_at=start + timedelta(minutes=15 * (i + 1)),
                reason=CoverReason.PLANNED,
                created_at=town.clock.now(),
            )
            for i in range(count)
        )


@pytest.mark.parametrize("command", ["/duty", "/duty week", "/duty me", "/duty 王值班"])
async def test_duty_with_three_hundred_quarter_hour_covers_fits(town: Township, command: str) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(DutyLayer.PRIMARY, town.duty, duty.zhao, duty.sun)
    await add_quarter_hour_covers(town)
    [answer] = await town.duty.send(command)
    fits(answer)
    assert "王值班" in answer.shown
    assert "另有" in answer.shown, "what did not fit is counted"


async def test_alerts_and_the_tally_with_a_thousand_volunteers_and_a_thousand_call_outs_fit(
    town: Township, volunteers: list[FakeUser]
) -> None:
    tally = await send_callout(town, town.head, needed="10")
    for user in volunteers[:40]:
        await user.click("🚶 出发", user.inbox[-1])
    await town.after(seconds=3)
    tally = tally_of(town.head)
    fits(tally)
    assert "出发：40 人" in tally.shown
    township, head = await unit_id(town.db, TOWNSHIP_A), await town.member_id(town.head)
    async with town.db.transaction() as session:
        session.add_all(
            Callout(
                township_id=township,
                sender_id=head,
                kind=CalloutKind.FIRE,
                villages=[],
                message="演练" * 100,
                needed=20,
                status=CalloutStatus.OPEN,
                created_at=town.clock.now() - timedelta(minutes=i + 1),
            )
            for i in range(1_000)
        )
    [alerts] = await town.head.send("/alerts")
    fits(alerts)


async def test_reports_and_the_week_with_a_thousand_open_fit(town: Township) -> None:
    await file_report(town.reporter, text="仓库有烟" * 50)
    async with town.db.transaction() as session:
        [filed] = (await session.exec(select(Report))).all()
        copies = filed.model_dump(exclude={"id", "code"})
        session.add_all(Report(**copies, code=f"{filed.code[:-4]}{i:04d}") for i in range(2, 1_001))
    for user in (town.reporter, town.officer, town.head):
        [reports] = await user.send("/reports")
        fits(reports)
    await town.after(hours=2)
    [week] = await town.head.send("/week")
    fits(week)
    assert "1000" in week.shown


async def test_compliance_and_the_week_of_a_township_of_a_thousand_fit(
    town: Township, volunteers: list[FakeUser]
) -> None:
    for command in ("/compliance", "/week"):
        [answer] = await town.head.send(command)
        fits(answer)
    [county] = await town.county.send("/compliance")
    fits(county)


async def test_a_township_of_a_thousand_volunteers_and_three_hundred_covers_works_end_to_end(
    town: Township, volunteers: list[FakeUser]
) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(DutyLayer.PRIMARY, town.duty, duty.zhao, duty.sun)
    await add_quarter_hour_covers(town)
    for command in ("/duty", "/duty week", "/duty me"):
        [answer] = await town.duty.send(command)
        fits(answer)
        assert "另有" in answer.shown
    await send_callout(town, town.head, needed="10")
    for user in volunteers[:30]:
        await user.click("🚶 出发", user.inbox[-1])
    await town.after(seconds=3)
    fits(tally_of(town.head))
    assert "出发：30 人" in tally_of(town.head).shown
    [alerts] = await town.head.send("/alerts")
    fits(alerts)
    assert "通知 1000 人" in alerts.shown
    await at(town, local(14, 10, 0).replace(month=12))
    await answer_drill(town, volunteers, coming=600, away=24)
    late = volunteers[900]
    await late.click("✅ 参加", drill_message(late, "✅ 参加"))
    await town.deliver()
    roll = drill_message(town.head, "出席情况")
    fits(roll)
    assert "✅ 参加 601" in roll.shown and "🙅 请假 24" in roll.shown
    await at(town, local(15, 12, 1).replace(month=12))
    question = drill_message(town.head, "结束了")
    await town.head.click("✅ 已举行", question)
    fits(question)
    assert "已按报名勾选（601 人）" in question.shown
    await town.head.click(next(b["text"] for b in question.buttons if "美法村委会" in b["text"]), question)
    fits(question)
    await town.head.click("➡️ 下一步", question)
    for _ in range(3):
        await town.head.click("⏭ 跳过")
    await town.head.click("✅ 完成记录")
    assert "601 人参加" in town.head.last.shown
    assert town.harness.server.errors == []


async def test_swap_with_three_hundred_quarter_hour_covers_offers_them_a_page_at_a_time(town: Township) -> None:
    duty = await with_duty_members(town)
    await duty.rotation(DutyLayer.PRIMARY, town.duty, duty.zhao, duty.sun)
    await add_quarter_hour_covers(town)
    [choose] = await town.duty.send("/swap")
    fits(choose)
    first = [b["text"] for b in choose.buttons]
    await town.duty.click("下一页 ▶", choose)
    fits(choose)
    assert [b["text"] for b in choose.buttons] != first
    [outsiders_help] = await town.reporter.send("/help")
    forged = SwapPage(page=1).pack()
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.reporter, outsiders_help, forged)
    await town.duty.press_data(choose, SwapPage(page=999).pack())
    fits(choose)
    assert "下一页 ▶" not in [b["text"] for b in choose.buttons], "a page past the last shows the last"
    shift = next(b["text"] for b in choose.buttons if "主班" in b["text"])
    await town.duty.click(shift, choose)
    assert "赵值班" in " ".join(b["text"] for b in town.duty.last_with_buttons().buttons)
