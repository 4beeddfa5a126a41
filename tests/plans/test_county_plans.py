"""A county publishes plans for its townships: its officer adopts a template and fits it, a township's head
adopts the county's plan (which then stands in for the project's template), and nobody starts a county's plan."""

from gridguard.plans.enums import ResponseLevel
from gridguard.telegram.plans.callbacks import PlanMenu, PlanMenuVerb, PlanStart
from tests.plans.test_plan_files import plans_held
from tests.reports.test_forged_buttons import NOT_ALLOWED, press_and_expect_nothing
from tests.scenarios.plans import FLOOD_PLAN, FLOOD_TEMPLATE
from tests.scenarios.township import Township

PUBLISHED = "📄 采用县发布的预案：防汛防台风应急预案"


async def publish_flood_plan(town: Township) -> int:
    """The county officer adopts the flood template and sets its Ⅳ level's condition; the county plan's id."""
    await town.county.send("/plan")
    assert "发布的应急预案" in town.county.last.shown
    await town.county.click(FLOOD_TEMPLATE)
    await town.county.click(FLOOD_PLAN)
    view = town.county.last_with_buttons()
    assert not any(b["text"].startswith(("▶️", "🎯")) for b in view.buttons), "a county's plan is not run"
    await town.county.click("✏️ 修改预案", view)
    await town.county.click("Ⅳ级")
    await town.county.click("📝 启动条件")
    await town.county.send("安溪县气象台发布暴雨蓝色预警")
    [plan] = await plans_held(town)
    return plan.id or 0


async def test_a_township_adopts_the_countys_plan_as_the_county_fitted_it(town: Township) -> None:
    await publish_flood_plan(town)
    await town.head.send("/plan")
    labels = [b["text"] for b in town.head.last.buttons]
    assert PUBLISHED in labels and FLOOD_TEMPLATE not in labels, "the county's plan stands in for the template"
    await town.head.click(PUBLISHED)
    await town.head.click(FLOOD_PLAN)
    await town.head.click("▶️ 启动Ⅳ级")
    assert "启动条件：安溪县气象台发布暴雨蓝色预警" in town.head.last.shown
    county_plan, township_plan = await plans_held(town)
    assert county_plan.document == township_plan.document and county_plan.unit_id != township_plan.unit_id


async def test_nobody_starts_a_countys_plan_and_only_its_townships_adopt_it(town: Township) -> None:
    plan_id = await publish_flood_plan(town)
    screen = town.county.last
    start = PlanStart(plan_id=plan_id, level=ResponseLevel.IV, drill=False, go=True, version=1).pack()
    for presser in (town.county, town.head, town.duty):
        assert (await press_and_expect_nothing(town, presser, screen, start)).startswith(NOT_ALLOWED)
    adopt = PlanMenu(verb=PlanMenuVerb.ADOPT, subject=plan_id).pack()
    for outsider in (town.duty, town.officer, town.reporter, town.county):
        assert (await press_and_expect_nothing(town, outsider, screen, adopt)).startswith(NOT_ALLOWED)
    await town.head.send("/plan")
    await town.head.click(PUBLISHED)
    [_, township_plan] = await plans_held(town)
    copy_of_a_township = PlanMenu(verb=PlanMenuVerb.ADOPT, subject=township_plan.id or 0).pack()
    assert (await press_and_expect_nothing(town, town.other_head, screen, copy_of_a_township)).startswith(NOT_ALLOWED)
    assert "已有防汛防台风预案" in await press_and_expect_nothing(town, town.head, screen, adopt)
