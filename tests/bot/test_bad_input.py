"""Input that used to end in the generic apology: each gets a clear answer and changes nothing."""

import pytest

from gridguard.directory.enums import Role
from gridguard.reports.report_drafts import get_draft
from tests.fakes.records import database_state
from tests.fakes.users import FakeUser
from tests.fakes.world import VILLAGE_A1, remove_member, remove_role
from tests.scenarios.township import Township

APOLOGY = "抱歉，处理时出了点问题"


async def send_and_expect_nothing(town: Township, user: FakeUser, text: str) -> str:
    before = await database_state(town.db)
    replies = await user.send(text)
    assert await database_state(town.db) == before, f"{text!r} changed the database"
    assert len(replies) == 1 and APOLOGY not in replies[0].shown
    return replies[0].shown


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (f"{VILLAGE_A1} grid_worker ²", "可用次数须在 1 到 1000 之间"),
        (f"{VILLAGE_A1} grid_worker " + "9" * 5000, "可用次数须在 1 到 1000 之间"),
        (f"{VILLAGE_A1} grid_worker 1 ٣", "有效天数须在 1 到 90 之间"),
        (f"{VILLAGE_A1} grid_worker -1", "可用次数须在 1 到 1000 之间"),
        (f"{VILLAGE_A1} grid_worker 0", "可用次数须在 1 到 1000 之间"),
        (f"{VILLAGE_A1} grid_worker 1 91", "有效天数须在 1 到 90 之间"),
        (f"{VILLAGE_A1} captain", "用法：/invite"),
    ],
)
async def test_invite_numbers_are_ascii_digits_within_bounds(town: Township, arguments: str, expected: str) -> None:
    assert expected in await send_and_expect_nothing(town, town.head, f"/invite {arguments}")


@pytest.mark.parametrize(
    "arguments",
    ["major 1 ²", "major ² 3", "major 1 " + "9" * 400, "major 1 inf", "major 1 nan", "major 1 1e3", "major 99 3"],
)
async def test_policy_numbers_are_ascii_digits_within_bounds(town: Township, arguments: str) -> None:
    assert "用法：/policy" in await send_and_expect_nothing(town, town.head, f"/policy {arguments}")


async def test_policy_takes_a_severity_by_its_chinese_name(town: Township) -> None:
    [set_] = await town.head.send("/policy 重大 1 2.5")
    assert "🟠 重大：第1级 2.5 分钟*" in set_.shown
    assert "第1级 应急站值班员和值班群" in set_.shown, "the table says whom each step reaches"


async def test_a_member_removed_mid_report_is_told_and_nothing_is_filed(town: Township) -> None:
    await town.reporter.send("📢 上报隐患")
    await town.reporter.click("🔥 火灾隐患")
    await remove_member(town.db, town.reporter.id)
    before = await database_state(town.db)
    await town.reporter.click("🟠 重大")
    assert town.reporter.last_alert is not None and "不在名册中" in town.reporter.last_alert["text"]
    [told] = await town.reporter.send("还有话说")
    assert APOLOGY not in told.shown and "/help" in told.shown, "the conversation ended: a plain fallback answer"
    assert await database_state(town.db) == before


async def test_a_role_removed_mid_report_ends_the_flow_without_a_buttonless_choice(town: Township) -> None:
    await town.reporter.send("📢 上报隐患")
    await town.reporter.click("🔥 火灾隐患")
    await town.reporter.click("🟠 重大")
    await remove_role(town.db, town.reporter.id, Role.GRID_WORKER)
    [told] = await town.reporter.send("🏠 用我所在的村／网格")
    assert "没有在这里上报的身份" in told.shown and not told.buttons
    async with town.db.reading() as session:
        assert await get_draft(session, await town.member_id(town.reporter)) is None, "the draft went with the flow"


async def test_a_role_removed_at_the_summary_files_nothing(town: Township) -> None:
    await town.reporter.send("📢 上报隐患")
    await town.reporter.click("🔥 火灾隐患")
    await town.reporter.click("🟠 重大")
    await town.reporter.send("🏠 用我所在的村／网格")
    await town.reporter.send("冒烟")
    await town.reporter.send("✅ 完成")
    summary = town.reporter.last_with_buttons()
    await remove_role(town.db, town.reporter.id, Role.GRID_WORKER)
    await town.reporter.click("✅ 确认提交", summary)
    alert = town.reporter.last_alert
    assert alert is not None and alert.get("show_alert") and "没有在这里上报的身份" in alert["text"]
    await town.deliver()
    assert town.cards(town.officer) == []
