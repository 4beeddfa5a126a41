"""Every plan button is a hint from an untrusted client: pressed by an outsider, forged for another township, or
replayed after it did its work, it changes nothing and says why."""

from gridguard.plans.enums import ResponseLevel
from gridguard.plans.response_lifecycle import ResponseVerb, TaskVerb
from gridguard.reports.report_cards import CardButton
from gridguard.telegram.plans.callbacks import (
    LevelChange,
    PlanMenu,
    PlanMenuVerb,
    PlanStart,
    ResponseAction,
    TaskAction,
)
from gridguard.telegram.reports.callbacks import ReportAction
from tests.plans.test_plans import responses
from tests.reports.test_forged_buttons import NOT_ALLOWED, press_and_expect_nothing
from tests.scenarios.callouts import with_volunteers
from tests.scenarios.plans import (
    DONE,
    adopt_flood_plan,
    cards_in,
    data_of,
    preview_level,
    response_id_of,
    start_level,
    task_id_of,
    tasks_of,
)
from tests.scenarios.township import Township, file_report, report_id_on

IV, II = "Ⅳ级", "Ⅱ级"


async def test_outsiders_can_neither_open_nor_start_nor_export_another_townships_plan(town: Township) -> None:
    await adopt_flood_plan(town.head)
    preview = await preview_level(town.head, IV)
    go = preview.buttons[0]["callback_data"]
    plan = PlanStart.unpack(go).plan_id
    for outsider in (town.other_head, town.officer, town.reporter):
        for data in (
            go,
            PlanMenu(verb=PlanMenuVerb.OPEN, subject=plan).pack(),
            PlanMenu(verb=PlanMenuVerb.EXPORT, subject=plan).pack(),
            PlanStart(plan_id=plan, level=ResponseLevel.I, drill=False, go=False, version=0).pack(),
        ):
            assert (await press_and_expect_nothing(town, outsider, preview, data)).startswith(NOT_ALLOWED)
    for keeper_only in (PlanMenuVerb.IMPORT, PlanMenuVerb.TEMPLATE):
        data = PlanMenu(verb=keeper_only, subject=1).pack()
        assert (await press_and_expect_nothing(town, town.duty, preview, data)).startswith(NOT_ALLOWED)
    unknown = PlanMenu(verb=PlanMenuVerb.TEMPLATE, subject=99).pack()
    assert "没有这个模板" in await press_and_expect_nothing(town, town.head, preview, unknown)
    assert await responses(town) == []


async def test_a_replayed_or_stale_start_starts_nothing_more(town: Township) -> None:
    await adopt_flood_plan(town.head)
    preview = await preview_level(town.head, IV)
    go = preview.buttons[0]["callback_data"]
    plan = PlanStart.unpack(go).plan_id
    await town.head.press_data(preview, go)
    await town.deliver()
    assert "正在进行" in await press_and_expect_nothing(town, town.head, preview, go)
    stale = PlanStart(plan_id=plan, level=ResponseLevel.III, drill=False, go=True, version=7).pack()
    assert "刚刚有变动" in await press_and_expect_nothing(town, town.head, preview, stale)
    assert len(await responses(town)) == 1


async def test_only_a_head_decides_a_proposal_and_only_once(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.duty, II)
    [proposal] = [m for m in town.head.inbox if "提议启动本级响应" in m.shown]
    confirm = data_of(proposal, "✅ 同意")
    for outsider in (town.duty, town.officer, town.other_head, town.reporter):
        for data in (confirm, data_of(proposal, "❌ 不同意")):
            assert (await press_and_expect_nothing(town, outsider, proposal, data)).startswith(NOT_ALLOWED)
    await town.head.click("✅ 同意", proposal)
    await town.deliver()
    assert "已经处理过" in await press_and_expect_nothing(town, town.head, proposal, confirm)
    forged = ResponseAction(action=ResponseVerb.CONFIRM, subject=99_999).pack()
    assert "不存在" in await press_and_expect_nothing(town, town.head, proposal, forged)


async def test_outsiders_pressing_the_progress_cards_buttons_change_nothing(town: Township) -> None:
    volunteers = await with_volunteers(town)
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV)
    [card] = cards_in(town, town.head.id)
    response = response_id_of(card)
    for verb in ResponseVerb:
        data = ResponseAction(action=verb, subject=response).pack()
        for outsider in (town.officer, town.reporter, town.other_head, volunteers.huang):
            said = await press_and_expect_nothing(town, outsider, card, data)
            assert said.startswith(NOT_ALLOWED) or "不存在" in said, (verb, said)
    change = LevelChange(response_id=response, level=ResponseLevel.III, go=True, version=0).pack()
    assert (await press_and_expect_nothing(town, town.other_head, card, change)).startswith(NOT_ALLOWED)
    stale = LevelChange(response_id=response, level=ResponseLevel.III, go=True, version=0).pack()
    assert "刚刚有变动" in await press_and_expect_nothing(town, town.head, card, stale)


async def test_a_replayed_end_after_the_end_changes_nothing(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV)
    [card] = cards_in(town, town.head.id)
    response = response_id_of(card)
    await town.head.click("🏁 结束响应", card)
    confirm = town.head.last_with_buttons()
    await town.head.click("🏁 确认结束", confirm)
    await town.deliver()
    data = ResponseAction(action=ResponseVerb.CONFIRM_END, subject=response).pack()
    assert "已经结束" in await press_and_expect_nothing(town, town.head, confirm, data)
    level = ResponseAction(action=ResponseVerb.CHANGE_LEVEL, subject=response).pack()
    assert "已经结束" in await press_and_expect_nothing(town, town.duty, confirm, level)


async def test_a_task_is_its_assignees_alone_and_is_answered_once(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, IV)
    task = tasks_of(town.officer)[0]
    task_id = task_id_of(task)
    for verb in TaskVerb:
        data = TaskAction(action=verb, task_id=task_id).pack()
        for outsider in (town.duty, town.head, town.other_head, town.reporter):
            assert (await press_and_expect_nothing(town, outsider, task, data)).startswith(NOT_ALLOWED)
    await town.officer.click(DONE, task)
    await town.officer.click("✅ 直接完成")
    await town.deliver()
    done_again = TaskAction(action=TaskVerb.JUST_DONE, task_id=task_id).pack()
    assert "已完成、已撤回" in await press_and_expect_nothing(town, town.officer, task, done_again)
    missing = TaskAction(action=TaskVerb.DONE, task_id=99_999).pack()
    assert "不存在" in await press_and_expect_nothing(town, town.officer, task, missing)


async def test_a_reports_start_a_plan_button_is_for_the_townships_station_alone(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await file_report(town.reporter, category="🌊 防汛/内涝", severity="🔴 紧急", text="河水漫过堤坝")
    await town.deliver()
    card = town.head.last_with_buttons()
    report_id = report_id_on(card)
    data = ReportAction(action=CardButton.START_PLAN, report_id=report_id).pack()
    for outsider in (town.reporter, town.officer, town.other_head):
        assert (await press_and_expect_nothing(town, outsider, card, data)).startswith(NOT_ALLOWED)
    missing = ReportAction(action=CardButton.START_PLAN, report_id=99_999).pack()
    assert "不存在" in await press_and_expect_nothing(town, town.head, card, missing)
