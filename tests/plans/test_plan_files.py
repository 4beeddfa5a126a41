"""Plan files: the shipped templates, a YAML file read with every mistake on its line (nothing saved), the import
and export in the chat, and the bounds a file meets before any work."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from gridguard.directory.enums import Role
from gridguard.kernel.errors import DomainError
from gridguard.plans.enums import PlanHazard, ResponseLevel
from gridguard.plans.plan_document import (
    FILE_LIMIT,
    LevelSpec,
    PlanDocument,
    PlanFileRefused,
    TaskSpec,
    read_plan,
    template,
    templates,
    write_plan,
)
from gridguard.plans.tables import Plan
from tests.scenarios.plans import FLOOD_PLAN, adopt_flood_plan
from tests.scenarios.township import Township

BROKEN = """hazard: flood_typhoon
name: 防汛防台风应急预案
levels:
  IV:
    condition: 蓝色预警
    tasks:
      - {title: 巡查, role: volunteer, due_hours: 6}
      - {title: 通知群众, role: village_officer}
  V:
    condition: 不存在的级别
""".encode()


def refused(data: bytes) -> PlanFileRefused:
    with pytest.raises(PlanFileRefused) as raised:
        read_plan(data)
    return raised.value


def test_every_shipped_template_reads_back_as_written() -> None:
    assert {t.hazard for t in templates()} == {PlanHazard.FLOOD_TYPHOON, PlanHazard.GEOLOGICAL, PlanHazard.FOREST_FIRE}
    for plan in templates():
        assert read_plan(write_plan(plan)) == plan
        assert plan.ordered_levels() == list(ResponseLevel)
    assert template(PlanHazard.OTHER) is None


def test_each_mistake_is_named_on_its_line() -> None:
    mistakes = {(m.line, m.where, m.problem) for m in refused(BROKEN).mistakes}
    assert mistakes == {
        (7, "levels.IV.tasks.0.role", "plan.file_invalid"),
        (8, "levels.IV.tasks.1.due_hours", "plan.file_missing"),
        (9, "levels.V", "plan.file_invalid"),
    }


def test_a_file_that_is_not_yaml_is_refused_at_its_line() -> None:
    [mistake] = refused("hazard: flood_typhoon\nname: [不闭合\n".encode()).mistakes
    assert (mistake.line, mistake.problem) == (3, "plan.file_not_yaml")


def test_the_same_task_twice_in_a_level_is_refused() -> None:
    twice = BROKEN.replace(b"role: volunteer, due_hours: 6", b"role: village_officer, due_hours: 6").replace(
        b"{title: \xe9\x80\x9a\xe7\x9f\xa5\xe7\xbe\xa4\xe4\xbc\x97, role: village_officer}",
        "{title: 巡查, role: village_officer, due_hours: 2}".encode(),
    )
    assert any(m.where == "levels.IV.tasks" for m in refused(twice).mistakes)


def test_a_file_too_big_or_not_utf8_is_not_parsed() -> None:
    with pytest.raises(DomainError) as too_big:
        read_plan(b"#" * (FILE_LIMIT + 1))
    assert too_big.value.key == "plan.file_too_big"
    with pytest.raises(DomainError) as not_utf8:
        read_plan("hazard: 防汛".encode("gbk"))
    assert not_utf8.value.key == "plan.file_not_utf8"


titles = st.text(st.characters(categories=("Lo", "Ll", "Nd")), min_size=1, max_size=20)
tasks = st.lists(
    st.builds(
        TaskSpec,
        title=titles,
        role=st.sampled_from([Role.VILLAGE_OFFICER, Role.STATION_DUTY, Role.RESCUE_TEAM]),
        due_hours=st.sampled_from([0.5, 1.0, 2.0, 24.0]),
    ),
    max_size=5,
    unique_by=lambda t: t.key,
)


@settings(max_examples=40, deadline=None)
@given(
    levels=st.dictionaries(
        st.sampled_from(list(ResponseLevel)),
        st.builds(LevelSpec, condition=titles, tasks=tasks, report_every_hours=st.none() | st.integers(1, 72)),
        min_size=1,
    )
)
def test_any_plan_written_reads_back_the_same(levels: dict[ResponseLevel, LevelSpec]) -> None:
    plan = PlanDocument(hazard=PlanHazard.OTHER, name="其他", levels=levels)
    assert read_plan(write_plan(plan)) == plan


async def plans_held(town: Township) -> list[Plan]:
    async with town.db.reading() as session:
        return list((await session.exec(select(Plan))).all())


async def test_a_head_imports_a_plan_file_and_a_broken_one_saves_nothing(town: Township) -> None:
    await town.head.send("/plan")
    await town.head.click("📥 导入预案文件")
    assert "请发送预案文件：YAML 或 Excel" in town.head.last.shown
    await town.head.send_document("预案.yaml", BROKEN)
    said = town.head.last.shown
    assert "预案文件有 3 处错误，未导入" in said and "第 7 行 levels.IV.tasks.0.role：此值无效" in said
    assert "第 8 行 levels.IV.tasks.1.due_hours：缺少此项" in said
    assert await plans_held(town) == []
    await town.head.send_document("预案.txt", b"x")
    assert "请发送 .yaml 或 .xlsx 预案文件" in town.head.last.shown
    flood = template(PlanHazard.FLOOD_TYPHOON)
    assert flood is not None
    edited = write_plan(flood).replace("检查防汛物资和避灾点".encode(), "清点沙袋和救生衣".encode())
    await town.head.send_document("防汛.yaml", edited)
    assert "已导入预案：防汛防台风应急预案（Ⅳ级、Ⅲ级、Ⅱ级、Ⅰ级）" in town.head.last.shown
    await town.head.send("/plan")
    await town.head.click(FLOOD_PLAN)
    await town.head.click("📤 导出 YAML")
    exported = town.head.last
    assert exported.media["document"]["file_name"] == "gridguard-plan-flood_typhoon.yaml"
    assert read_plan(town.harness.server.files[exported.media["document"]["file_id"]]) == read_plan(edited)


async def test_importing_over_a_plan_replaces_it_and_only_a_head_may(town: Township) -> None:
    await adopt_flood_plan(town.head)
    [before] = await plans_held(town)
    flood = template(PlanHazard.FLOOD_TYPHOON)
    assert flood is not None
    await town.head.send("/plan")
    await town.head.click("📥 导入预案文件")
    await town.head.send_document(
        "防汛.yml", write_plan(flood).replace("防汛防台风应急预案".encode(), "凤城镇防汛预案".encode())
    )
    assert "已更新预案：凤城镇防汛预案" in town.head.last.shown
    [after] = await plans_held(town)
    assert (after.id, after.version, after.name) == (before.id, before.version + 1, "凤城镇防汛预案")
    await town.duty.send("/plan")
    assert "📥 导入预案文件" not in [b["text"] for b in town.duty.last.buttons]
