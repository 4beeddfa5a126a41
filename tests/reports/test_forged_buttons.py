"""Every button is a hint from an untrusted client. For each kind of button, someone without the right (or from
another township) presses a forged or replayed one: they get a short answer, and nothing changes — not a row in
the database, not a message to anyone."""

import pytest

from gridguard.directory.enums import Role
from gridguard.reports.enums import Category
from gridguard.reports.report_cards import CardButton, CardVerb
from gridguard.reports.report_lifecycle import PRESSABLE, ReportVerb
from gridguard.telegram.directory.callbacks import InviteRoleChoice, UnitChoice, UnitPage
from gridguard.telegram.reports.callbacks import (
    AssignChoice,
    CategoryChoice,
    DuplicateChoice,
    DuplicateVerb,
    ReportAction,
    ReportUnitChoice,
    SummaryAction,
)
from tests.fakes.records import database_state
from tests.fakes.telegram_server import SentMessage
from tests.fakes.users import FakeUser
from tests.fakes.world import TOWNSHIP_B, VILLAGE_A2, VILLAGE_B1, add_member, unit_id
from tests.scenarios.township import Township, file_report, report_id_on

STALE = "这个按钮已失效"
NOT_ALLOWED = "您没有权限"


async def press_and_expect_nothing(town: Township, user: FakeUser, message: SentMessage, data: str) -> str:
    """Press `data` on `message` as `user`; assert nothing changed anywhere; return the answer they saw."""
    before = await database_state(town.db)
    others_before = {u.id: len(u.inbox) for u in town.everyone()}
    replies = await user.press_data(message, data)
    assert replies == [], f"the press of {data!r} sent or edited {[r.shown for r in replies]}"
    assert await database_state(town.db) == before, f"the press of {data!r} changed the database"
    await town.deliver()
    assert {u.id: len(u.inbox) for u in town.everyone()} == others_before
    assert user.last_alert is not None, "the press was never answered"
    return str(user.last_alert["text"])


async def filed_report_id(town: Township) -> int:
    await file_report(town.reporter)
    await town.deliver()
    return report_id_on(town.cards(town.officer)[0])


async def a_worker_of_township_b(town: Township) -> FakeUser:
    worker = town.harness.user("郑蓬莱")
    await add_member(town.db, town.clock.now(), worker.id, "郑蓬莱", Role.GRID_WORKER, VILLAGE_B1)
    return worker


async def test_a_forged_add_to_report_from_another_township_changes_nothing(town: Township) -> None:
    report_a = await filed_report_id(town)
    attacker = await a_worker_of_township_b(town)
    await attacker.send("📢 上报隐患")
    await attacker.click("🔥 火灾隐患")
    await attacker.click("🟠 重大")
    await attacker.send("🏠 用我所在的村／网格")
    await attacker.send("这里写的是攻击者的话")
    await attacker.send("✅ 完成")
    summary = attacker.last_with_buttons()
    forged = DuplicateChoice(action=DuplicateVerb.ADD, report_id=report_a).pack()
    answer = await press_and_expect_nothing(town, attacker, summary, forged)
    assert STALE in answer
    assert "24100" not in answer, "the answer reveals no report code"


async def test_add_to_report_acts_only_on_the_report_the_hint_offered(town: Township) -> None:
    first = await filed_report_id(town)
    await file_report(town.reporter, category="💨 燃气", location=(25.3, 118.4))
    await town.deliver()
    other = report_id_on(town.cards(town.officer)[-1])
    assert other != first
    hint = await file_report(town.reporter, text="又闻到了")
    assert "附近已有一份未处理的同类报告" in hint.shown
    swapped = DuplicateChoice(action=DuplicateVerb.ADD, report_id=other).pack()
    assert STALE in await press_and_expect_nothing(town, town.reporter, hint, swapped)
    add = hint.buttons[0]["callback_data"]
    replies = await town.reporter.press_data(hint, add)
    assert "已补充到报告" in replies[-1].shown
    await town.deliver()
    assert STALE in await press_and_expect_nothing(town, town.reporter, hint, add), "a replay adds nothing twice"


async def test_add_to_a_report_closed_meanwhile_is_refused_and_the_draft_kept(town: Township) -> None:
    first = await filed_report_id(town)
    hint = await file_report(town.reporter, text="又闻到了")
    await town.officer.click("🚫 驳回", town.cards(town.officer)[0])
    await town.officer.send("误报")
    await town.reporter.click(hint.buttons[0]["text"], hint)
    assert town.reporter.last_alert is not None and "已经处理完毕" in town.reporter.last_alert["text"]
    replies = await town.reporter.click("🆕 这是新的隐患，单独提交", hint)
    assert "已提交" in replies[-1].shown
    assert first


@pytest.mark.parametrize("verb", [*PRESSABLE, *CardButton])
async def test_a_card_button_pressed_by_a_head_of_another_township_changes_nothing(
    town: Township, verb: CardVerb
) -> None:
    report = await filed_report_id(town)
    [help_reply] = await town.other_head.send("/help")
    answer = await press_and_expect_nothing(
        town, town.other_head, help_reply, ReportAction(action=verb, report_id=report).pack()
    )
    assert NOT_ALLOWED in answer


@pytest.mark.parametrize("verb", [*ReportVerb, *CardButton])
async def test_a_card_button_pressed_by_a_stranger_changes_nothing(town: Township, verb: CardVerb) -> None:
    report = await filed_report_id(town)
    stranger = town.harness.user("陌生人")
    [help_reply] = await stranger.send("/help")
    answer = await press_and_expect_nothing(
        town, stranger, help_reply, ReportAction(action=verb, report_id=report).pack()
    )
    assert NOT_ALLOWED in answer


