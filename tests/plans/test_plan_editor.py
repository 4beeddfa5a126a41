"""A plan edited with buttons on a phone: a level's tasks removed and added, its call-out, cadence and condition;
a stale screen, a duty member and another township's head change nothing."""

from gridguard.plans.enums import ResponseLevel
from gridguard.telegram.plans.callbacks import EditField, PlanEditing
from tests.plans.test_plan_files import plans_held
from tests.reports.test_forged_buttons import NOT_ALLOWED, press_and_expect_nothing
from tests.scenarios.plans import FLOOD_PLAN, adopt_flood_plan, preview_level, start_level, task_titles
from tests.scenarios.township import Township

EDIT = "✏️ 修改预案"


async def open_level(town: Township, level: str = "Ⅳ级") -> None:
    await town.head.send("/plan")
    await town.head.click(FLOOD_PLAN)
    await town.head.click(EDIT)
    await town.head.click(level)


async def test_a_head_edits_a_levels_tasks_call_out_cadence_and_condition_with_buttons(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await open_level(town)
    screen = town.head.last_with_buttons()
    assert "3. 检查防汛物资和避灾点 — 应急站值班员 — 12 小时内" in screen.shown
    await town.head.click("🗑 1", screen)
    assert "1. 通知危险区域群众做好转移准备" in screen.shown and "3." not in screen.shown
    await town.head.click("➕ 添加任务", screen)
    await town.head.send("清点沙袋和救生衣")
    await town.head.click("应急站值班员")
    await town.head.click("2 小时")
    screen = town.head.last_with_buttons()
    assert "3. 清点沙袋和救生衣 — 应急站值班员 — 2 小时内" in screen.shown
    await town.head.click("👥 召集人数", screen)
    await town.head.click("50", screen)
    await town.head.click("⏱ 报送间隔", screen)
    await town.head.click("不报送", screen)
    assert "召集：50 人 · 向上报送：—" in screen.shown
    await town.head.click("📝 启动条件", screen)
    await town.head.send("凤城溪水位超过警戒线")
    assert "启动条件：凤城溪水位超过警戒线" in town.head.last.shown
    [plan] = await plans_held(town)
    assert plan.version == 5, "five changes, each saved at once"
    preview = await preview_level(town.head, "Ⅳ级")
    assert "启动条件：凤城溪水位超过警戒线" in preview.shown and "（需要 50 人）" in preview.shown
    assert "每" not in preview.shown.split("下发任务")[1], "no report cadence any more"
    await town.head.click("✅ 确认启动", preview)
    await town.deliver()
    assert task_titles(town.duty) == ["检查防汛物资和避灾点", "清点沙袋和救生衣"]
    assert task_titles(town.officer) == ["通知危险区域群众做好转移准备"]


async def test_a_title_too_long_is_refused_and_the_step_stays(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await open_level(town)
    await town.head.click("➕ 添加任务")
    await town.head.send("很" * 61)
    assert "太长了" in town.head.last.shown
    await town.head.send("巡查河堤")
    assert "任务“巡查河堤”交给谁？" in town.head.last.shown


async def test_a_stale_screen_a_duty_member_and_another_head_change_nothing(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await open_level(town)
    screen = town.head.last_with_buttons()
    stale = next(b["callback_data"] for b in screen.buttons if b["text"] == "🗑 1")
    await town.head.click("🗑 2", screen)
    assert "预案刚被修改过" in await press_and_expect_nothing(town, town.head, screen, stale)
    [plan] = await plans_held(town)
    await town.duty.send("/plan")
    await town.duty.click(FLOOD_PLAN)
    assert EDIT not in [b["text"] for b in town.duty.last.buttons]
    forged = PlanEditing(
        plan_id=plan.id or 0, version=plan.version, level=ResponseLevel.IV, field=EditField.NEEDED, value=5
    ).pack()
    for outsider in (town.duty, town.other_head, town.officer):
        assert (await press_and_expect_nothing(town, outsider, screen, forged)).startswith(NOT_ALLOWED)


async def test_a_running_response_keeps_the_plan_it_started_with(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await start_level(town, town.head, "Ⅳ级")
    await open_level(town, "Ⅲ级")
    assert "4. 开放避灾点并安排专人值守" in town.head.last_with_buttons().shown
    await town.head.click("🗑 4")
    [card] = [m for m in town.head.inbox if "调整级别" in str(m.buttons)]
    await town.head.click("⬆️⬇️ 调整级别", card)
    await town.head.click("Ⅲ级")
    assert "新增任务 1 项" in town.head.last.shown, "Ⅲ as it stood at the start (开放避灾点), not as edited since"
