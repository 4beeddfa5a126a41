"""Plans as spreadsheets: each template round-trips in either language, a broken sheet names each mistake on its
row and saves nothing, and a head exports the flood plan to Excel, edits it and imports it back."""

from collections.abc import Sequence
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from gridguard.directory.enums import Role
from gridguard.kernel.errors import DomainError
from gridguard.plans.enums import PlanHazard, ResponseLevel
from gridguard.plans.plan_document import LevelSpec, PlanDocument, PlanFileRefused, TaskSpec, template, templates
from gridguard.plans.plan_sheet import SHEET_LIMIT, read_plan_sheet, write_plan_sheet
from i18n import Localizer
from tests.plans.test_plan_files import plans_held
from tests.scenarios.plans import FLOOD_PLAN, adopt_flood_plan
from tests.scenarios.township import Township

HEADER = [
    "级别",
    "启动条件",
    "召集人数",
    "召集通知",
    "报送间隔（小时）",
    "加强值班",
    "任务",
    "负责人",
    "完成时限（小时）",
]


def sheet(*rows: Sequence[object]) -> bytes:
    book = Workbook()
    page = book.active
    assert page is not None
    for row in (["预案名称", "防汛预案"], ["类别", "防汛防台风"], [], HEADER, *rows):
        page.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_template_reads_back_from_its_sheet(language: str) -> None:
    for plan in templates():
        assert read_plan_sheet(write_plan_sheet(plan, Localizer(language))) == plan


def test_a_title_that_looks_like_a_formula_stays_text_both_ways() -> None:
    level = LevelSpec(condition="=1+1", tasks=[TaskSpec(title="=HYPERLINK(x)", role=Role.STATION_DUTY, due_hours=1)])
    plan = PlanDocument(hazard=PlanHazard.OTHER, name="@其他", levels={ResponseLevel.IV: level})
    data = write_plan_sheet(plan, Localizer("zh"))
    cells = [c for row in load_workbook(BytesIO(data)).active.iter_rows(values_only=True) for c in row if c]
    assert "'=HYPERLINK(x)" in cells and "'@其他" in cells
    assert read_plan_sheet(data) == plan


def test_each_mistake_is_named_on_its_row_and_nothing_is_read() -> None:
    data = sheet(
        ["Ⅳ级", "蓝色预警", None, None, 12, "应急站站长、志愿者", "巡查", "村（社区）安全员", 6],
        ["Ⅴ级", "不存在", None, None, None, None, "巡查", "村（社区）安全员", 6],
        ["Ⅳ级", None, None, None, None, None, "通知群众", "网格员", 2],
        ["Ⅳ级", None, None, None, None, None, "检查物资", "应急站值班员", None],
    )
    with pytest.raises(PlanFileRefused) as refused:
        read_plan_sheet(data)
    assert {(m.line, m.where) for m in refused.value.mistakes} == {(5, "加强值班"), (6, "级别"), (7, "负责人")}
    fixed = sheet(
        ["Ⅳ级", "蓝色预警", None, None, 12, "应急站站长", "巡查", "村（社区）安全员", 6],
        ["Ⅳ级", None, None, None, None, None, "检查物资", "应急站值班员", None],
    )
    with pytest.raises(PlanFileRefused) as refused:
        read_plan_sheet(fixed)
    [mistake] = refused.value.mistakes
    assert (mistake.line, mistake.where, mistake.problem) == (6, "levels.IV.tasks.1.due_hours", "plan.file_invalid")


def test_a_sheet_too_big_or_not_a_workbook_is_refused_before_reading() -> None:
    for data, key in ((b"x" * (SHEET_LIMIT + 1), "plan.file_too_big"), (b"not a zip", "plan.sheet_unreadable")):
        with pytest.raises(DomainError) as refused:
            read_plan_sheet(data)
        assert refused.value.key == key
    too_many = sheet(*[["Ⅳ级", "c", None, None, None, None, f"任务{n}", "应急站值班员", 1] for n in range(200)])
    with pytest.raises(DomainError) as refused:
        read_plan_sheet(too_many)
    assert refused.value.key == "plan.sheet_too_big"


async def test_a_head_exports_the_plan_to_excel_edits_it_and_imports_it_back(town: Township) -> None:
    await adopt_flood_plan(town.head)
    await town.head.send("/plan")
    await town.head.click(FLOOD_PLAN)
    await town.head.click("📤 导出 Excel")
    exported = town.head.last
    assert exported.media["document"]["file_name"] == "gridguard-plan-flood_typhoon.xlsx"
    book = load_workbook(BytesIO(town.harness.server.files[exported.media["document"]["file_id"]]))
    page = book.active
    assert page is not None and page["G5"].value == "巡查山塘水库、低洼易涝点和地质灾害隐患点"
    page["G5"] = "巡查凤城溪堤防"
    edited = BytesIO()
    book.save(edited)
    await town.head.send("/plan")
    await town.head.click("📥 导入预案文件")
    await town.head.send_document("防汛预案.xlsx", edited.getvalue())
    assert "已更新预案：防汛防台风应急预案" in town.head.last.shown
    [plan] = await plans_held(town)
    flood = template(PlanHazard.FLOOD_TYPHOON)
    assert flood is not None
    tasks = PlanDocument.model_validate(plan.document).levels[ResponseLevel.IV].tasks
    assert tasks[0].title == "巡查凤城溪堤防" and tasks[1:] == flood.levels[ResponseLevel.IV].tasks[1:]