async def test_a_forged_button_for_what_only_the_system_does_is_stale_even_for_the_officer(town: Township) -> None:
    report = await filed_report_id(town)
    [help_reply] = await town.officer.send("/help")
    data = ReportAction(action=ReportVerb.AUTO_CLOSE, report_id=report).pack()
    assert STALE in await press_and_expect_nothing(town, town.officer, help_reply, data)


async def test_a_reporter_cannot_act_on_their_own_report_nor_confirm_it_before_it_is_resolved(town: Township) -> None:
    report = await filed_report_id(town)
    [help_reply] = await town.reporter.send("/help")
    for verb in (ReportVerb.ACKNOWLEDGE, ReportVerb.RESOLVE, ReportVerb.REJECT):
        data = ReportAction(action=verb, report_id=report).pack()
        assert NOT_ALLOWED in await press_and_expect_nothing(town, town.reporter, help_reply, data)
    replayed_confirm = ReportAction(action=ReportVerb.CONFIRM_FIXED, report_id=report).pack()
    assert "待确认" in await press_and_expect_nothing(town, town.reporter, help_reply, replayed_confirm)


async def test_a_replayed_acknowledge_changes_nothing(town: Township) -> None:
    await filed_report_id(town)
    card = town.cards(town.officer)[0]
    ack = card.buttons[0]["callback_data"]
    await town.officer.press_data(card, ack)
    await town.deliver()
    answer = await press_and_expect_nothing(town, town.officer, card, ack)
    assert "“已确认”" in answer and "陈安全" in answer


async def test_forged_assignments_change_nothing(town: Township) -> None:
    report = await filed_report_id(town)
    [help_reply] = await town.other_head.send("/help")
    other_head_member = await town.member_id(town.other_head)
    to_self = AssignChoice(report_id=report, member_id=other_head_member).pack()
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.other_head, help_reply, to_self)
    [head_help] = await town.head.send("/help")
    to_outsider = AssignChoice(report_id=report, member_id=other_head_member).pack()
    assert "只能指派给本乡镇" in await press_and_expect_nothing(town, town.head, head_help, to_outsider)


async def test_forged_choices_in_the_report_flow_change_nothing(town: Township) -> None:
    await add_member(town.db, town.clock.now(), town.reporter.id, "林网格", Role.GRID_WORKER, VILLAGE_A2)
    [ask_category] = await town.reporter.send("📢 上报隐患")
    forged_category = CategoryChoice(value=Category.FIRE).pack().replace("fire", "nuclear")
    assert STALE in await press_and_expect_nothing(town, town.reporter, ask_category, forged_category)
    await town.reporter.click("🔥 火灾隐患")
    await town.reporter.click("🟠 重大")
    await town.reporter.send("🏠 用我所在的村／网格")
    units = town.reporter.last_with_buttons()
    b1 = await unit_id(town.db, VILLAGE_B1)
    assert STALE in await press_and_expect_nothing(town, town.reporter, units, ReportUnitChoice(unit_id=b1).pack())
    await town.reporter.click(units.buttons[0]["text"], units)
    await town.reporter.send("电线冒烟")
    await town.reporter.send("✅ 完成")
    summary = town.reporter.last_with_buttons()
    assert STALE in await press_and_expect_nothing(town, town.reporter, summary, "v1rx:publish")
    submit = SummaryAction.unpack(summary.buttons[0]["callback_data"]).pack()
    filed = await town.reporter.press_data(summary, submit)
    assert "已提交" in filed[-1].shown
    await town.deliver()
    assert STALE in await press_and_expect_nothing(town, town.reporter, summary, submit)


async def test_forged_invite_and_grid_buttons_change_nothing(town: Township) -> None:
    [roles] = await town.head.send("/invite")
    higher = InviteRoleChoice(role=Role.STATION_HEAD.value).pack()
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.head, roles, higher)
    [units] = await town.head.click("村（社区）安全员", roles)
    b1 = await unit_id(town.db, VILLAGE_B1)
    other_village = UnitChoice(purpose="inv", unit_id=b1).pack()
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.head, units, other_village)
    assert STALE in await press_and_expect_nothing(town, town.head, units, "v1iu:5000")
    assert STALE in await press_and_expect_nothing(town, town.head, units, "v1page:inv:99999999")
    [ask_village] = await town.head.send("/addgrid")
    grid_elsewhere = UnitChoice(purpose="grid", unit_id=await unit_id(town.db, TOWNSHIP_B)).pack()
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.head, ask_village, grid_elsewhere)
    assert STALE in await press_and_expect_nothing(town, town.head, ask_village, grid_elsewhere), "the flow ended"
    [ask_village] = await town.head.send("/addgrid")
    grid_in_b = UnitChoice(purpose="grid", unit_id=b1).pack()
    assert NOT_ALLOWED in await press_and_expect_nothing(town, town.head, ask_village, grid_in_b)
    page = UnitPage(purpose="grid", page=0).pack()
    [outsider_help] = await town.reporter.send("/help")
    assert STALE in await press_and_expect_nothing(town, town.reporter, outsider_help, page)


@pytest.mark.parametrize(
    "data",
    [
        "v2r:acknowledge:" + "9" * 40,
        "v2r:acknowledge:-1",
        "v2r:acknowledge:²",
        "v2r:nuke:1",
        "v1r:ack:1",
        "v1rd:add:999999",
        "v1ra:1:" + "9" * 30,
        "v1lang:xx",
        "v1iu:²",
        "v1unit:inv:0",
    ],
)
async def test_malformed_button_data_gets_a_clear_answer(town: Township, data: str) -> None:
    await filed_report_id(town)
    [help_reply] = await town.officer.send("/help")
    answer = await press_and_expect_nothing(town, town.officer, help_reply, data)
    assert STALE in answer
